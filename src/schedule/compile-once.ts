import {
  Clarify,
  type CompileCtx,
  Reject,
  addCalendar,
  ampmNote,
  checkWeekday,
  pickClock,
  resolveDateRef,
  todDefault,
  todNote,
} from './compile-time.js';
import type { Moment, TimeRef } from './draft.js';
import { formatDay, formatOffset, formatWhen } from './format.js';
import { durationSign } from './grammar-duration.js';
import { type CivilDate, type ClockTime, addDays, formatClock, resolveWallTime, zonedFields } from './wall-clock.js';

/**
 * The instant of a local date and time, with the DST policy: a time that exists twice → the earlier
 * (said); a time that does not exist → ask when the person said it, else move forward (said).
 */
export function place(date: CivilDate, time: ClockTime, explicit: boolean, c: CompileCtx): number {
  const r = resolveWallTime(c.zone, date, time);
  if (r.kind === 'ok') return r.at;
  const t = formatClock(time);
  const day = formatDay(date);
  if (r.kind === 'fold') {
    const off = formatOffset(zonedFields(c.zone, r.at).offsetMinutes);
    c.notes.push(`${t} happens twice on ${day} in ${c.zone} (clocks go back): using the first one (UTC${off}).`);
    return r.at;
  }
  const moved = formatClock(zonedFields(c.zone, r.at));
  if (explicit) {
    throw new Clarify(
      `${t} does not exist on ${day} in ${c.zone}: the clocks jump forward ${r.gapMinutes} minutes at that time. Did you mean ${moved}?`,
    );
  }
  c.notes.push(`${t} does not exist on ${day} in ${c.zone} (clocks jump forward): moved to ${moved}.`);
  return r.at;
}

function today(c: CompileCtx): CivilDate {
  return { year: c.today.year, month: c.today.month, day: c.today.day };
}

/** The clock time for a moment that has a time or a time of day; notes the guesses. */
function clockFor(m: Moment, c: CompileCtx): ClockTime | null {
  if (m.time !== undefined) {
    const p = pickClock(m.time, m.time_of_day);
    if (p.guessed) c.notes.push(ampmNote(m.time, p.time));
    return p.time;
  }
  if (m.time_of_day !== undefined) {
    c.notes.push(todNote(m.time_of_day));
    return todDefault(m.time_of_day);
  }
  return null;
}

/** A time with no day: its next occurrence (today or tomorrow), asking when am/pm is a real toss-up. */
function nextOccurrence(t: TimeRef, m: Moment, c: CompileCtx): number {
  const d0 = today(c);
  if (t.midnight === true) {
    const d = addDays(d0, 1);
    c.notes.push(`"midnight" read as 00:00 at the start of ${formatDay(d)}.`);
    return place(d, { hour: 0, minute: 0, second: 0 }, false, c);
  }
  const next = (clock: ClockTime): { at: number; rolled: boolean } => {
    const at = place(d0, clock, true, c);
    return at > c.nowMs ? { at, rolled: false } : { at: place(addDays(d0, 1), clock, true, c), rolled: true };
  };
  const p = pickClock(t, m.time_of_day);
  const chosen = next(p.time);
  if (p.guessed && p.alternative !== undefined) {
    const other = next(p.alternative);
    if (other.at < chosen.at) {
      throw new Clarify(
        `Do you mean ${formatWhen(other.at, c.zone)} or ${formatWhen(chosen.at, c.zone)}? Please say am or pm.`,
      );
    }
    c.notes.push(ampmNote(t, p.time));
  }
  if (chosen.rolled && p.time.hour !== 0) c.notes.push(`${formatClock(p.time)} today has passed, so ${formatWhen(chosen.at, c.zone)}.`);
  return chosen.at;
}

/** The instant of a one-off. Throws Clarify / Reject. */
export function compileOnce(m: Moment, c: CompileCtx): number {
  if (m.offset !== undefined) {
    const o = m.offset;
    const sign = durationSign(o);
    if (sign === 'negative') throw new Reject('past_time', 'That is in the past (a negative delay).');
    if (sign === 'zero') throw new Reject('invalid_schedule', 'A delay of zero is not a time in the future.');
    const exactMs = Math.round(((o.hours ?? 0) * 3600 + (o.minutes ?? 0) * 60 + (o.seconds ?? 0)) * 1000);
    const calendar = (o.years ?? 0) !== 0 || (o.months ?? 0) !== 0 || (o.weeks ?? 0) !== 0 || (o.days ?? 0) !== 0;
    if (!calendar) {
      if (m.time !== undefined || m.time_of_day !== undefined || m.date !== undefined)
        throw new Clarify('When exactly? I read both a delay and a time.');
      return c.nowMs + exactMs;
    }
    if (m.date !== undefined) throw new Clarify('When exactly? I read both a delay and a day.');
    const date = addCalendar(today(c), o, c);
    const explicit = clockFor(m, c);
    const time = explicit ?? { hour: c.today.hour, minute: c.today.minute, second: c.today.second };
    const at = place(date, time, explicit !== null && m.time !== undefined, c) + exactMs;
    if (at <= c.nowMs) throw new Reject('past_time', `${formatWhen(at, c.zone)} has already passed.`);
    return at;
  }
  if (m.date !== undefined) {
    const choice = resolveDateRef(m.date, c);
    let date = choice.date;
    let time: ClockTime;
    const explicit = m.time !== undefined;
    if (m.time?.midnight === true) {
      date = addDays(date, 1);
      time = { hour: 0, minute: 0, second: 0 };
      c.notes.push(`"midnight" read as 00:00 at the start of ${formatDay(date)}.`);
    } else {
      const t = clockFor(m, c);
      if (t === null) {
        time = choice.defaultTime;
        const ref = m.date;
        if (ref.type === 'weekend') c.notes.push(`"this weekend" read as ${formatDay(date)} at ${formatClock(time)}.`);
        else if (ref.type === 'end_of') c.notes.push(`"end of the ${ref.unit}" read as ${formatDay(date)} at ${formatClock(time)}.`);
        else c.notes.push(`No time given: using ${formatClock(time)}.`);
      } else time = t;
    }
    let at = place(date, time, explicit, c);
    if (at <= c.nowMs && choice.roll !== undefined) {
      const before = formatDay(date);
      date = choice.roll(date);
      at = place(date, time, explicit, c);
      c.notes.push(`${before} at ${formatClock(time)} has passed, so ${formatDay(date)}.`);
    }
    if (at <= c.nowMs) throw new Reject('past_time', `${formatWhen(at, c.zone)} has already passed.`);
    if (m.date.type === 'calendar' || m.date.type === 'day_of_month') checkWeekday(date, m.date.weekday);
    return at;
  }
  if (m.time !== undefined) return nextOccurrence(m.time, m, c);
  if (m.time_of_day !== undefined) {
    const time = todDefault(m.time_of_day);
    c.notes.push(todNote(m.time_of_day));
    let at = place(today(c), time, false, c);
    if (at <= c.nowMs) {
      at = place(addDays(today(c), 1), time, false, c);
      c.notes.push(`Today's ${formatClock(time)} has passed, so ${formatWhen(at, c.zone)}.`);
    }
    return at;
  }
  throw new Clarify('When should it happen?');
}
