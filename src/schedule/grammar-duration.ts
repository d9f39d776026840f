import type { Duration } from './draft.js';
import { type Ctx, type Frag, addToDuration, isAny, parseNumber, parseUnit, seq, skip, tok, w } from './grammar-core.js';
import type { Unit } from './lexicon.js';

/** Durations and offsets: "20 minutes", "an hour and a half", "in 3 days", "half an hour from now". */

export type DurationHit = { duration: Duration; end: number; notes: string[] } | { frag: Frag };

/** "20 minutes", "an hour and a half", "1.5 hours", "2 hours 30 minutes", "half an hour", "a fortnight". */
export function parseDuration(ctx: Ctx, i: number): DurationHit | null {
  let d: Duration = {};
  let j = i;
  let parts = 0;
  const notes: string[] = [];
  for (;;) {
    let k = j;
    if (parts > 0) {
      if (w(ctx, k) === ',') k++;
      if (w(ctx, k) === 'and') k++;
    }
    const half = w(ctx, k) === 'half' ? k : -1;
    if (half >= 0) {
      // "half an hour", "half a day"
      const u = parseUnit(ctx, skip(ctx, half + 1, ['an', 'a']));
      if (u === null) break;
      if (parts > 0 && skip(ctx, half + 1, ['an', 'a']) === half + 1) break;
      d = addHalf(d, u.unit, 1);
      j = u.end;
      parts++;
      continue;
    }
    if (seq(ctx, k, ['a|an', 'half']) > 0 && parts > 0) {
      // "an hour and a half"
      d = addHalf(d, lastUnit(d), 1);
      j = k + 2;
      parts++;
      continue;
    }
    if (w(ctx, k) === 'fortnight' || seq(ctx, k, ['a', 'fortnight']) > 0) {
      d = addToDuration(d, 2, 'week');
      j = w(ctx, k) === 'a' ? k + 2 : k + 1;
      parts++;
      continue;
    }
    const q = seq(ctx, k, ['a', 'quarter', 'of', 'an', 'hour']);
    if (q > 0 || seq(ctx, k, ['quarter', 'of', 'an', 'hour']) > 0) {
      d = addToDuration(d, 15, 'minute');
      j = q > 0 ? q : k + 4;
      parts++;
      continue;
    }
    if (isAny(ctx, k, ['few', 'several', 'some']) || seq(ctx, k, ['a', 'few']) > 0) {
      if (parseUnit(ctx, w(ctx, k) === 'a' ? k + 2 : k + 1) !== null)
        return { frag: { k: 'clarify', question: 'How long exactly? Please give a number.', from: i, to: k + 2 } };
      break;
    }
    const n = parseNumber(ctx, k);
    if (n === null) break;
    let m = n.end;
    let extraHalf = false;
    if (seq(ctx, m, ['and', 'a', 'half']) > 0) {
      extraHalf = true;
      m += 3;
    }
    const u = parseUnit(ctx, m);
    if (u === null) {
      // "1h30" → the trailing number is minutes
      if (parts > 0 && lastUnit(d) === 'hour' && tok(ctx, k)?.kind === 'num' && n.n < 60) {
        d = addToDuration(d, n.n, 'minute');
        j = n.end;
        parts++;
      }
      break;
    }
    if (n.approx !== undefined) notes.push(`"${n.approx}" read as ${n.n}.`);
    d = addToDuration(d, n.n, u.unit);
    if (extraHalf) d = addHalf(d, u.unit, 1);
    j = u.end;
    parts++;
    if (seq(ctx, j, ['and', 'a', 'half']) > 0) {
      d = addHalf(d, u.unit, 1);
      j += 3;
    }
  }
  if (parts === 0) return null;
  if (!Number.isInteger(d.months ?? 0) || !Number.isInteger(d.years ?? 0))
    return { frag: { k: 'clarify', question: 'Please give months and years as whole numbers (or use weeks or days).', from: i, to: j } };
  return { duration: d, end: j, notes };
}

function lastUnit(d: Duration): Unit {
  if (d.seconds !== undefined) return 'second';
  if (d.minutes !== undefined) return 'minute';
  if (d.hours !== undefined) return 'hour';
  if (d.days !== undefined) return 'day';
  if (d.weeks !== undefined) return 'week';
  if (d.months !== undefined) return 'month';
  return 'year';
}

function addHalf(d: Duration, unit: Unit, n: number): Duration {
  switch (unit) {
    case 'day':
      return addToDuration(d, 12 * n, 'hour');
    case 'week':
      return addToDuration(d, 3.5 * n * 24, 'hour');
    case 'month':
      return addToDuration(d, 15 * n, 'day');
    case 'year':
      return addToDuration(d, 6 * n, 'month');
    default:
      return addToDuration(d, 0.5 * n, unit);
  }
}

export function durationSign(d: Duration): 'negative' | 'zero' | 'positive' {
  const vals = Object.values(d).filter((x): x is number => typeof x === 'number');
  if (vals.some((x) => x < 0)) return 'negative';
  if (vals.every((x) => x === 0)) return 'zero';
  return 'positive';
}

/** "in 20 minutes", "20 minutes from now", "in an hour and a half". */
export function parseOffset(ctx: Ctx, i: number): Frag | null {
  if (w(ctx, i) === 'in' || w(ctx, i) === 'within') {
    if (seq(ctx, i + 1, ['a', 'bit|while|moment|sec|second|jiffy']) > 0)
      return { k: 'clarify', question: 'When exactly? Please give a time or a delay like "in 20 minutes".', from: i, to: i + 3 };
    const d = parseDuration(ctx, i + 1);
    if (d === null) return null;
    if ('frag' in d) return { ...d.frag, from: i };
    return offsetFrag(d.duration, i, d.end, d.notes);
  }
  const d = parseDuration(ctx, i);
  if (d === null || 'frag' in d) return null;
  const j = seq(ctx, d.end, ['from', 'now|today']);
  const later = isAny(ctx, d.end, ['later', 'hence']) ? d.end + 1 : -1;
  if (j < 0 && later < 0) return null;
  return offsetFrag(d.duration, i, Math.max(j, later), d.notes);
}

function offsetFrag(d: Duration, from: number, to: number, notes: string[]): Frag {
  const sign = durationSign(d);
  if (sign === 'negative') return { k: 'reject', reason: 'that time is in the past (a negative delay)', from, to };
  if (sign === 'zero') return { k: 'reject', reason: 'a delay of zero is not a time in the future', from, to };
  return { k: 'offset', offset: d, from, to, ...(notes.length > 0 ? { notes } : {}) };
}

