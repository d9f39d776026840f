import type { DateRef, Duration, TimeRef } from './draft.js';
import { formatDay } from './format.js';
import { MONTH_NAMES, TIME_OF_DAY_DEFAULT, type TimeOfDay, WEEKDAY_NAMES } from './lexicon.js';
import {
  type CivilDate,
  type ClockTime,
  type ZonedFields,
  addDays,
  addMonths,
  dayNumber,
  daysInMonth,
  formatClock,
  fromDayNumber,
  isValidDate,
  weekdayOf,
} from './wall-clock.js';

/** Shared by the once/recurring compilers: the zone, now, and the list of guesses made. */
export interface CompileCtx {
  zone: string;
  nowMs: number;
  today: ZonedFields;
  notes: string[];
}

/** Thrown inside the compiler when the person has to choose; becomes a needs_clarification result. */
export class Clarify extends Error {
  constructor(readonly question: string) {
    super(question);
    this.name = 'Clarify';
  }
}

/** Thrown inside the compiler for an impossible or past schedule; becomes a failed result. */
export class Reject extends Error {
  constructor(
    readonly code: 'invalid_schedule' | 'past_time',
    message: string,
  ) {
    super(message);
    this.name = 'Reject';
  }
}

function clock(hour: number, minute = 0, second = 0): ClockTime {
  return { hour, minute, second };
}

function said(t: TimeRef): string {
  return t.minute ? `${t.hour}:${String(t.minute).padStart(2, '0')}` : String(t.hour);
}

/**
 * The hour of a time, applying the am/pm policy: context words decide ("in the evening"), else a
 * daytime reading (7-11 → am, 12 → noon, 1-6 → pm). Returns whether it was a guess.
 */
export function pickClock(t: TimeRef, tod?: TimeOfDay): { time: ClockTime; guessed: boolean; alternative?: ClockTime } {
  const minute = t.minute ?? 0;
  const second = t.second ?? 0;
  if (t.am_pm_unsure !== true || t.hour < 1 || t.hour > 12) return { time: clock(t.hour, minute, second), guessed: false };
  const am = clock(t.hour % 12, minute, second);
  const pm = clock((t.hour % 12) + 12, minute, second);
  if (tod === 'morning') return { time: am, guessed: false };
  if (tod === 'afternoon' || tod === 'evening' || tod === 'night' || tod === 'end_of_day') {
    if (t.hour === 12 && tod === 'night') return { time: clock(0, minute, second), guessed: false };
    return { time: pm, guessed: false };
  }
  const pmGuess = t.hour === 12 || t.hour <= 6;
  return pmGuess ? { time: pm, guessed: true, alternative: am } : { time: am, guessed: true, alternative: pm };
}

/** The note for an am/pm guess. */
export function ampmNote(t: TimeRef, picked: ClockTime): string {
  const isPm = picked.hour >= 12;
  if (t.hour === 12) return `"12" read as 12:00 noon; say "midnight" if you meant 00:00.`;
  return `"${said(t)}" read as ${formatClock(picked)} (${isPm ? 'pm' : 'am'}); say "${said(t)}${isPm ? 'am' : 'pm'}" if you meant ${isPm ? 'the morning' : 'the evening'}.`;
}

export function todDefault(tod: TimeOfDay): ClockTime {
  const d = TIME_OF_DAY_DEFAULT[tod];
  return clock(d.hour, d.minute);
}

export function todNote(tod: TimeOfDay, word?: string): string {
  const t = formatClock(todDefault(tod));
  const w = word ?? (tod === 'end_of_day' ? 'end of day' : tod);
  return `"${w}" read as ${t}.`;
}

/** Calendar offset on the wall clock: years, months (clamped), weeks, days. */
export function addCalendar(d: CivilDate, o: Duration, c: CompileCtx): CivilDate {
  let date = d;
  const months = (o.years ?? 0) * 12 + (o.months ?? 0);
  if (months !== 0) {
    const r = addMonths(date, months);
    if (r.clamped) c.notes.push(`${MONTH_NAMES[r.date.month - 1]} has no day ${d.day}: using ${formatDay(r.date)}.`);
    date = r.date;
  }
  return addDays(date, (o.weeks ?? 0) * 7 + (o.days ?? 0));
}

/** Monday (day number) of the week containing `dn`. */
export function mondayOf(dn: number): number {
  return dn - ((((dn + 4) % 7) + 7 + 6) % 7);
}

export interface DateChoice {
  date: CivilDate;
  /** Default time when none was said (09:00, or 10:00 for a weekend, 17:00 for an end of period). */
  defaultTime: ClockTime;
  /** The next candidate when the time on `date` has already passed (a weekday, a yearless date, ...). */
  roll?: (date: CivilDate) => CivilDate;
}

const rollWeek = (d: CivilDate): CivilDate => addDays(d, 7);
function rollYear(d: CivilDate): CivilDate {
  let year = d.year + 1;
  while (!isValidDate({ year, month: d.month, day: d.day })) year++;
  return { year, month: d.month, day: d.day };
}
function rollMonth(d: CivilDate): CivilDate {
  let m = addMonths({ ...d, day: 1 }, 1).date;
  while (d.day > daysInMonth(m.year, m.month)) m = addMonths(m, 1).date;
  return { ...m, day: d.day };
}

/**
 * The local date a DateRef names, counted from today in the zone. Throws Clarify/Reject.
 */
