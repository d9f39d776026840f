import { place } from './compile-once.js';
import {
  Clarify,
  type CompileCtx,
  Reject,
  addCalendar,
  ampmNote,
  pickClock,
  resolveDateRef,
  todDefault,
  todNote,
} from './compile-time.js';
import type { Moment, RecurrenceDraft, ScheduleDraft, TimeRef } from './draft.js';
import { formatDay, formatWhen, weekdayWords } from './format.js';
import { MONTH_NAMES, WEEKDAY_NAMES } from './lexicon.js';
import type { CalendarSpec, IntervalSpec, ScheduleSpec } from './spec.js';
import {
  type CivilDate,
  type ClockTime,
  addDays,
  daysInMonth,
  formatCivilDate,
  formatClock,
  formatInstant,
  isValidDate,
  weekdayOf,
  zonedFields,
} from './wall-clock.js';

type Piece =
  | { kind: 'cron'; patterns: string[] }
  | Omit<IntervalSpec, 'timezone'>
  | Omit<CalendarSpec, 'timezone'>;

const today = (c: CompileCtx): CivilDate => ({ year: c.today.year, month: c.today.month, day: c.today.day });
const hhmm = (t: ClockTime): string => `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;

/** The local times of a recurrence, with the am/pm and default-time policy. */
function timesOf(r: RecurrenceDraft, c: CompileCtx): ClockTime[] {
  if (r.times !== undefined && r.times.length > 0) {
    const out: ClockTime[] = [];
    for (const t of r.times) {
      if (t.midnight === true) {
        c.notes.push('"midnight" read as 00:00 at the start of each day.');
        out.push({ hour: 0, minute: 0, second: 0 });
        continue;
      }
      const p = pickClock(t, r.time_of_day);
      if (p.guessed) c.notes.push(ampmNote(t, p.time));
      out.push(p.time);
    }
    return [...new Map(out.map((t) => [formatClock(t), t])).values()].sort((a, b) => a.hour * 3600 + a.minute * 60 + a.second - (b.hour * 3600 + b.minute * 60 + b.second));
  }
  if (r.time_of_day !== undefined) {
    c.notes.push(todNote(r.time_of_day));
    return [todDefault(r.time_of_day)];
  }
  c.notes.push('No time given: using 09:00.');
  return [{ hour: 9, minute: 0, second: 0 }];
}

/** "1-5" for runs of three or more consecutive weekdays, else a list. */
function dowField(days: number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++;
    parts.push(j - i >= 2 ? `${sorted[i]}-${sorted[j]}` : sorted.slice(i, j + 1).join(','));
    i = j + 1;
  }
  return parts.join(',');
}

function cronPatterns(times: ClockTime[], dates: { dom: string; mon: string; dow: string }[]): string[] {
  const out: string[] = [];
  for (const d of dates)
    for (const t of times) {
      const core = `${t.minute} ${t.hour} ${d.dom} ${d.mon} ${d.dow}`;
      out.push(t.second === 0 ? core : `${t.second} ${core}`);
    }
  return out;
}

/** The day-of-month / month / weekday fields of a monthly or yearly recurrence. */
function monthlyFields(r: RecurrenceDraft, c: CompileCtx, months: string): { dom: string; mon: string; dow: string }[] {
  const out: { dom: string; mon: string; dow: string }[] = [];
  const days = r.month_days ?? [];
  for (const d of days) if (d !== -1 && (d < 1 || d > 31)) throw new Reject('invalid_schedule', `There is no day ${d} in a month.`);
  if (days.length > 0) {
    out.push({ dom: days.map((d) => (d === -1 ? 'L' : String(d))).join(','), mon: months, dow: '*' });
    const big = Math.max(...days);
    if (big > 28 && months === '*')
      c.notes.push(`Months without a ${ordinalWord(big)} day are skipped; say "the last day of the month" to run at each month's end.`);
  }
  if (r.month_day_rule !== undefined) out.push({ dom: r.month_day_rule === 'first_weekday' ? '1W' : 'LW', mon: months, dow: '*' });
  if (r.nth_weekdays !== undefined && r.nth_weekdays.length > 0) {
    const parts = r.nth_weekdays.map((n) => {
      if (n.nth === 0 || n.nth < -1 || n.nth > 5) throw new Reject('invalid_schedule', 'A month has at most five of each weekday.');
      if (n.nth === 5) c.notes.push(`Only months with a fifth ${WEEKDAY_NAMES[n.weekday]} have a run.`);
      return n.nth === -1 ? `${n.weekday}L` : `${n.weekday}#${n.nth}`;
    });
    out.push({ dom: '*', mon: months, dow: parts.join(',') });
  }
  return out;
}

