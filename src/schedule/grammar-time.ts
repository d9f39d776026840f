import type { TimeRef } from './draft.js';
import { type Ctx, type Frag, isAny, parseNumber, seq, skip, tok, w } from './grammar-core.js';
import { NUMBER_WORDS, type TimeOfDay } from './lexicon.js';

/** A parsed time, or a time-looking thing that cannot exist ("25:00"). */
export type TimeHit = { time: TimeRef; end: number } | { reject: string; end: number };

const MERIDIEM = ['am', 'pm'];
const OCLOCK = ["o'clock", 'oclock'];

/** Applies an explicit am/pm to an hour as said; null when the pair is impossible ("13 pm"). */
function withMeridiem(hour: number, minute: number, second: number, m: string): TimeRef | null {
  if (hour < 1 || hour > 12) return hour === 0 && m === 'am' ? { hour: 0, minute, second } : null;
  const h = m === 'am' ? hour % 12 : (hour % 12) + 12;
  return { hour: h, minute, second };
}

/** A time as said, before am/pm suffixes: [hour, minute, second, certain24h, end]. */
function baseTime(ctx: Ctx, i: number, allowBare: boolean): [number, number, number, boolean, number] | null {
  const t = tok(ctx, i);
  if (t === undefined) return null;
  if (t.kind === 'clock' && t.parts !== undefined) {
    const [h = 0, m = 0, s = 0] = t.parts;
    return [h, m, s, t.h24 === true, i + 1];
  }
  if (t.kind === 'num' && t.n !== undefined && !t.v.startsWith('-') && !t.v.startsWith('+')) {
    const dec = /^(\d{1,2})\.(\d{2})$/.exec(t.v);
    const next = w(ctx, i + 1);
    const suffixed = MERIDIEM.includes(next) || OCLOCK.includes(next);
    if (dec !== null && (suffixed || allowBare)) return [Number(dec[1]), Number(dec[2]), 0, false, i + 1];
    if (!Number.isInteger(t.n)) return null;
    if (/^\d{4}$/.test(t.v) && allowBare) {
      // "at 1700" (24-hour, no colon)
      return [Math.floor(t.n / 100), t.n % 100, 0, true, i + 1];
    }
    if (suffixed || allowBare) return [t.n, 0, 0, t.n > 12 || t.n === 0 || t.v.startsWith('0'), i + 1];
    return null;
  }
  if (t.kind === 'word' && allowBare) {
    const h = NUMBER_WORDS[t.v];
    if (h === undefined || h < 1 || h > 12) return null;
    const mins = parseNumber(ctx, i + 1, false);
    if (mins !== null && mins.n >= 1 && mins.n <= 59 && !/^\d/.test(w(ctx, i + 1))) return [h, mins.n, 0, false, mins.end];
    return [h, 0, 0, false, i + 1];
  }
  return null;
}

/** "half past 9", "quarter to 5", "10 past 3". */
function pastTo(ctx: Ctx, i: number): [number, number, number] | null {
  let minutes: number;
  let j: number;
  if (w(ctx, i) === 'half') [minutes, j] = [30, i + 1];
  else if (w(ctx, i) === 'quarter' || (w(ctx, i) === 'a' && w(ctx, i + 1) === 'quarter'))
    [minutes, j] = [15, w(ctx, i) === 'a' ? i + 2 : i + 1];
  else {
    const n = parseNumber(ctx, i, false);
    if (n === null || n.n < 1 || n.n > 59) return null;
    [minutes, j] = [n.n, skip(ctx, n.end, ['minutes', 'mins', 'min'])];
    // "9 to 5" is a range, not 4:51: a bare number needs "minutes" before "to".
    if (j === n.end && (w(ctx, j) === 'to' || w(ctx, j) === 'before')) return null;
  }
  const dir = w(ctx, j);
  if (dir !== 'past' && dir !== 'after' && dir !== 'to' && dir !== 'before') return null;
  const h = baseTime(ctx, j + 1, true);
  if (h === null || h[1] !== 0 || h[0] > 12) return null;
  if (dir === 'past' || dir === 'after') return [h[0], minutes, h[4]];
  if (minutes === 30) return null;
  return [h[0] === 1 ? 12 : h[0] - 1, 60 - minutes, h[4]];
}