export function resolveDateRef(ref: DateRef, c: CompileCtx): DateChoice {
  const today: CivilDate = { year: c.today.year, month: c.today.month, day: c.today.day };
  const nine = clock(9);
  switch (ref.type) {
    case 'relative':
      return { date: addCalendar(today, ref, c), defaultTime: nine };
    case 'weekday': {
      const delta = (ref.weekday - c.today.weekday + 7) % 7;
      const name = WEEKDAY_NAMES[ref.weekday] ?? '';
      if (ref.which === 'last') {
        const back = delta === 0 ? 7 : 7 - delta;
        return { date: addDays(today, -back), defaultTime: nine };
      }
      if (ref.which === 'this') return { date: addDays(today, delta), defaultTime: nine, roll: rollWeek };
      if (ref.which === 'next_week') {
        const monday = fromDayNumber(mondayOf(dayNumber(today)) + 7);
        return { date: addDays(monday, (ref.weekday + 6) % 7), defaultTime: nine };
      }
      const upcoming = addDays(today, delta === 0 ? 7 : delta);
      if (ref.which === 'week_after') {
        const d = addDays(upcoming, 7);
        c.notes.push(`"${name} week" read as ${formatDay(d)}.`);
        return { date: d, defaultTime: nine };
      }
      // "next Friday": unclear when the coming Friday is still in this week.
      if (mondayOf(dayNumber(upcoming)) === mondayOf(dayNumber(today))) {
        const later = addDays(upcoming, 7);
        throw new Clarify(`Do you mean this coming ${name} (${formatDay(upcoming)}) or the one after (${formatDay(later)})?`);
      }
      c.notes.push(`"next ${name}" read as ${formatDay(upcoming)}.`);
      return { date: upcoming, defaultTime: nine };
    }
    case 'calendar': {
      const name = `${MONTH_NAMES[ref.month - 1] ?? '?'} ${ref.day}`;
      if (ref.month < 1 || ref.month > 12 || ref.day < 1 || ref.day > 31)
        throw new Reject('invalid_schedule', `${ref.month}/${ref.day} is not a real date.`);
      if (ref.year !== undefined) {
        const d = { year: ref.year, month: ref.month, day: ref.day };
        if (!isValidDate(d)) throw new Reject('invalid_schedule', `${name}, ${ref.year} does not exist.`);
        return { date: d, defaultTime: nine };
      }
      if (ref.day > (ref.month === 2 ? 29 : daysInMonth(2025, ref.month)))
        throw new Reject('invalid_schedule', `${name} does not exist.`);
      let year = today.year;
      while (!isValidDate({ year, month: ref.month, day: ref.day })) year++;
      if (year !== today.year) c.notes.push(`${name} only exists in leap years: using ${year}.`);
      const d = { year, month: ref.month, day: ref.day };
      return { date: d, defaultTime: nine, roll: rollYear };
    }
    case 'day_of_month': {
      if (ref.day < 1 || ref.day > 31) throw new Reject('invalid_schedule', `There is no day ${ref.day} in a month.`);
      let { year, month } = today;
      for (let i = 0; i < 12 && ref.day > daysInMonth(year, month); i++) {
        ({ year, month } = addMonths({ year, month, day: 1 }, 1).date);
      }
      if (month !== today.month) c.notes.push(`${MONTH_NAMES[today.month - 1]} has no day ${ref.day}: using ${MONTH_NAMES[month - 1]}.`);
      return { date: { year, month, day: ref.day }, defaultTime: nine, roll: rollMonth };
    }
    case 'weekend': {
      if (ref.which === 'next') {
        const sat = addDays(today, (6 - c.today.weekday + 7) % 7);
        throw new Clarify(`Do you mean this coming weekend (${formatDay(sat)}) or the one after (${formatDay(addDays(sat, 7))})?`);
      }
      const toSat = (6 - c.today.weekday + 7) % 7;
      const date = c.today.weekday === 0 ? today : addDays(today, toSat);
      // On Saturday after the time, Sunday is still this weekend.
      return c.today.weekday === 6
        ? { date, defaultTime: clock(10), roll: (d) => addDays(d, 1) }
        : { date, defaultTime: clock(10) };
    }
    case 'end_of': {
      let date: CivilDate;
      if (ref.unit === 'week') date = addDays(today, (5 - c.today.weekday + 7) % 7);
      else if (ref.unit === 'month') date = { ...today, day: daysInMonth(today.year, today.month) };
      else date = { year: today.year, month: 12, day: 31 };
      return { date, defaultTime: clock(17) };
    }
    case 'start_of_next': {
      let date: CivilDate;
      if (ref.unit === 'week') date = addDays(today, 7 - ((c.today.weekday + 6) % 7));
      else if (ref.unit === 'month') date = addMonths({ ...today, day: 1 }, 1).date;
      else date = { year: today.year + 1, month: 1, day: 1 };
      c.notes.push(`"next ${ref.unit}" read as ${formatDay(date)}.`);
      return { date, defaultTime: nine };
    }
  }
}

/** Asks when the person named a weekday that the date does not fall on ("Thursday, March 7"). */
export function checkWeekday(d: CivilDate, weekday: number | undefined): void {
  if (weekday === undefined || weekdayOf(d) === weekday) return;
  const actual = WEEKDAY_NAMES[weekdayOf(d)] ?? '';
  throw new Clarify(`${formatDay(d)} is a ${actual}, not a ${WEEKDAY_NAMES[weekday] ?? ''}. Which did you mean?`);
}