function firstOnOrAfter(days: number[], times: ClockTime[], fromMs: number, c: CompileCtx): CivilDate {
  const d0 = today(c);
  for (let i = 0; i < 14; i++) {
    const d = addDays(d0, i);
    if (!days.includes(weekdayOf(d))) continue;
    if (times.some((t) => place(d, t, false, { ...c, notes: [] }) > fromMs)) return d;
  }
  return d0;
}

function piece(r: RecurrenceDraft, c: CompileCtx, startMs: number | undefined): Piece {
  const n = r.interval;
  if (!Number.isFinite(n) || n <= 0) throw new Reject('invalid_schedule', n === 0 ? 'An interval of zero never repeats.' : 'An interval cannot be negative.');
  const weekdays = r.weekdays !== undefined && r.weekdays.length > 0 ? r.weekdays : undefined;
  if (r.every === 'second' || r.every === 'minute' || r.every === 'hour') {
    const seconds = Math.round(n * (r.every === 'second' ? 1 : r.every === 'minute' ? 60 : 3600));
    if (seconds < 1) throw new Reject('invalid_schedule', 'The interval must be at least one second.');
    if (seconds > 366 * 86_400) throw new Reject('invalid_schedule', 'That interval is too long; use days or weeks.');
    if (r.window !== undefined) {
      const from = pickClock(r.window.from);
      const to = closeOf(r.window.to, from.time);
      if (from.guessed || r.window.to.am_pm_unsure === true)
        c.notes.push(`The window read as ${hhmm(from.time)} to ${hhmm(to)}.`);
      return { kind: 'interval', every_seconds: seconds, anchor: formatInstant(c.nowMs, c.zone), window: { from: hhmm(from.time), to: hhmm(to), ...(weekdays ? { weekdays } : {}) } };
    }
    const anchorTime = r.times?.[0];
    if (r.times !== undefined && r.times.length > 1) throw new Clarify('Which time should the repetition start from?');
    const dow = weekdays ? dowField(weekdays) : '*';
    const aligned = r.every === 'minute' ? Number.isInteger(n) && 60 % n === 0 && n < 60 : r.every === 'hour' && n === 1;
    if (aligned && anchorTime === undefined) {
      if (r.every === 'hour') {
        c.notes.push('Runs on the hour.');
        return { kind: 'cron', patterns: [`0 * * * ${dow}`] };
      }
      if (n > 1) {
        const marks = Array.from({ length: Math.min(4, 60 / n) }, (_, k) => `:${String(k * n).padStart(2, '0')}`);
        c.notes.push(`Runs on the clock: ${marks.join(', ')}${60 / n > 4 ? ' and so on' : ''}.`);
      }
      return { kind: 'cron', patterns: [n === 1 ? `* * * * ${dow}` : `*/${n} * * * ${dow}`] };
    }
    if (weekdays) {
      if (anchorTime !== undefined || startMs !== undefined) throw new Clarify(`Every ${plural(n, r.every)} on ${weekdayWords(weekdays)}s from when? Try "every 2 hours from 9am to 5pm on weekdays".`);
      c.notes.push(`Restarts at 00:00 on each ${weekdayWords(weekdays)}.`);
      return { kind: 'interval', every_seconds: seconds, anchor: formatInstant(c.nowMs, c.zone), window: { from: '00:00', to: '23:59', weekdays } };
    }
    let anchor: number;
    if (anchorTime !== undefined) anchor = nextAt(anchorTime, r, c);
    else if (startMs !== undefined) anchor = startMs;
    else {
      anchor = c.nowMs + seconds * 1000;
      c.notes.push(`Counted from now: first at ${formatClock(zonedClock(anchor, c))}, then every ${plural(n, r.every)}.`);
    }
    return { kind: 'interval', every_seconds: seconds, anchor: formatInstant(anchor, c.zone) };
  }
  if (r.window !== undefined) throw new Clarify('How often within that time window (for example "every 30 minutes")?');
  const times = timesOf(r, c);
  if (!Number.isInteger(n)) throw new Clarify(`Please give a whole number of ${r.every}s.`);
  if (r.every === 'day' || r.every === 'week') {
    let days = weekdays;
    if (r.every === 'week' && days === undefined) {
      days = [c.today.weekday];
      c.notes.push(`No day given: every ${n > 1 ? `${n} weeks on ` : ''}${WEEKDAY_NAMES[c.today.weekday]} (today's weekday).`);
    }
    if (n === 1) return { kind: 'cron', patterns: cronPatterns(times, [{ dom: '*', mon: '*', dow: days ? dowField(days) : '*' }]) };
    if (r.every === 'day') {
      if (days !== undefined) throw new Clarify(`Every ${n} days, or on ${weekdayWords(days)}s?`);
      const anchor = startMs !== undefined ? civilOf(startMs, c) : today(c);
      c.notes.push(`Every ${n} days counting from ${formatDay(anchor)}.`);
      return { kind: 'calendar', unit: 'day', interval: n, times: times.map(hhmm), anchor_date: formatCivilDate(anchor) };
    }
    const explicitDays = weekdays !== undefined;
    const anchor = explicitDays ? firstOnOrAfter(days as number[], times, startMs ?? c.nowMs, c) : startMs !== undefined ? civilOf(startMs, c) : today(c);
    c.notes.push(`Every ${n} weeks, counting from the week of ${formatDay(anchor)}; say a start date if you meant another week.`);
    return { kind: 'calendar', unit: 'week', interval: n, weekdays: days as number[], times: times.map(hhmm), anchor_date: formatCivilDate(anchor) };
  }
  if (weekdays) throw new Clarify('Do you mean certain weekdays, or certain days of the month?');
  if (r.every === 'month') {
    let rec = r;
    if (!r.month_days?.length && !r.nth_weekdays?.length && r.month_day_rule === undefined) {
      rec = { ...r, month_days: [c.today.day] };
      c.notes.push(`No day given: on the ${ordinalWord(c.today.day)} of each month (today's date).`);
    }
    if (n === 1) return { kind: 'cron', patterns: cronPatterns(times, monthlyFields(rec, c, '*')) };
    const md = rec.month_days ?? [];
    if (md.length !== 1 || rec.nth_weekdays?.length || rec.month_day_rule !== undefined)
      throw new Clarify(`Every ${n} months works with one day of the month (like "on the 1st"). Which day?`);
    const day = md[0] as number;
    const t = today(c);
    const last = day === -1 ? daysInMonth(t.year, t.month) : day;
    const startMonth = last >= t.day ? t : addCalendar({ ...t, day: 1 }, { months: 1 }, c);
    const anchorDay = day === -1 ? daysInMonth(startMonth.year, startMonth.month) : Math.min(day, daysInMonth(startMonth.year, startMonth.month));
    const anchor = { year: startMonth.year, month: startMonth.month, day: anchorDay };
    c.notes.push(`Every ${n} months counting from ${formatDay(anchor)}.`);
    return { kind: 'calendar', unit: 'month', interval: n, month_day: day, times: times.map(hhmm), anchor_date: formatCivilDate(anchor) };
  }
  // yearly
  if (n !== 1) throw new Clarify(`Every ${n} years is not supported yet; could you set a yearly reminder instead?`);
  let months = r.months ?? [];
  let rec = r;
  if (months.length === 0) {
    if (r.month_days?.length || r.nth_weekdays?.length) throw new Clarify('In which month?');
    months = [c.today.month];
    rec = { ...r, month_days: [c.today.day] };
    c.notes.push(`No date given: every ${c.today.day} ${MONTH_NAMES[c.today.month - 1]} (today's date).`);
  }
  for (const m of months)
    for (const d of rec.month_days ?? []) {
      if (d === -1) continue;
      if (!isValidDate({ year: 2024, month: m, day: d })) throw new Reject('invalid_schedule', `${MONTH_NAMES[m - 1]} never has a ${ordinalWord(d)} day.`);
      if (m === 2 && d === 29) {
        let y = c.today.year;
        while (!isValidDate({ year: y, month: 2, day: 29 }) || (y === c.today.year && c.today.month > 2)) y++;
        c.notes.push(`February 29 only exists in leap years: the next one is in ${y}.`);
      }
    }
  return { kind: 'cron', patterns: cronPatterns(times, monthlyFields(rec, c, [...new Set(months)].sort((a, b) => a - b).join(','))) };
}

