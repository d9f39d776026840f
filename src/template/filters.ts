import { formatDate } from './date.js';
import {
  contains,
  deepEqual,
  FORBIDDEN_KEYS,
  isPlainObject,
  isTruthy,
  joinChecked,
  replaceAllChecked,
  toJson,
  toText,
  typeName,
  ValueProblem,
} from './values.js';

/** What a filter may know about the call besides its input and arguments. */
export interface FilterContext {
  /** Default zone for `date` (the chain's zone); UTC when absent. */
  timeZone: string | undefined;
}

export interface FilterDef {
  minArgs: number;
  maxArgs: number;
  usage: string;
  /** Throws ValueProblem ("expects a string, got number"); the evaluator adds name and position. */
  fn: (input: unknown, args: unknown[], fx: FilterContext) => unknown;
}

function str(v: unknown, what = 'a string'): string {
  if (typeof v !== 'string') throw new ValueProblem(`expects ${what}, got ${typeName(v)}`);
  return v;
}

function num(v: unknown, what = 'a number'): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new ValueProblem(`expects ${what}, got ${typeName(v)}`);
  return v;
}

function int(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new ValueProblem(`expects ${what} to be an integer`);
  }
  return v;
}

function arr(v: unknown): unknown[] {
  if (!Array.isArray(v)) throw new ValueProblem(`expects a list, got ${typeName(v)}`);
  return v;
}

function obj(v: unknown): Record<string, unknown> {
  if (!isPlainObject(v)) throw new ValueProblem(`expects an object, got ${typeName(v)}`);
  return v;
}

function numbers(list: unknown[]): number[] {
  return list.map((x) => num(x, 'a list of numbers'));
}

/** Reads a dotted own-property path (`"user.name"`) from an item; `null` where it is missing. */
function pluck(item: unknown, path: string): unknown {
  let cur = item;
  for (const key of path.split('.')) {
    if (FORBIDDEN_KEYS.has(key)) throw new ValueProblem(`may not read "${key}"`);
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, key)) return null;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur === undefined ? null : cur;
}

function roundTo(x: number, digits: number): number {
  const factor = 10 ** digits;
  const scaled = Math.abs(x) * factor;
  // Nudge by the float error of the scaling so 1.005 rounds to 1.01, as a person expects.
  const rounded = Math.round(scaled + scaled * Number.EPSILON) / factor;
  return Math.sign(x) * rounded;
}

function extreme(input: unknown, args: unknown[], pick: (a: number, b: number) => number): unknown {
  if (Array.isArray(input) && args.length > 0) {
    throw new ValueProblem('takes no arguments when its input is a list');
  }
  const list = Array.isArray(input) ? numbers(input) : [num(input), ...args.map((a) => num(a))];
  if (list.length === 0) return null;
  return list.reduce((a, b) => pick(a, b));
}

function compareSortable(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
  throw new ValueProblem(`cannot order ${typeName(a)} against ${typeName(b)}`);
}

const BOOL_WORDS: Readonly<Record<string, boolean>> = {
  true: true,
  yes: true,
  on: true,
  '1': true,
  false: false,
  no: false,
  off: false,
  '0': false,
  '': false,
};

function def(minArgs: number, maxArgs: number, usage: string, fn: FilterDef['fn']): FilterDef {
  return { minArgs, maxArgs, usage, fn };
}

