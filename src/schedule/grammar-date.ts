import type { DateRef, Duration, Moment } from './draft.js';
import {
  type Ctx,
  type Frag,
  addToDuration,
  isAny,
  parseNumber,
  parseUnit,
  seq,
  skip,
  tok,
  w,
} from './grammar-core.js';
import { parseTimeOfDay, parseTimes } from './grammar-time.js';
import { MONTHS, MONTH_NAMES, ORDINAL_WORDS, type Unit, WEEKDAYS, WEEKDAYS_PLURAL } from './lexicon.js';
import { daysInMonth, isValidDate } from './wall-clock.js';

const TOD_WORDS = ['morning', 'afternoon', 'evening', 'night', 'noon', 'midnight', 'tonight'];
const BOUNDARY_WORDS = [
  'at', 'and', 'or', 'to', 'from', 'until', 'till', 'by', 'in', 'on', 'for', 'starting', 'every',
  'each', 'remind', 'am', 'pm', 'of', 'then', 'please', 'this', 'next', ...TOD_WORDS,
];

/** Whether a date phrase may end before token i (so "the 2nd floor" is not a date). */
function boundary(ctx: Ctx, i: number): boolean {
  const t = tok(ctx, i);
  if (t === undefined || t.kind === 'punct' || t.kind === 'clock' || t.kind === 'num') return true;
  if (t.kind === 'zone') return true;
  return BOUNDARY_WORDS.includes(t.v) || WEEKDAYS[t.v] !== undefined;
}

/** A day of the month written as "15th", "15", "fifteenth". */
function dayNumber(ctx: Ctx, i: number, allowPlain: boolean): { day: number; end: number } | null {
  const t = tok(ctx, i);
  if (t === undefined) return null;
  if (t.kind === 'ord' && t.n !== undefined) return { day: t.n, end: i + 1 };
  if (t.kind === 'num' && allowPlain && t.n !== undefined && /^\d{1,2}$/.test(t.v)) return { day: t.n, end: i + 1 };
  const o = ORDINAL_WORDS[t.v];
  if (o !== undefined) {
    // "twenty first"
    if (t.v === 'twentieth' || t.v === 'thirtieth') return { day: o, end: i + 1 };
    return { day: o, end: i + 1 };
  }
  if ((t.v === 'twenty' || t.v === 'thirty') && ORDINAL_WORDS[w(ctx, i + 1)] !== undefined) {
    const unit = ORDINAL_WORDS[w(ctx, i + 1)] as number;
    if (unit <= 9) return { day: (t.v === 'twenty' ? 20 : 30) + unit, end: i + 2 };
  }
  return null;
}

/** An optional ", 2026" after a month and day. */
function yearAfter(ctx: Ctx, i: number): { year: number; end: number } | null {
  const j = w(ctx, i) === ',' ? i + 1 : i;
  const t = tok(ctx, j);
  if (t?.kind === 'num' && /^\d{4}$/.test(t.v) && !isAny(ctx, j + 1, ['am', 'pm'])) return { year: t.n as number, end: j + 1 };
  return null;
}

function checkDate(month: number, day: number, year: number | undefined, from: number, to: number): Frag | null {
  const name = MONTH_NAMES[month - 1] ?? 'that month';
  if (day < 1 || day > 31) return { k: 'reject', reason: `there is no day ${day} in a month`, from, to };
  if (year !== undefined && !isValidDate({ year, month, day }))
    return { k: 'reject', reason: `${name} ${day}, ${year} does not exist`, from, to };
  if (day > (month === 2 ? 29 : daysInMonth(2024, month)))
    return { k: 'reject', reason: `${name} has no ${ordinal(day)} day`, from, to };
  return null;
}

