/**
 * Wall-clock arithmetic in IANA zones with nothing but `Intl`: the offset of a zone at an instant,
 * the local fields of an instant, and the instant(s) of a local date and time (DST gaps and folds
 * reported, never guessed silently). Civil dates are handled as day numbers (days since 1970-01-01).
 */

import { lookupZone, offsetMinutes, zonedFields } from '../domain/zoned-time.js';

const MS_PER_MINUTE = 60_000;
export const MS_PER_DAY = 86_400_000;

/** A calendar date without a zone. `month` is 1-12. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** A local time of day. */
export interface ClockTime {
  hour: number;
  minute: number;
  second: number;
}

export type { ZonedFields } from '../domain/zoned-time.js';

export { offsetMinutes, zonedFields } from '../domain/zoned-time.js';

/** Whether `zone` is a time zone this runtime knows. */
export function isValidTimeZone(zone: string): boolean {
  return lookupZone(zone) !== null;
}

/** The runtime's canonical spelling of a valid zone ("europe/london" → "Europe/London"). */
export function canonicalTimeZone(zone: string): string {
  return lookupZone(zone) ?? zone;
}

/** How a local date and time maps to instants. */
export type WallResolution =
  | { kind: 'ok'; at: number }
  /** Exists twice (fall-back). `at` is the earlier instant, `later` the second one. */
  | { kind: 'fold'; at: number; later: number }
  /** Does not exist (spring-forward). `at` is the first valid instant after the gap. */
  | { kind: 'gap'; at: number; gapMinutes: number };

/** The instant(s) of a local date and time in `zone`. */
export function resolveWallTime(zone: string, date: CivilDate, time: ClockTime): WallResolution {
  const wall = Date.UTC(date.year, date.month - 1, date.day, time.hour, time.minute, time.second);
  const before = offsetMinutes(zone, wall - MS_PER_DAY);
  const after = offsetMinutes(zone, wall + MS_PER_DAY);
  const candidates = before === after ? [before] : [before, after];
  const hits: number[] = [];
  for (const off of candidates) {
    const ms = wall - off * MS_PER_MINUTE;
    if (offsetMinutes(zone, ms) === off && !hits.includes(ms)) hits.push(ms);
  }
  hits.sort((a, b) => a - b);
  const [first, second] = hits;
  if (first !== undefined && second !== undefined) return { kind: 'fold', at: first, later: second };
  if (first !== undefined) return { kind: 'ok', at: first };
  // In a gap: the change happened between wall - after and wall - before (UTC). Find the instant.
  let lo = wall - Math.max(before, after) * MS_PER_MINUTE;
  let hi = wall - Math.min(before, after) * MS_PER_MINUTE;
  const offLo = offsetMinutes(zone, lo);
  while (hi - lo > MS_PER_MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MS_PER_MINUTE) * MS_PER_MINUTE;
    if (offsetMinutes(zone, mid) === offLo) lo = mid;
    else hi = mid;
  }
  return { kind: 'gap', at: hi, gapMinutes: Math.abs(after - before) };
}

// ---- civil dates as day numbers ----

export function dayNumber(d: CivilDate): number {
  return Math.floor(Date.UTC(d.year, d.month - 1, d.day) / MS_PER_DAY);
}

export function fromDayNumber(n: number): CivilDate {
  const t = new Date(n * MS_PER_DAY);
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekdayOf(d: CivilDate): number {
  return (((dayNumber(d) + 4) % 7) + 7) % 7;
}

export function addDays(d: CivilDate, days: number): CivilDate {
  return fromDayNumber(dayNumber(d) + days);
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Whether the date exists (Feb 30 does not; Feb 29 only in leap years). */
export function isValidDate(d: CivilDate): boolean {
  return (
    Number.isInteger(d.year) &&
    Number.isInteger(d.month) &&
    Number.isInteger(d.day) &&
    d.month >= 1 &&
    d.month <= 12 &&
    d.day >= 1 &&
    d.day <= daysInMonth(d.year, d.month)
  );
}

/** Calendar month arithmetic; the day is clamped to the month's length ("Jan 31 + 1 month" → Feb 28). */
export function addMonths(d: CivilDate, months: number): { date: CivilDate; clamped: boolean } {
  const index = d.year * 12 + (d.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  const max = daysInMonth(year, month);
  return { date: { year, month, day: Math.min(d.day, max) }, clamped: d.day > max };
}

export function compareDates(a: CivilDate, b: CivilDate): number {
  return dayNumber(a) - dayNumber(b);
}

/** "HH:MM" (or "HH:MM:SS" when seconds are set) → ClockTime; null when malformed or out of range. */
export function parseClock(text: string): ClockTime | null {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (m === null) return null;
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  const second = m[3] === undefined ? 0 : Number(m[3]);
  if (hour > 23 || minute > 59 || second > 59) return null;
  return { hour, minute, second };
}

/** "YYYY-MM-DD" → CivilDate; null when malformed or not a real date. */
export function parseCivilDate(text: string): CivilDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (m === null) return null;
  const d = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  return isValidDate(d) ? d : null;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

export function formatClock(t: ClockTime): string {
  return t.second === 0 ? `${pad(t.hour)}:${pad(t.minute)}` : `${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`;
}

export function formatCivilDate(d: CivilDate): string {
  return `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;
}

/** ISO 8601 with the zone's offset at that instant: `2025-03-10T08:00:00-04:00` (ms only when set). */
export function formatInstant(ms: number, zone: string): string {
  const f = zonedFields(zone, ms);
  const millis = ((ms % 1000) + 1000) % 1000;
  const frac = millis === 0 ? '' : `.${pad(millis, 3)}`;
  const sign = f.offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(f.offsetMinutes);
  return (
    `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)}T${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}${frac}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}
