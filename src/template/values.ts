/** Limits that keep bad input from crashing or hanging the engine. */
export const LIMITS = {
  /** Longest template or expression source, in UTF-16 code units. */
  maxSourceLength: 100 * 1024,
  /** Deepest nesting of parentheses, brackets, unary operators, ternaries and filter arguments. */
  maxNesting: 64,
  /** Tallest syntax tree (long operator or property chains); bounds evaluation recursion. */
  maxTreeHeight: 400,
  /** Deepest object/array `resolveValue` walks, and `==` / `in` compare. */
  maxValueDepth: 100,
  /** Longest string a template may produce. */
  maxResultLength: 10 * 1024 * 1024,
} as const;

/** Names that are never readable, whether or not an object owns them. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Condition truthiness: `false`, `null`, `undefined`, `0`, `NaN`, `""`, `[]` and `{}` are false;
 * everything else (including the string `"false"`) is true.
 */
export function isTruthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) {
    for (const k in v) if (Object.hasOwn(v, k)) return true;
    return false;
  }
  return Boolean(v);
}

/** A short type name for error messages. */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  return typeof v;
}

/** Thrown by value helpers; the evaluator turns it into a positioned TemplateError. */
export class ValueProblem extends Error {
  override readonly name = 'ValueProblem';
}

/**
 * How a value reads inside text: strings as is, numbers and booleans as JS prints them,
 * `null` as `null`, dates as ISO 8601, arrays and objects as compact JSON.
 */
export function toText(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    case 'undefined':
      throw new ValueProblem('cannot render an undefined value');
    case 'object':
      if (v === null) return 'null';
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
      return toJson(v);
    default:
      throw new ValueProblem(`cannot render a ${typeof v}`);
  }
}

export function toJson(v: unknown, indent?: number): string {
  let out: string | undefined;
  try {
    out = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x), indent);
  } catch (err) {
    throw new ValueProblem(
      `cannot convert to JSON: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
    );
  }
  if (out === undefined) throw new ValueProblem(`cannot convert a ${typeName(v)} to JSON`);
  checkLength(out);
  return out;
}

export function checkLength(s: string): string {
  if (s.length > LIMITS.maxResultLength) tooLong();
  return s;
}

/** `a + b`, refusing (before allocating it) a result longer than the limit. */
export function concatChecked(a: string, b: string): string {
  if (a.length + b.length > LIMITS.maxResultLength) tooLong();
  return a + b;
}

/** `s.replaceAll(find, by)`, refusing (before allocating it) a result longer than the limit. */
export function replaceAllChecked(s: string, find: string, by: string): string {
  const growth = by.length - find.length;
  if (growth > 0) {
    let length = s.length;
    if (find === '') {
      length += (s.length + 1) * by.length;
    } else {
      for (
        let i = s.indexOf(find);
        i >= 0 && length <= LIMITS.maxResultLength;
        i = s.indexOf(find, i + find.length)
      ) {
        length += growth;
      }
    }
    if (length > LIMITS.maxResultLength) tooLong();
  }
  return s.replaceAll(find, by);
}

/** Joins texts, refusing (before allocating it) a result longer than the limit. */
export function joinChecked(parts: readonly string[], sep: string): string {
  let length = Math.max(0, parts.length - 1) * sep.length;
  for (const p of parts) length += p.length;
  if (length > LIMITS.maxResultLength) tooLong();
  return parts.join(sep);
}

function tooLong(): never {
  throw new ValueProblem(`result is longer than ${LIMITS.maxResultLength} characters`);
}

/** Structural equality for JSON-like values; no type coercion (`1 == "1"` is false). */
export function deepEqual(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (depth >= LIMITS.maxValueDepth) {
    throw new ValueProblem(`cannot compare values nested deeper than ${LIMITS.maxValueDepth} levels`);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i], depth + 1)) return false;
    return true;
  }
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b, k) || !deepEqual(a[k], b[k], depth + 1)) return false;
  }
  return true;
}

/** `needle in haystack`: array element (deep equality), substring, or own key of an object. */
export function contains(haystack: unknown, needle: unknown): boolean {
  if (Array.isArray(haystack)) return haystack.some((x) => deepEqual(x, needle));
  if (typeof haystack === 'string') {
    if (typeof needle !== 'string') {
      throw new ValueProblem(`"in" a string needs a string on the left, got ${typeName(needle)}`);
    }
    return haystack.includes(needle);
  }
  if (isPlainObject(haystack)) {
    if (typeof needle !== 'string') {
      throw new ValueProblem(`"in" an object needs a key string on the left, got ${typeName(needle)}`);
    }
    return Object.hasOwn(haystack, needle) && !FORBIDDEN_KEYS.has(needle);
  }
  throw new ValueProblem(`"in" needs an array, string or object on the right, got ${typeName(haystack)}`);
}