export function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${s}`;
}

/** "March 3", "Mar 3rd, 2026", "3 March", "the 3rd of March". */
export function parseMonthDay(ctx: Ctx, i: number): Frag | null {
  let j = w(ctx, i) === 'the' ? i + 1 : i;
  const month = MONTHS[w(ctx, j)];
  if (month !== undefined) {
    const k = w(ctx, j + 1) === 'the' ? j + 2 : j + 1;
    const d = dayNumber(ctx, k, true);
    if (d === null || (tok(ctx, k)?.kind === 'num' && isAny(ctx, d.end, ['am', 'pm', ':']))) return null;
    const y = yearAfter(ctx, d.end);
    const end = y?.end ?? d.end;
    return checkDate(month, d.day, y?.year, i, end) ?? {
      k: 'date', date: { type: 'calendar', month, day: d.day, ...(y ? { year: y.year } : {}) }, from: i, to: end,
    };
  }
  const d = dayNumber(ctx, j, true);
  if (d === null) return null;
  j = d.end;
  if (w(ctx, j) === 'of') j++;
  const m = MONTHS[w(ctx, j)];
  if (m === undefined) return null;
  if (tok(ctx, i)?.kind === 'num' && w(ctx, d.end) === 'of') return null;
  const y = yearAfter(ctx, j + 1);
  const end = y?.end ?? j + 1;
  return checkDate(m, d.day, y?.year, i, end) ?? {
    k: 'date', date: { type: 'calendar', month: m, day: d.day, ...(y ? { year: y.year } : {}) }, from: i, to: end,
  };
}

/** Weekday lists: "Monday", "next Friday", "Monday week", "Mondays", "Monday, Wednesday and Friday". */
export function parseWeekdays(ctx: Ctx, i: number): Frag | null {
  let j = i;
  let which: 'this' | 'next' | 'last' | undefined;
  const k = seq(ctx, j, ['this', 'coming']);
  if (k > 0) [which, j] = ['this', k];
  else if (isAny(ctx, j, ['this', 'coming'])) [which, j] = ['this', j + 1];
  else if (w(ctx, j) === 'next') [which, j] = ['next', j + 1];
  else if (isAny(ctx, j, ['last', 'past', 'previous'])) [which, j] = ['last', j + 1];
  const days: number[] = [];
  let plural = false;
  let end = j;
  for (;;) {
    const v = w(ctx, end);
    const d = WEEKDAYS[v] ?? WEEKDAYS_PLURAL[v];
    if (d === undefined) break;
    if (WEEKDAYS_PLURAL[v] !== undefined) plural = true;
    if (!days.includes(d)) days.push(d);
    end++;
    let n = end;
    if (w(ctx, n) === ',') n++;
    if (w(ctx, n) === 'and' || w(ctx, n) === '&') n++;
    const nv = w(ctx, n);
    if (n > end && (WEEKDAYS[nv] !== undefined || WEEKDAYS_PLURAL[nv] !== undefined)) end = n;
    else break;
  }
  const first = days[0];
  if (first === undefined) return null;
  if (days.length > 1 || plural) {
    if (which !== undefined) return { k: 'clarify', question: 'Which days do you mean, and is it every week?', from: i, to: end };
    return { k: 'days', weekdays: days, plural, from: i, to: end };
  }
  const weekAfter = seq(ctx, end, ['week']) > 0 ? end + 1 : seq(ctx, end, ['after', 'next']);
  if (weekAfter > 0 && which !== 'last' && which !== 'next') {
    return { k: 'date', date: { type: 'weekday', weekday: first, which: 'week_after' }, from: i, to: weekAfter };
  }
  // "Friday, March 7" / "Friday the 7th"
  const after = w(ctx, end) === ',' ? end + 1 : end;
  const md = parseMonthDay(ctx, after);
  if (md !== null && md.k === 'date' && md.date.type === 'calendar') {
    return { ...md, date: { ...md.date, weekday: first }, from: i };
  }
  const bare = which === undefined && i === j;
  return { k: 'date', date: { type: 'weekday', weekday: first, which: which ?? 'this' }, from: i, to: end, ...(bare ? { soft: true } : {}) };
}

/** Day words and calendar dates. */
export function parseDate(ctx: Ctx, i: number): Frag | null {
  const on = isAny(ctx, i, ['on', 'for']) ? i + 1 : i;
  const f = parseDateCore(ctx, on);
  if (f === null) return null;
  return { ...f, from: i } as Frag;
}

function parseDateCore(ctx: Ctx, i: number): Frag | null {
  const v = w(ctx, i);
  const rel = (days: number, end: number): Frag => ({ k: 'date', date: { type: 'relative', ...(days ? { days } : {}) }, from: i, to: end });
  if (v === 'today') return rel(0, i + 1);
  if (['tomorrow', 'tmrw', 'tmr', 'tomorow', 'tommorow', 'tommorrow'].includes(v)) return rel(1, i + 1);
  if (v === 'yesterday') return rel(-1, i + 1);
  let j = seq(ctx, w(ctx, i) === 'the' ? i + 1 : i, ['day', 'after|before', 'tomorrow|yesterday']);
  if (j > 0) {
    const after = w(ctx, j - 2) === 'after';
    const base = w(ctx, j - 1) === 'tomorrow' ? 1 : -1;
    return rel(base + (after ? 1 : -1), j);
  }
  if (v === 'tonight') return { k: 'tod', tod: 'night', date: { type: 'relative' }, from: i, to: i + 1 };
  j = seq(ctx, i, ['this', 'morning|afternoon|evening']);
  if (j > 0) return { k: 'tod', tod: w(ctx, i + 1) as 'morning', date: { type: 'relative' }, from: i, to: j };
  j = seq(ctx, i, ['last', 'night']);
  if (j > 0) return { k: 'tod', tod: 'night', date: { type: 'relative', days: -1 }, from: i, to: j };

  // weekend
  j = skip(ctx, i, ['at', 'the']);
  let which: 'this' | 'next' = 'this';
  if (isAny(ctx, j, ['this', 'next', 'coming'])) {
    which = w(ctx, j) === 'next' ? 'next' : 'this';
    j++;
  }
  if (w(ctx, j) === 'weekend') {
    return { k: 'date', date: { type: 'weekend', which }, from: i, to: j + 1, ...(j === i ? { soft: true } : {}) };
  }
  if (v === 'weekends' || v === 'weekdays') {
    return { k: 'days', weekdays: v === 'weekends' ? [0, 6] : [1, 2, 3, 4, 5], plural: true, from: i, to: i + 1 };
  }

  // end of the week / month / year
  j = skip(ctx, i, ['at', 'by', 'the']);
  const eo = seq(ctx, j, ['end', 'of']);
  if (eo > 0) {
    const k = skip(ctx, eo, ['the', 'this']);
    const unit = w(ctx, k);
    if (unit === 'week' || unit === 'month' || unit === 'year') return { k: 'date', date: { type: 'end_of', unit }, from: i, to: k + 1 };
  }
  if (v === 'eom') return { k: 'date', date: { type: 'end_of', unit: 'month' }, from: i, to: i + 1 };

  // next week / last month
  j = seq(ctx, i, ['next|last|past', 'week|month|year']);
  if (j > 0) {
    const unit = w(ctx, i + 1) as 'week' | 'month' | 'year';
    if (v === 'next') return { k: 'date', date: { type: 'start_of_next', unit }, from: i, to: j };
    return { k: 'date', date: { type: 'relative', [`${unit}s`]: -1 }, from: i, to: j };
  }

  const t = tok(ctx, i);
  if (t?.kind === 'isodate' && t.parts !== undefined) {
    const [year = 0, month = 0, day = 0] = t.parts;
    if (!isValidDate({ year, month, day })) return { k: 'reject', reason: `${t.v} is not a real date`, from: i, to: i + 1 };
    return { k: 'date', date: { type: 'calendar', year, month, day }, from: i, to: i + 1 };
  }
  if (t?.kind === 'slashdate' && t.parts !== undefined) return slashDate(ctx, i, t.parts);

  const wd = parseWeekdays(ctx, i);
  if (wd !== null) return wd;
  const md = parseMonthDay(ctx, i);
  if (md !== null) return md;

  // "the 15th"
  j = w(ctx, i) === 'the' ? i + 1 : i;
  const d = dayNumber(ctx, j, false);
  if (d !== null && (j > i || tok(ctx, j)?.kind === 'ord') && boundary(ctx, d.end) && w(ctx, d.end) !== 'of') {
    if (d.day < 1 || d.day > 31) return { k: 'reject', reason: `there is no ${ordinal(d.day)} day in a month`, from: i, to: d.end };
    return { k: 'date', date: { type: 'day_of_month', day: d.day }, from: i, to: d.end };
  }
  return null;
}

function slashDate(ctx: Ctx, i: number, parts: number[]): Frag {
  const [a = 0, b = 0, y] = parts;
  const year = y === undefined ? undefined : y < 100 ? 2000 + y : y;
  const us = { month: a, day: b };
  const gb = { month: b, day: a };
  const ok = (p: { month: number; day: number }): boolean =>
    p.month >= 1 && p.month <= 12 && isValidDate({ year: year ?? 2024, month: p.month, day: p.day });
  let pick: { month: number; day: number } | null = null;
  let note: string | undefined;
  if (ctx.locale === 'en-US') pick = ok(us) ? us : null;
  else if (ctx.locale === 'en-GB') pick = ok(gb) ? gb : null;
  else if (ok(us) && ok(gb) && a !== b) {
    const q = `Is ${tok(ctx, i)?.v ?? ''} ${MONTH_NAMES[us.month - 1]} ${us.day} or ${gb.day} ${MONTH_NAMES[gb.month - 1]}?`;
    return { k: 'clarify', question: q, from: i, to: i + 1 };
  } else if (ok(us)) {
    pick = us;
    if (a !== b) note = `${tok(ctx, i)?.v ?? ''} read as month/day (${MONTH_NAMES[us.month - 1]} ${us.day}).`;
  } else if (ok(gb)) {
    pick = gb;
    note = `${tok(ctx, i)?.v ?? ''} read as day/month (${gb.day} ${MONTH_NAMES[gb.month - 1]}).`;
  }
  if (pick === null) return { k: 'reject', reason: `${tok(ctx, i)?.v ?? 'that'} is not a real date`, from: i, to: i + 1 };
  return {
    k: 'date',
    date: { type: 'calendar', month: pick.month, day: pick.day, ...(year === undefined ? {} : { year }) },
    from: i,
    to: i + 1,
    ...(note === undefined ? {} : { notes: [note] }),
  };
}

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

/** A point in time for "starting ..." / "until ...": a day and/or a time, or an offset. */
export function parseMoment(ctx: Ctx, i: number): { moment: Moment; end: number; notes: string[] } | Frag | null {
  const moment: Moment = {};
  const notes: string[] = [];
  let j = i;
  if (w(ctx, j) === 'now') return { moment: {}, end: j + 1, notes };
  for (let guard = 0; guard < 4; guard++) {
    const k = skip(ctx, j, j > i ? [',', 'at', 'on'] : []);
    const piece =
      (moment.offset === undefined && moment.date === undefined ? parseOffset(ctx, k) : null) ??
      (moment.date === undefined ? parseDate(ctx, k) : null) ??
      (moment.time === undefined ? parseTimes(ctx, k) : null) ??
      (moment.time_of_day === undefined ? parseTimeOfDay(ctx, k) : null);
    if (piece === null) break;
    if (piece.k === 'reject' || piece.k === 'clarify') return piece;
    if (piece.notes !== undefined) notes.push(...piece.notes);
    if (piece.k === 'offset') moment.offset = piece.offset;
    else if (piece.k === 'date') moment.date = piece.date;
    else if (piece.k === 'times' && piece.times.length === 1 && piece.times[0] !== undefined) moment.time = piece.times[0];
    else if (piece.k === 'tod') {
      moment.time_of_day = piece.tod;
      if (piece.date !== undefined) {
        if (moment.date !== undefined) break;
        moment.date = piece.date;
      }
    } else break;
    j = piece.to;
  }
  if (j === i) return null;
  return { moment, end: j, notes };
}
