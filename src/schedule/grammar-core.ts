import type { DateRef, Duration, Moment, TimeRef } from './draft.js';
import { NUMBER_WORDS, type TimeOfDay, type Unit, UNITS } from './lexicon.js';
import type { Token } from './tokenize.js';

/**
 * What one grammar rule recognised, with the token range it consumed (`from` inclusive, `to`
 * exclusive). `soft` fragments are words that can also be ordinary words inside a task ("weekly"
 * in "send the weekly report"); they may be given back to the task when sandwiched inside it.
 */
export type Frag = { from: number; to: number; soft?: boolean; notes?: string[] } & (
  | { k: 'remind' }
  | {
      k: 'cadence';
      every: Unit;
      interval: number;
      weekdays?: number[];
      time_of_day?: TimeOfDay;
      month_days?: number[];
      nth_weekdays?: { weekday: number; nth: number }[];
      month_day_rule?: 'first_weekday' | 'last_weekday';
      months?: number[];
      /** "twice a day": how many times per unit the person expects. */
      per_unit?: number;
      /** Opened by "every"/"each" (a new clause), not by an adverb like "daily". */
      explicit: boolean;
    }
  | { k: 'days'; weekdays: number[]; plural: boolean }
  | {
      k: 'monthly';
      month_days?: number[];
      nth_weekdays?: { weekday: number; nth: number }[];
      month_day_rule?: 'first_weekday' | 'last_weekday';
      /** "the 4th Thursday of November": only in these months (a yearly rule). */
      months?: number[];
      /** "of every month" (recurring), "of the month" (unclear), or nothing. */
      marker: 'every' | 'the' | 'none';
    }
  | { k: 'times'; times: TimeRef[] }
  | { k: 'tod'; tod: TimeOfDay; date?: DateRef }
  | { k: 'window'; open: TimeRef; close: TimeRef }
  | { k: 'date'; date: DateRef }
  | { k: 'offset'; offset: Duration }
  | { k: 'zone'; zone: string }
  | { k: 'start'; moment: Moment }
  | { k: 'until'; moment: Moment }
  | { k: 'for'; duration: Duration }
  | { k: 'count'; n: number }
  | { k: 'clarify'; question: string }
  | { k: 'reject'; reason: string }
);

export type FragOf<K extends Frag['k']> = Extract<Frag, { k: K }>;

/** Parsing context: the tokens, the original text and the reader's locale. */
export interface Ctx {
  toks: Token[];
  text: string;
  locale: 'en-US' | 'en-GB' | undefined;
}

/** The lower-case text of token i, or '' past the end. */
export function w(ctx: Ctx, i: number): string {
  return ctx.toks[i]?.v ?? '';
}

export function tok(ctx: Ctx, i: number): Token | undefined {
  return ctx.toks[i];
}

export function isAny(ctx: Ctx, i: number, words: readonly string[]): boolean {
  return words.includes(w(ctx, i));
}

/** Matches a sequence of words starting at i; returns the index after it, or -1. */
export function seq(ctx: Ctx, i: number, words: readonly string[]): number {
  for (let k = 0; k < words.length; k++) {
    const want = words[k] as string;
    const got = w(ctx, i + k);
    if (!want.split('|').includes(got)) return -1;
  }
  return i + words.length;
}

/** Skips optional words (any of `words`) at i. */
export function skip(ctx: Ctx, i: number, words: readonly string[]): number {
  while (i < ctx.toks.length && words.includes(w(ctx, i))) i++;
  return i;
}

export function raw(ctx: Ctx, from: number, to: number): string {
  const a = ctx.toks[from];
  const b = ctx.toks[to - 1];
  if (a === undefined || b === undefined) return '';
  return ctx.text.slice(a.start, b.end);
}

export interface NumberHit {
  n: number;
  end: number;
  /** Said as a word ("an", "a couple of"), a digit string, or a decimal. */
  approx?: string;
}

/** A number: digits, decimals, words ("twenty five", "twenty-five"), "a"/"an" (1), "a couple of" (2). */
export function parseNumber(ctx: Ctx, i: number, allowArticle = true): NumberHit | null {
  const t = ctx.toks[i];
  if (t === undefined) return null;
  if (t.kind === 'num' && t.n !== undefined) return { n: t.n, end: i + 1 };
  if (t.kind !== 'word') return null;
  if (allowArticle && (t.v === 'a' || t.v === 'an')) {
    const c = seq(ctx, i + 1, ['couple']);
    if (c > 0) return { n: 2, end: skip(ctx, c, ['of']), approx: 'a couple' };
    if (isAny(ctx, i + 1, ['few'])) return null;
    return { n: 1, end: i + 1 };
  }
  if (t.v === 'couple') return { n: 2, end: skip(ctx, i + 1, ['of']), approx: 'a couple' };
  const base = NUMBER_WORDS[t.v];
  if (base === undefined) return null;
  if (base >= 20 && base % 10 === 0) {
    let j = i + 1;
    if (w(ctx, j) === '-') j++;
    const unit = NUMBER_WORDS[w(ctx, j)];
    if (unit !== undefined && unit >= 1 && unit <= 9) return { n: base + unit, end: j + 1 };
  }
  return { n: base, end: i + 1 };
}

export interface UnitHit {
  unit: Unit;
  end: number;
}

/** A unit word ("minutes", "hrs", "fortnight" → 2 weeks is handled by callers). */
export function parseUnit(ctx: Ctx, i: number): UnitHit | null {
  const u = UNITS[w(ctx, i)];
  return u === undefined ? null : { unit: u, end: i + 1 };
}

/** Adds `n` of `unit` to a duration. Sub-day fractions become minutes/seconds. */
export function addToDuration(d: Duration, n: number, unit: Unit): Duration {
  const out = { ...d };
  // Fractions of calendar units become hours ("1.5 days" → 36 hours); months/years stay (and are asked about).
  if (!Number.isInteger(n) && (unit === 'day' || unit === 'week')) return addToDuration(out, n * (unit === 'day' ? 24 : 168), 'hour');
  switch (unit) {
    case 'second':
      out.seconds = (out.seconds ?? 0) + n;
      break;
    case 'minute':
      out.minutes = (out.minutes ?? 0) + n;
      break;
    case 'hour':
      out.hours = (out.hours ?? 0) + n;
      break;
    case 'day':
      out.days = (out.days ?? 0) + n;
      break;
    case 'week':
      out.weeks = (out.weeks ?? 0) + n;
      break;
    case 'month':
      out.months = (out.months ?? 0) + n;
      break;
    case 'year':
      out.years = (out.years ?? 0) + n;
      break;
  }
  return out;
}
