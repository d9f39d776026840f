import { z } from 'zod';
import { isValidTimeZone, parseCivilDate, parseClock } from './wall-clock.js';

/**
 * The stored, typed form of a schedule. It is persisted as JSON and read back years later, so every
 * variant is self-contained: an IANA zone, instants as ISO 8601 with an offset, local times as
 * "HH:MM" in that zone. Weekdays are 0 = Sunday ... 6 = Saturday (as in cron).
 *
 * DST rule, the same for every variant: a local time that does not exist (spring forward) fires at
 * the first valid instant after the gap; a local time that exists twice (fall back) fires once, at
 * the earlier instant. Elapsed-time intervals (`interval` without a window, `*\/N` cron minutes)
 * keep real elapsed time instead.
 */

const Instant = z.iso.datetime({ offset: true });
const TimeZone = z.string().refine(isValidTimeZone, { message: 'not a known IANA time zone' });
const LocalTime = z.string().refine((s) => /^\d{2}:\d{2}$/.test(s) && parseClock(s) !== null, {
  message: 'expected a local time "HH:MM"',
});
const LocalDate = z.string().refine((s) => parseCivilDate(s) !== null, { message: 'expected a date "YYYY-MM-DD"' });
const Weekday = z.number().int().min(0).max(6);

/** Bounds shared by the recurring variants. `start` is inclusive, `until` exclusive; `count` is the total number of fires. */
const Bounds = {
  start: Instant.optional(),
  until: Instant.optional(),
  count: z.number().int().min(1).max(1_000_000).optional(),
};

export const OnceSpecSchema = z
  .object({ kind: z.literal('once'), at: Instant, timezone: TimeZone })
  .strict();

/** One or more croner 5-field patterns (`minute hour day-of-month month day-of-week`) in `timezone`. */
export const CronSpecSchema = z
  .object({
    kind: z.literal('cron'),
    patterns: z.array(z.string().min(9).max(200)).min(1).max(50),
    timezone: TimeZone,
    ...Bounds,
  })
  .strict();

/**
 * Fires every `every_seconds` of elapsed time at `anchor + k * every_seconds` (k ≥ 0). With a
 * `window`, the steps instead restart at `window.from` (local time) on each allowed day and run
 * while ≤ `window.to` (inclusive); a window whose `to` is before `from` runs overnight.
 */
export const IntervalSpecSchema = z
  .object({
    kind: z.literal('interval'),
    every_seconds: z.number().int().min(1).max(366 * 86_400),
    anchor: Instant,
    timezone: TimeZone,
    ...Bounds,
    window: z
      .object({
        from: LocalTime,
        to: LocalTime,
        weekdays: z.array(Weekday).min(1).max(7).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/**
 * Every `interval` days / weeks / months, counted in the zone's calendar from `anchor_date`, at the
 * local `times`. Weeks run Monday to Sunday; with unit `week` the anchor's week is the first active
 * one and `weekdays` picks the days inside an active week. With unit `month`, `month_day` is the
 * day of the month (-1 = the last day). Runs before `anchor_date` never happen.
 */
export const CalendarSpecSchema = z
  .object({
    kind: z.literal('calendar'),
    unit: z.enum(['day', 'week', 'month']),
    interval: z.number().int().min(1).max(1000),
    weekdays: z.array(Weekday).min(1).max(7).optional(),
    month_day: z.number().int().min(-1).max(31).refine((n) => n !== 0).optional(),
    times: z.array(LocalTime).min(1).max(48),
    anchor_date: LocalDate,
    timezone: TimeZone,
    ...Bounds,
  })
  .strict();

export const ScheduleSpecSchema = z.discriminatedUnion('kind', [
  OnceSpecSchema,
  CronSpecSchema,
  IntervalSpecSchema,
  CalendarSpecSchema,
]);

export type OnceSpec = z.infer<typeof OnceSpecSchema>;
export type CronSpec = z.infer<typeof CronSpecSchema>;
export type IntervalSpec = z.infer<typeof IntervalSpecSchema>;
export type CalendarSpec = z.infer<typeof CalendarSpecSchema>;
export type ScheduleSpec = z.infer<typeof ScheduleSpecSchema>;
