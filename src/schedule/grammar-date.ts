import type { Moment } from './draft.js';
import { type Ctx, type Frag, isAny, seq, skip, tok, w } from './grammar-core.js';
import { parseOffset } from './grammar-duration.js';
import { parseTimeOfDay, parseTimes } from './grammar-time.js';
import { MONTHS, MONTH_NAMES, ORDINAL_WORDS, WEEKDAYS, WEEKDAYS_PLURAL } from './lexicon.js';
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
  const j = w(ctx, i) === ',' || w(ctx, i) === '-' ? i + 1 : i;
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
    let k = j + 1;
    if (w(ctx, k) === '.' || w(ctx, k) === '-') k++;
    if (w(ctx, k) === 'the') k++;
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
  if (w(ctx, j) === 'of' || w(ctx, j) === '-') j++;
  const m = MONTHS[w(ctx, j)];
  if (m === undefined) return null;
  if (tok(ctx, i)?.kind === 'num' && w(ctx, d.end) === 'of') return null;
  if (w(ctx, j + 1) === '.' || w(ctx, j + 1) === '-') j++;
  const y = yearAfter(ctx, j + 1);
  const end = y?.end ?? j + 1;
  return checkDate(m, d.day, y?.year, i, end) ?? {
    k: 'date', date: { type: 'calendar', month: m, day: d.day, ...(y ? { year: y.year } : {}) }, from: i, to: end,
  };
}

const ABBREVIATED = new Set(['sun', 'mon', 'tue', 'tues', 'wed', 'thu', 'thur', 'thurs', 'fri', 'sat']);
const BEFORE_ABBREVIATION = ['every', 'each', 'on', 'next', 'this', 'last', 'coming', 'until', 'till', 'from', 'starting', 'by', 'and', ','];

function abbreviationContext(ctx: Ctx, i: number, end: number): boolean {
  if (BEFORE_ABBREVIATION.includes(w(ctx, i - 1))) return true;
  const next = tok(ctx, end);
  if (next === undefined) return false;
  return next.kind === 'clock' || next.kind === 'num' || next.kind === 'ord' || ['at', 'am', 'pm', 'noon', 'morning', 'evening', 'night', 'afternoon'].includes(next.v);
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
  // "sun", "sat", "wed" are also ordinary words: as a lone abbreviation they need a scheduling neighbour.
  if (days.length === 1 && !plural && ABBREVIATED.has(w(ctx, j)) && i === j && !abbreviationContext(ctx, i, end)) return null;
  if (days.length > 1 || plural) {
    if (which !== undefined) return { k: 'clarify', question: 'Which days do you mean, and is it every week?', from: i, to: end };
    return { k: 'days', weekdays: days, plural, from: i, to: end };
  }
  const weekAfter = seq(ctx, end, ['week']) > 0 ? end + 1 : seq(ctx, end, ['after', 'next']);
  if (weekAfter > 0 && which !== 'last' && which !== 'next') {
    return { k: 'date', date: { type: 'weekday', weekday: first, which: 'week_after' }, from: i, to: weekAfter };
  }
  // "Friday, March 7" / "Friday the 7th" / "Friday next week"
  const after = w(ctx, end) === ',' ? end + 1 : end;
  const md = parseMonthDay(ctx, after);
  if (md !== null && md.k === 'date' && md.date.type === 'calendar') {
    return { ...md, date: { ...md.date, weekday: first }, from: i };
  }
  const the = w(ctx, after) === 'the' ? after + 1 : after;
  const dom = dayNumber(ctx, the, false);
  if (dom !== null && (the > after || tok(ctx, the)?.kind === 'ord') && boundary(ctx, dom.end) && which === undefined) {
    if (dom.day < 1 || dom.day > 31) return { k: 'reject', reason: `there is no ${ordinal(dom.day)} day in a month`, from: i, to: dom.end };
    return { k: 'date', date: { type: 'day_of_month', day: dom.day, weekday: first }, from: i, to: dom.end };
  }
  const nw = seq(ctx, end, ['next', 'week']);
  if (nw > 0 && which === undefined) return { k: 'date', date: { type: 'weekday', weekday: first, which: 'next_week' }, from: i, to: nw };
  const bare = which === undefined && i === j;
  return { k: 'date', date: { type: 'weekday', weekday: first, which: which ?? 'this' }, from: i, to: end, ...(bare ? { soft: true } : {}) };
}

/** Fixed-date holidays (movable ones like Easter or Thanksgiving are left to a question). */
const HOLIDAYS: [string[], number, number][] = [
  [['christmas|xmas', 'eve'], 12, 24],
  [['christmas|xmas', 'day'], 12, 25],
  [['christmas|xmas'], 12, 25],
  [['boxing', 'day'], 12, 26],
  [["new", "year's|years|year", 'eve'], 12, 31],
  [["new", "year's|years|year", 'day'], 1, 1],
  [["new", "year's|years"], 1, 1],
  [['halloween'], 10, 31],
  [["valentine's|valentines", 'day'], 2, 14],
];

function parseHoliday(ctx: Ctx, i: number): Frag | null {
  for (const [words, month, day] of HOLIDAYS) {
    const j = seq(ctx, i, words);
    if (j > 0) return { k: 'date', date: { type: 'calendar', month, day }, from: i, to: j };
  }
  return null;
}

/** Day words and calendar dates. */
export function parseDate(ctx: Ctx, i: number): Frag | null {
  const on = isAny(ctx, i, ['on', 'for']) ? i + 1 : i;
  const f = parseDateCore(ctx, on);
  if (f === null) return null;
  if (on > i && f.soft === true) {
    const { soft: _soft, ...rest } = f;
    return { ...rest, from: i };
  }
  return { ...f, from: i };
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
  const holiday = parseHoliday(ctx, i);
  if (holiday !== null) return holiday;

  // next week / last month
  j = seq(ctx, i, ['next|last|past', 'week|month|year']);
  if (j > 0) {
    const unit = w(ctx, i + 1) as 'week' | 'month' | 'year';
    if (v === 'next' && unit === 'week') {
      const on = w(ctx, j) === 'on' ? j + 1 : j;
      const wd = WEEKDAYS[w(ctx, on)];
      if (wd !== undefined) return { k: 'date', date: { type: 'weekday', weekday: wd, which: 'next_week' }, from: i, to: on + 1 };
    }
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
