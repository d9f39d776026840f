import { NonRetriableError } from '../domain/errors.js';

/** What a {@link TemplateError} knows beyond its one-line detail. */
export interface TemplateErrorInit {
  /** 0-based offset in `source` the problem points at. */
  position: number;
  /** The template or expression text (may be empty when the problem is not in a string). */
  source: string;
  /** Where the template lives, e.g. `parameters.body.items[2]`; added by the caller. */
  where?: string | undefined;
  /** A close match for a misspelt name, shown as `(did you mean "x"?)`. */
  suggestion?: string | undefined;
  /** Text appended after the suggestion, e.g. the list of known filters. */
  tail?: string | undefined;
  hint?: string | undefined;
  /** True when a reference, property or index was missing; `| default(x)` rescues these. */
  missing?: boolean | undefined;
}

const EXCERPT_MAX = 80;

/**
 * A template that cannot be parsed or evaluated. Retrying cannot fix it: the definition or the data
 * it reads has to change. The message is written for the person (or model) who wrote the template:
 * `unknown reference "wether" at position 1 in "{wether}" (did you mean "weather"?)`.
 */
export class TemplateError extends NonRetriableError {
  readonly position: number;
  readonly source: string;
  readonly where: string | undefined;
  readonly detail: string;
  readonly suggestion: string | undefined;
  readonly missing: boolean;
  private readonly init: TemplateErrorInit;

  constructor(detail: string, init: TemplateErrorInit) {
    super('template_error', formatMessage(detail, init), {
      hint: init.hint,
      details: { position: init.position, where: init.where },
    });
    this.name = 'TemplateError';
    this.detail = detail;
    this.position = init.position;
    this.source = init.source;
    this.where = init.where;
    this.suggestion = init.suggestion;
    this.missing = init.missing ?? false;
    this.init = init;
  }

  /** The same error located at `where` (a JSON path such as `parameters.location`). */
  withWhere(where: string | undefined): TemplateError {
    if (where === undefined || where === '' || where === this.where) return this;
    return new TemplateError(this.detail, { ...this.init, where });
  }
}

function formatMessage(detail: string, init: TemplateErrorInit): string {
  let msg = init.where === undefined || init.where === '' ? detail : `${init.where}: ${detail}`;
  if (init.source !== '') msg += ` at position ${init.position} in ${excerpt(init.source, init.position)}`;
  if (init.suggestion !== undefined) msg += ` (did you mean "${init.suggestion}"?)`;
  if (init.tail !== undefined) msg += `; ${init.tail}`;
  return msg;
}

/** The source quoted as JSON, cut to a window around `position` when it is long. */
function excerpt(source: string, position: number): string {
  if (source.length <= EXCERPT_MAX) return JSON.stringify(source);
  const from = Math.max(0, Math.min(position - EXCERPT_MAX / 2, source.length - EXCERPT_MAX));
  const to = Math.min(source.length, from + EXCERPT_MAX);
  return `${from > 0 ? '…' : ''}${JSON.stringify(source.slice(from, to))}${to < source.length ? '…' : ''}`;
}

/** The closest candidate to `name` by edit distance, if it is close enough to be a likely typo. */
export function suggestName(name: string, candidates: Iterable<string>, limit = 500): string | undefined {
  const lower = name.toLowerCase();
  const budget = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  let seen = 0;
  for (const candidate of candidates) {
    if (++seen > limit) break;
    if (candidate === name) continue;
    if (candidate.toLowerCase() === lower) return candidate;
    // A hyphenated key cannot be written with dots: `steps.get-weather` parses as a subtraction.
    if (candidate.startsWith(`${name}-`)) return candidate;
    if (Math.abs(candidate.length - name.length) > budget) continue;
    const d = editDistance(lower, candidate.toLowerCase(), budget);
    if (d <= budget && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Edit distance counting a swap of two neighbours as one edit ("tmep" → "temp"), giving up
 * (returning `budget + 1`) once it must exceed `budget`.
 */
function editDistance(a: string, b: string, budget: number): number {
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, (before[j - 2] ?? 0) + 1);
      }
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > budget) return budget + 1;
    before = prev;
    prev = cur;
  }
  return prev[b.length] ?? budget + 1;
}
