import { MONTH_SHORT, WEEKDAY_NAMES, WEEKDAY_SHORT } from './lexicon.js';
import { type CivilDate, type ClockTime, formatClock, weekdayOf, zonedFields } from './wall-clock.js';

/** "Fri 7 Mar 2025" */
export function formatDay(d: CivilDate): string {
  return `${WEEKDAY_SHORT[weekdayOf(d)]} ${d.day} ${MONTH_SHORT[d.month - 1]} ${d.year}`;
}

/** "Fri 7 Mar 2025 at 17:00" in the zone's wall time. */
export function formatWhen(ms: number, zone: string): string {
  const f = zonedFields(zone, ms);
  return `${formatDay(f)} at ${formatClock(f)}`;
}

/** "17:00" or "17:00:30". */
export function formatTime(t: ClockTime): string {
  return formatClock(t);
}

/** "+01:00" style offset. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** "a, b and c" */
export function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Weekday numbers in words: "weekday", "Saturday and Sunday", "Monday, Wednesday and Friday". */
export function weekdayWords(days: readonly number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7));
  if (sorted.length === 7) return 'day';
  if (sorted.length === 5 && [1, 2, 3, 4, 5].every((d) => sorted.includes(d))) return 'weekday';
  return listWords(sorted.map((d) => WEEKDAY_NAMES[d] ?? String(d)));
}