function closeOf(t: TimeRef, from: ClockTime): ClockTime {
  const minute = t.minute ?? 0;
  if (t.am_pm_unsure !== true) return { hour: t.hour, minute, second: 0 };
  const fromMin = from.hour * 60 + from.minute;
  const am = (t.hour % 12) * 60 + minute;
  const pm = am + 12 * 60;
  const pick = am > fromMin ? am : pm > fromMin ? pm : am;
  return { hour: Math.floor(pick / 60), minute: pick % 60, second: 0 };
}

function zonedClock(ms: number, c: CompileCtx): ClockTime {
  const f = zonedFields(c.zone, ms);
  return { hour: f.hour, minute: f.minute, second: f.second };
}

function civilOf(ms: number, c: CompileCtx): CivilDate {
  const f = zonedFields(c.zone, ms);
  return { year: f.year, month: f.month, day: f.day };
}

function nextAt(t: TimeRef, r: RecurrenceDraft, c: CompileCtx): number {
  const p = pickClock(t, r.time_of_day);
  if (p.guessed) c.notes.push(ampmNote(t, p.time));
  const at = place(today(c), p.time, false, c);
  return at > c.nowMs ? at : place(addDays(today(c), 1), p.time, false, c);
}

function plural(n: number, unit: string): string {
  return n === 1 ? unit : `${n} ${unit}s`;
}

