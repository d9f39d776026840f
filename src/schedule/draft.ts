import { z } from 'zod';

/**
 * The typed intermediate form between words and a ScheduleSpec. The grammar emits it, and an LLM
 * fallback fills the same form as strict JSON; both go through `compileDraft`, which does all date
 * arithmetic, applies the policy defaults and validates. The form never holds timestamps or cron:
 * only relative offsets, wall-clock fields and recurrence fields.
 */

/** A local time of day as the person said it. */
export const TimeRefSchema = z
  .object({
    /** 0-23. When `am_pm_unsure` is true, the hour as said (1-12) and the compiler picks am or pm. */
    hour: z.number().int().min(0).max(23),
    minute: z.number().int().min(0).max(59).optional(),
    second: z.number().int().min(0).max(59).optional(),
    /** The person gave an hour from 1 to 12 without am/pm ("at 8"). */
    am_pm_unsure: z.boolean().optional(),
    /** "midnight": 00:00 at the end of the given day (the start of the next one). */
    midnight: z.boolean().optional(),
  })
  .strict();
export type TimeRef = z.infer<typeof TimeRefSchema>;

export const TimeOfDaySchema = z.enum(['morning', 'afternoon', 'evening', 'night', 'end_of_day']);

/** Calendar offsets (in the zone's calendar) and elapsed offsets. Negative values are rejected. */
export const DurationSchema = z
  .object({
    years: z.number().int().optional(),
    months: z.number().int().optional(),
    weeks: z.number().int().optional(),
    days: z.number().int().optional(),
    hours: z.number().optional(),
    minutes: z.number().optional(),
    seconds: z.number().optional(),
  })
  .strict();
export type Duration = z.infer<typeof DurationSchema>;

/** A day, relative to today in the schedule's zone. */
export const DateRefSchema = z.discriminatedUnion('type', [
  /** today (all zero), tomorrow (days 1), yesterday (days -1), "last week" (weeks -1). */
  z.object({ type: z.literal('relative'), days: z.number().int().optional(), weeks: z.number().int().optional(), months: z.number().int().optional(), years: z.number().int().optional() }).strict(),
  /** this = the coming one (today counts if the time is still ahead); next = "next Friday"; next_week = "Friday next week"; week_after = "Monday week"; last = the previous one. */
  z.object({ type: z.literal('weekday'), weekday: z.number().int().min(0).max(6), which: z.enum(['this', 'next', 'next_week', 'week_after', 'last']) }).strict(),
  /** Without a year: the next such date. */
  /** `weekday`: the weekday the person also named ("Friday, March 7"); a mismatch needs clarifying. */
  z.object({ type: z.literal('calendar'), year: z.number().int().optional(), month: z.number().int(), day: z.number().int(), weekday: z.number().int().min(0).max(6).optional() }).strict(),
  /** "the 15th": the next 15th. */
  z.object({ type: z.literal('day_of_month'), day: z.number().int(), weekday: z.number().int().min(0).max(6).optional() }).strict(),
  z.object({ type: z.literal('weekend'), which: z.enum(['this', 'next']) }).strict(),
  z.object({ type: z.literal('end_of'), unit: z.enum(['week', 'month', 'year']) }).strict(),
  /** "next week" → its Monday, "next month" → the 1st, "next year" → 1 January. */
  z.object({ type: z.literal('start_of_next'), unit: z.enum(['week', 'month', 'year']) }).strict(),
]);
export type DateRef = z.infer<typeof DateRefSchema>;

/** A point in time described in words: an offset from now, or a day and/or a time. */
export const MomentSchema = z
  .object({
    offset: DurationSchema.optional(),
    date: DateRefSchema.optional(),
    time: TimeRefSchema.optional(),
    time_of_day: TimeOfDaySchema.optional(),
  })
  .strict();
export type Moment = z.infer<typeof MomentSchema>;

export const NthWeekdaySchema = z
  .object({ weekday: z.number().int().min(0).max(6), nth: z.number().int().min(-1).max(5) })
  .strict();

/** One recurrence ("every Monday at 9am"); a schedule may hold several ("... and every Thursday at 2pm"). */
export const RecurrenceDraftSchema = z
  .object({
    every: z.enum(['second', 'minute', 'hour', 'day', 'week', 'month', 'year']),
    /** Every N units (1 = every unit). Zero or negative is rejected by the compiler. */
    interval: z.number(),
    weekdays: z.array(z.number().int().min(0).max(6)).optional(),
    /** Days of the month, -1 = the last day. */
    month_days: z.array(z.number().int()).optional(),
    /** "first weekday of the month" / "last weekday of the month". */
    month_day_rule: z.enum(['first_weekday', 'last_weekday']).optional(),
    /** nth weekday of the month: nth 1-5, or -1 for the last. */
    nth_weekdays: z.array(NthWeekdaySchema).optional(),
    months: z.array(z.number().int().min(1).max(12)).optional(),
    times: z.array(TimeRefSchema).optional(),
    time_of_day: TimeOfDaySchema.optional(),
    /** Only between these local times (inclusive), e.g. "from 9 to 5". */
    window: z.object({ from: TimeRefSchema, to: TimeRefSchema }).strict().optional(),
  })
  .strict();
export type RecurrenceDraft = z.infer<typeof RecurrenceDraftSchema>;

export const ScheduleDraftSchema = z
  .object({
    /** A one-off. Exactly one of `once` and `recurrences`. */
    once: MomentSchema.optional(),
    recurrences: z.array(RecurrenceDraftSchema).max(10).optional(),
    /** First allowed run (inclusive). */
    start: MomentSchema.optional(),
    /** Last allowed moment; a day without a time includes that whole day. */
    until: MomentSchema.optional(),
    /** "for the next 3 weeks": ends that long after now. */
    for: DurationSchema.optional(),
    /** Total number of runs. */
    count: z.number().int().optional(),
    /** IANA zone the person named; absent = the person's own zone. */
    timezone: z.string().optional(),
    /** What to do or remind about, without the scheduling words. */
    task: z.string().max(2000).optional(),
    /** Guesses already made while reading the words. */
    assumptions: z.array(z.string().max(500)).max(20).optional(),
    needs_clarification: z.boolean().optional(),
    question: z.string().max(500).optional(),
    /** Set when the request cannot be a schedule (impossible date, negative interval, ...). */
    reject_reason: z.string().max(500).optional(),
  })
  .strict();
export type ScheduleDraft = z.infer<typeof ScheduleDraftSchema>;

/** Port for the language-model fallback: fills a ScheduleDraft from words. The adapter lives in llm/. */
export interface ScheduleExtractor {
  extract(text: string, ctx: { now: Date; timeZone: string }): Promise<ScheduleDraft>;
}