/**
 * One time of day. `allowBare` lets a plain number be a time ("at 8"); without it a number needs
 * am/pm or o'clock, or a colon ("9:30").
 */
export function parseTime(ctx: Ctx, i: number, allowBare: boolean): TimeHit | null {
  const word = w(ctx, i);
  if (word === 'noon' || word === 'midday') return { time: { hour: 12, minute: 0 }, end: i + 1 };
  if (word === 'midnight') return { time: { hour: 0, minute: 0, midnight: true }, end: i + 1 };
  const pt = pastTo(ctx, i);
  let hour: number;
  let minute: number;
  let second = 0;
  let certain = false;
  let end: number;
  if (pt !== null) {
    [hour, minute, end] = pt;
  } else {
    const b = baseTime(ctx, i, allowBare);
    if (b === null) return null;
    [hour, minute, second, certain, end] = b;
    if (hour === 12 && (w(ctx, end) === 'noon' || w(ctx, end) === 'midday') && minute === 0)
      return { time: { hour: 12, minute: 0 }, end: end + 1 };
    if (hour === 12 && w(ctx, end) === 'midnight' && minute === 0)
      return { time: { hour: 0, minute: 0, midnight: true }, end: end + 1 };
  }
  if (minute > 59 || second > 59 || hour > 24 || (hour === 24 && (minute > 0 || second > 0)))
    return { reject: `${hourText(hour, minute)} is not a time of day`, end };
  if (hour === 24) return { time: { hour: 0, minute: 0, midnight: true }, end };
  const m = w(ctx, end);
  if (MERIDIEM.includes(m)) {
    const t = withMeridiem(hour, minute, second, m);
    if (t === null) return { reject: `${hourText(hour, minute)} ${m} is not a time of day`, end: end + 1 };
    return { time: t, end: end + 1 };
  }
  if (OCLOCK.includes(m)) end++;
  if (hour > 23) return { reject: `${hourText(hour, minute)} is not a time of day`, end };
  const ctxWord = contextMeridiem(ctx, end);
  const time: TimeRef = { hour, minute, ...(second > 0 ? { second } : {}) };
  if (certain || hour === 0 || hour > 12) return { time, end };
  if (ctxWord !== null) {
    const t = withMeridiem(hour, minute, second, ctxWord.m);
    if (t !== null) return { time: ctxWord.m === 'pm' && hour === 12 && ctxWord.night ? { hour: 0, minute, midnight: true } : t, end: ctxWord.end };
  }
  return { time: { ...time, am_pm_unsure: true }, end };
}

function hourText(h: number, m: number): string {
  return `${h}:${String(m).padStart(2, '0')}`;
}

/** "in the morning" → am; "in the afternoon/evening", "at night" → pm. */
function contextMeridiem(ctx: Ctx, i: number): { m: string; end: number; night: boolean } | null {
  let j = seq(ctx, i, ['in', 'the', 'morning']);
  if (j > 0) return { m: 'am', end: j, night: false };
  j = seq(ctx, i, ['in', 'the', 'afternoon|evening']);
  if (j > 0) return { m: 'pm', end: j, night: false };
  j = seq(ctx, i, ['at', 'night']);
  if (j > 0) return { m: 'pm', end: j, night: true };
  return null;
}