const TABLE: Record<string, FilterDef> = {
  default: def(1, 2, 'x | default(fallback, onFalsy?)', (input, [fallback, onFalsy]) =>
    input === undefined || input === null || (onFalsy === true && !isTruthy(input)) ? fallback : input,
  ),
  upper: def(0, 0, 's | upper', (input) => str(input).toUpperCase()),
  lower: def(0, 0, 's | lower', (input) => str(input).toLowerCase()),
  trim: def(0, 0, 's | trim', (input) => str(input).trim()),
  json: def(0, 1, 'x | json(indent?)', (input, [indent]) =>
    toJson(input, indent === undefined ? undefined : Math.min(10, Math.max(0, int(indent, 'indent')))),
  ),
  string: def(0, 0, 'x | string', (input) => toText(input)),
  number: def(0, 0, 'x | number', (input) => {
    if (typeof input === 'number') return input;
    if (typeof input === 'boolean') return input ? 1 : 0;
    const text = str(input, 'a string, number or boolean').trim();
    const n = Number(text);
    if (text === '' || !Number.isFinite(n)) {
      throw new ValueProblem(`cannot read ${JSON.stringify(input)} as a number`);
    }
    return n;
  }),
  bool: def(0, 0, 'x | bool', (input) => {
    if (typeof input === 'string') {
      const word = BOOL_WORDS[input.trim().toLowerCase()];
      if (word !== undefined) return word;
    }
    return isTruthy(input);
  }),
  round: def(0, 1, 'n | round(digits?)', (input, [digits]) => {
    const d = digits === undefined ? 0 : int(digits, 'digits');
    if (d < -15 || d > 15) throw new ValueProblem('expects digits between -15 and 15');
    return roundTo(num(input), d);
  }),
  abs: def(0, 0, 'n | abs', (input) => Math.abs(num(input))),
  min: def(0, 10, 'list | min  or  n | min(m, ...)', (input, args) => extreme(input, args, Math.min)),
  max: def(0, 10, 'list | max  or  n | max(m, ...)', (input, args) => extreme(input, args, Math.max)),
  sum: def(0, 1, 'list | sum(attr?)', (input, [attr]) => {
    const list =
      attr === undefined ? arr(input) : arr(input).map((x) => pluck(x, str(attr, 'an attribute name')));
    return numbers(list).reduce((a, b) => a + b, 0);
  }),
  length: def(0, 0, 'x | length', (input) => {
    if (typeof input === 'string' || Array.isArray(input)) return input.length;
    if (isPlainObject(input)) return Object.keys(input).length;
    throw new ValueProblem(`expects a string, list or object, got ${typeName(input)}`);
  }),
  first: def(0, 0, 'list | first', (input) => {
    const list = typeof input === 'string' ? input : arr(input);
    return list.length === 0 ? null : list[0];
  }),
  last: def(0, 0, 'list | last', (input) => {
    const list = typeof input === 'string' ? input : arr(input);
    return list.length === 0 ? null : list[list.length - 1];
  }),
  keys: def(0, 0, 'obj | keys', (input) => Object.keys(obj(input))),
  values: def(0, 0, 'obj | values', (input) => Object.values(obj(input))),
  join: def(0, 1, 'list | join(separator = ", ")', (input, [sep]) =>
    joinChecked(
      arr(input).map((x) => toText(x)),
      sep === undefined ? ', ' : str(sep, 'a string separator'),
    ),
  ),
  split: def(0, 1, 's | split(separator = ",")', (input, [sep]) =>
    str(input).split(sep === undefined ? ',' : str(sep, 'a string separator')),
  ),
  replace: def(2, 2, 's | replace(find, with)', (input, [find, by]) =>
    replaceAllChecked(str(input), str(find, 'a string to find'), toText(by)),
  ),
  slice: def(1, 2, 'x | slice(start, end?)', (input, [start, end]) => {
    const from = int(start, 'start');
    const to = end === undefined || end === null ? undefined : int(end, 'end');
    if (typeof input === 'string') return input.slice(from, to);
    return arr(input).slice(from, to);
  }),
  truncate: def(1, 2, 's | truncate(length, end = "...")', (input, [length, end]) => {
    const s = str(input);
    const n = int(length, 'length');
    if (n < 0) throw new ValueProblem('expects a length of at least 0');
    if (s.length <= n) return s;
    const tail = end === undefined ? '...' : str(end, 'a string ending');
    let cut = Math.max(0, n - tail.length);
    // Do not split a surrogate pair (an emoji) in half.
    const code = s.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut--;
    return s.slice(0, cut) + tail;
  }),
  date: def(0, 2, 'x | date(format = "iso", zone?)', (input, [format, zone], fx) =>
    formatDate(
      input,
      format === undefined ? 'iso' : str(format, 'a format string'),
      zone === undefined || zone === null ? (fx.timeZone ?? 'UTC') : str(zone, 'a time zone name'),
    ),
  ),
  map: def(1, 1, 'list | map(attr)', (input, [attr]) =>
    arr(input).map((x) => pluck(x, str(attr, 'an attribute name'))),
  ),
  pluck: def(1, 1, 'list | pluck(attr)', (input, [attr]) =>
    arr(input).map((x) => pluck(x, str(attr, 'an attribute name'))),
  ),
  where: def(1, 2, 'list | where(attr, value?)', (input, args) => {
    const path = str(args[0], 'an attribute name');
    return arr(input).filter((x) =>
      args.length > 1 ? deepEqual(pluck(x, path), args[1]) : isTruthy(pluck(x, path)),
    );
  }),
  contains: def(1, 1, 'x | contains(item)', (input, [item]) => contains(input, item)),
  reverse: def(0, 0, 'x | reverse', (input) =>
    typeof input === 'string' ? Array.from(input).reverse().join('') : [...arr(input)].reverse(),
  ),
  sort: def(0, 1, 'list | sort(attr?)', (input, [attr]) => {
    const path = attr === undefined ? undefined : str(attr, 'an attribute name');
    const keyed = arr(input).map((x) => ({ x, k: path === undefined ? x : pluck(x, path) }));
    return keyed.sort((a, b) => compareSortable(a.k, b.k)).map((e) => e.x);
  }),
  unique: def(0, 0, 'list | unique', (input) => {
    const out: unknown[] = [];
    const seen = new Set<unknown>();
    for (const x of arr(input)) {
      if (typeof x !== 'object' || x === null) {
        if (!seen.has(x)) out.push(x);
        seen.add(x);
      } else if (!out.some((y) => deepEqual(x, y))) {
        out.push(x);
      }
    }
    return out;
  }),
  urlencode: def(0, 0, 'x | urlencode', (input) => {
    if (isPlainObject(input)) {
      return Object.entries(input)
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(toText(v))}`)
        .join('&');
    }
    return encodeURIComponent(toText(input));
  }),
};

/** Filters by name; a Map so that names like `constructor` never reach a prototype. */
export const FILTERS: ReadonlyMap<string, FilterDef> = new Map(Object.entries(TABLE));

/** Every filter name, sorted. */
export const FILTER_NAMES: readonly string[] = Object.freeze([...FILTERS.keys()].sort());