function ordinalWord(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${s}`;
}

/** Start / until / count of a recurring draft, as instants. */
export function boundsOf(d: ScheduleDraft, c: CompileCtx): { start?: number; until?: number; count?: number } {
  const out: { start?: number; until?: number; count?: number } = {};
  if (d.start !== undefined) out.start = momentAt(d.start, c, 'start');
  if (d.until !== undefined) out.until = momentAt(d.until, c, 'until');
  if (d.for !== undefined) {
    const f = d.for;
    const exact = ((f.hours ?? 0) * 3600 + (f.minutes ?? 0) * 60 + (f.seconds ?? 0)) * 1000;
    const from = out.start ?? c.nowMs;
    const date = addCalendar(civilOf(from, c), f, c);
    const clock = zonedClock(from, c);
    out.until = place(date, clock, false, c) + exact;
    c.notes.push(`Ends ${formatWhen(out.until, c.zone)}.`);
  }
  if (d.count !== undefined) {
    if (!Number.isInteger(d.count) || d.count < 1) throw new Reject('invalid_schedule', 'The number of times must be at least 1.');
    out.count = d.count;
  }
  if (out.until !== undefined && out.until <= (out.start ?? c.nowMs)) {
    const what = out.start !== undefined ? `the start (${formatWhen(out.start, c.zone)})` : 'now';
    throw new Reject('invalid_schedule', `The end (${formatWhen(out.until, c.zone)}) is before ${what}.`);
  }
  return out;
}

function momentAt(m: Moment, c: CompileCtx, role: 'start' | 'until'): number {
  if (m.offset !== undefined) {
    const o = m.offset;
    const exact = ((o.hours ?? 0) * 3600 + (o.minutes ?? 0) * 60 + (o.seconds ?? 0)) * 1000;
    const date = addCalendar(today(c), o, c);
    return place(date, zonedClock(c.nowMs, c), false, c) + exact;
  }
  if (m.date === undefined && m.time === undefined && m.time_of_day === undefined) return c.nowMs;
  let time: ClockTime | null = null;
  if (m.time !== undefined) {
    const p = pickClock(m.time, m.time_of_day);
    if (p.guessed) c.notes.push(ampmNote(m.time, p.time));
    time = m.time.midnight === true ? { hour: 0, minute: 0, second: 0 } : p.time;
  } else if (m.time_of_day !== undefined) time = todDefault(m.time_of_day);
  if (m.date === undefined) {
    const t = time as ClockTime;
    const at = place(today(c), t, false, c);
    return at > c.nowMs || role === 'start' && at > c.nowMs - 60_000 ? at : place(addDays(today(c), 1), t, false, c);
  }
  const choice = resolveDateRef(m.date, c);
  let date = choice.date;
  if (time === null) {
    // A day alone: from its start, or (for "until") through its end.
    if (role === 'until') {
      if (choice.roll !== undefined && place(addDays(date, 1), { hour: 0, minute: 0, second: 0 }, false, c) <= c.nowMs) date = choice.roll(date);
      c.notes.push(`"until ${formatDay(date)}" includes that whole day.`);
      return place(addDays(date, 1), { hour: 0, minute: 0, second: 0 }, false, c);
    }
    return place(date, { hour: 0, minute: 0, second: 0 }, false, c);
  }
  if (m.time?.midnight === true) date = addDays(date, 1);
  return place(date, time, false, c);
}

/** Builds the spec for the recurrences of a draft (several only when they are all cron). */
export function compileRecurring(d: ScheduleDraft, c: CompileCtx): ScheduleSpec {
  const recs = d.recurrences ?? [];
  const bounds = boundsOf(d, c);
  const pieces = recs.map((r) => piece(r, c, bounds.start));
  const b = {
    ...(bounds.start !== undefined ? { start: formatInstant(bounds.start, c.zone) } : {}),
    ...(bounds.until !== undefined ? { until: formatInstant(bounds.until, c.zone) } : {}),
    ...(bounds.count !== undefined ? { count: bounds.count } : {}),
  };
  const first = pieces[0];
  if (first === undefined) throw new Clarify('How often should it repeat?');
  if (pieces.length === 1) {
    if (first.kind === 'cron') return { kind: 'cron', patterns: first.patterns, timezone: c.zone, ...b };
    return { ...first, timezone: c.zone, ...b };
  }
  if (!pieces.every((p) => p.kind === 'cron'))
    throw new Clarify('Those parts repeat on different rhythms; please set them up as separate schedules.');
  const patterns = [...new Set(pieces.flatMap((p) => (p.kind === 'cron' ? p.patterns : [])))];
  return { kind: 'cron', patterns, timezone: c.zone, ...b };
}