/** "at 9", "at 9am and 5pm", "9:30", "noon", "at 9, 12 and 5". */
export function parseTimes(ctx: Ctx, i: number): Frag | null {
  let j = i;
  let lead = false;
  if (isAny(ctx, j, ['at', '@', 'around', 'about', 'approximately'])) {
    j++;
    lead = true;
  }
  const first = parseTime(ctx, j, lead);
  if (first === null) return null;
  if ('reject' in first) return { k: 'reject', reason: first.reject, from: i, to: first.end };
  const times = [first.time];
  j = first.end;
  for (;;) {
    let k = j;
    if (w(ctx, k) === ',') k++;
    if (w(ctx, k) === 'and' || w(ctx, k) === 'or') k++;
    if (k === j) break;
    if (w(ctx, k) === 'at') k++;
    const next = parseTime(ctx, k, lead);
    if (next === null || 'reject' in next) break;
    // "at 9 and 5 times" is a count, not a time.
    if (isAny(ctx, next.end, ['times', 'minutes', 'hours', 'days', 'weeks'])) break;
    times.push(next.time);
    j = next.end;
  }
  return { k: 'times', times, from: i, to: j };
}

/** "from 9 to 5", "between 9am and 6pm", "9am-5pm", "from 10pm to 2am". */
export function parseWindow(ctx: Ctx, i: number): Frag | null {
  let j = i;
  const lead = isAny(ctx, j, ['from', 'between']);
  if (lead) j++;
  const a = parseTime(ctx, j, true);
  if (a === null || 'reject' in a) return null;
  const sep = w(ctx, a.end);
  const seps = lead ? ['to', 'until', 'till', 'and', '-', 'through', 'thru'] : ['-'];
  if (!seps.includes(sep)) return null;
  if (!lead && tok(ctx, j)?.kind === 'num' && tok(ctx, a.end + 1)?.kind === 'num' && a.end !== j + 1) return null;
  const b = parseTime(ctx, a.end + 1, true);
  if (b === null || 'reject' in b) return null;
  if (isAny(ctx, b.end, ['times', 'minutes', 'hours', 'days', 'weeks', 'mins', 'hrs'])) return null;
  return { k: 'window', open: a.time, close: b.time, from: i, to: b.end };
}

/** Time-of-day words without a clock time: "morning", "in the evening", "at night", "EOD". */
export function parseTimeOfDay(ctx: Ctx, i: number): Frag | null {
  const table: [string[], TimeOfDay][] = [
    [['in', 'the', 'morning'], 'morning'],
    [['in', 'the', 'afternoon'], 'afternoon'],
    [['in', 'the', 'evening'], 'evening'],
    [['at', 'night'], 'night'],
    [['end', 'of', 'the', 'day'], 'end_of_day'],
    [['end', 'of', 'day'], 'end_of_day'],
    [['close', 'of', 'business'], 'end_of_day'],
    [['eod'], 'end_of_day'],
    [['cob'], 'end_of_day'],
    [['morning'], 'morning'],
    [['afternoon'], 'afternoon'],
    [['evening'], 'evening'],
    [['night'], 'night'],
  ];
  let j0 = i;
  if (isAny(ctx, i, ['at', 'by']) && w(ctx, i + 1) === 'the' && w(ctx, i + 2) === 'end') j0 = i + 2;
  else if (w(ctx, i) === 'the' && w(ctx, i + 1) === 'end') j0 = i + 1;
  for (const [words, tod] of table) {
    const j = seq(ctx, words[0] === 'end' ? j0 : i, words);
    if (j > 0) {
      const soft = words.length === 1 && tod !== 'end_of_day';
      return { k: 'tod', tod, from: i, to: j, ...(soft ? { soft: true } : {}) };
    }
  }
  const lunch = seq(ctx, i, ['lunchtime|lunch']);
  if (lunch > 0 && (w(ctx, i) === 'lunchtime' || w(ctx, i - 1) === 'at')) {
    return { k: 'times', times: [{ hour: 12, minute: 0 }], from: i, to: lunch, notes: ['"lunchtime" read as 12:00.'] };
  }
  return null;
}
