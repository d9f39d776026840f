/** schedule/: words → ScheduleSpec → next runs and words again. Pure: `now` is always passed in. */
export { compileChainSchedule, type CompiledChainSchedule } from './chain-schedule.js';
export { type CompileOptions, PREVIEW_RUNS, compileDraft } from './compile.js';
export { describeSchedule } from './describe.js';
export {
  DateRefSchema,
  DurationSchema,
  MomentSchema,
  RecurrenceDraftSchema,
  ScheduleDraftSchema,
  TimeRefSchema,
  type DateRef,
  type Duration,
  type Moment,
  type RecurrenceDraft,
  type ScheduleDraft,
  type ScheduleExtractor,
  type TimeRef,
} from './draft.js';
export { computeNextRuns, nextRunAfter, type NextRunsOptions } from './next-runs.js';
export {
  LLM_ASSUMPTION,
  MAX_TEXT_LENGTH,
  type ParseOptions,
  draftFromText,
  parseSchedule,
  parseScheduleWithFallback,
} from './parse.js';
export {
  ParseFailureSchema,
  ParseResultSchema,
  ParseSuccessSchema,
  type ParseErrorCode,
  type ParseFailure,
  type ParseResult,
  type ParseSuccess,
} from './result.js';
export {
  CalendarSpecSchema,
  CronSpecSchema,
  IntervalSpecSchema,
  OnceSpecSchema,
  ScheduleSpecSchema,
  type CalendarSpec,
  type CronSpec,
  type IntervalSpec,
  type OnceSpec,
  type ScheduleSpec,
} from './spec.js';
export { formatWhen } from './format.js';
export { formatInstant, isValidTimeZone } from './wall-clock.js';
export { resolveZoneName } from './zones.js';
