import { compileOnce } from './compile-once.js';
import { compileRecurring } from './compile-recurring.js';
import { Clarify, type CompileCtx, Reject } from './compile-time.js';
import { describeSchedule } from './describe.js';
import { type ScheduleDraft, ScheduleDraftSchema } from './draft.js';
import { dstNotes } from './dst.js';
import { computeNextRuns } from './next-runs.js';
import { type ParseResult, failure } from './result.js';
import { type ScheduleSpec, ScheduleSpecSchema } from './spec.js';
import { formatInstant, zonedFields } from './wall-clock.js';
import { resolveZoneName } from './zones.js';

export interface CompileOptions {
  now: Date;
  /** The person's IANA zone (abbreviations and city names are accepted too). */
  timeZone: string;
}

/** How many upcoming runs a parse result shows. */
export const PREVIEW_RUNS = 5;

/**
 * Compiles a ScheduleDraft (from the grammar or from a language model) into a validated spec, the
 * next runs, a description and the list of assumptions. All date arithmetic and every policy
 * default happen here, so both sources behave the same.
 */
export function compileDraft(input: ScheduleDraft, opts: CompileOptions): ParseResult {
  const parsed = ScheduleDraftSchema.safeParse(input);
  if (!parsed.success) return failure('invalid_schedule', `The schedule form is not valid: ${parsed.error.issues[0]?.message ?? 'unknown problem'}.`);
  const draft = parsed.data;
  if (Number.isNaN(opts.now.getTime())) return failure('invalid_schedule', 'The reference time ("now") is not a valid date.');
  const userZone = resolveZoneName(opts.timeZone);
  if (userZone === null) return failure('invalid_timezone', `Unknown time zone "${opts.timeZone}". Use an IANA name like "America/New_York".`);
  let zone = userZone;
  if (draft.timezone !== undefined && draft.timezone !== '') {
    const named = resolveZoneName(draft.timezone);
    if (named === null) return failure('invalid_timezone', `Unknown time zone "${draft.timezone}". Use an IANA name like "Asia/Tokyo".`);
    zone = named;
  }
  if (draft.reject_reason !== undefined) return failure('invalid_schedule', `That can't be scheduled: ${draft.reject_reason}.`.replace(/\.\.$/, '.'));
  if (draft.needs_clarification === true) {
    const q = draft.question ?? 'Could you say when, more precisely?';
    return failure('needs_clarification', q, q);
  }
  const nowMs = opts.now.getTime();
  const c: CompileCtx = { zone, nowMs, today: zonedFields(zone, nowMs), notes: [...(draft.assumptions ?? [])] };
  const relativeDay = draft.once?.date !== undefined && draft.once.date.type !== 'calendar';
  if (relativeDay && zone !== userZone && c.today.day !== zonedFields(userZone, nowMs).day)
    c.notes.push(`Days are counted in ${zone}, where it is already ${c.today.day > zonedFields(userZone, nowMs).day ? 'the next day' : 'a different day'}.`);
  let spec: ScheduleSpec;
  try {
    if (draft.once !== undefined && draft.recurrences !== undefined && draft.recurrences.length > 0)
      return failure('needs_clarification', 'Is that once, or repeating?', 'Is that once, or repeating?');
    if (draft.once !== undefined) {
      if (draft.start || draft.until || draft.for || draft.count !== undefined)
        return failure('needs_clarification', 'How often should it repeat?', 'How often should it repeat?');
      const at = compileOnce(draft.once, c);
      spec = { kind: 'once', at: formatInstant(at, zone), timezone: zone };
    } else if (draft.recurrences !== undefined && draft.recurrences.length > 0) {
      spec = compileRecurring(draft, c);
    } else {
      return failure('no_schedule', 'No time or repetition found in the text.');
    }
  } catch (err) {
    if (err instanceof Clarify) return failure('needs_clarification', err.question, err.question);
    if (err instanceof Reject) return failure(err.code, err.message);
    throw err;
  }
  return finish(spec, c, draft.task ?? '', nowMs);
}

function finish(spec: ScheduleSpec, c: CompileCtx, task: string, nowMs: number): ParseResult {
  const checked = ScheduleSpecSchema.safeParse(spec);
  if (!checked.success) return failure('invalid_schedule', `That schedule is not valid: ${checked.error.issues[0]?.message ?? ''}.`);
  let next: Date[];
  try {
    next = computeNextRuns(spec, { after: new Date(nowMs), limit: PREVIEW_RUNS });
  } catch (err) {
    return failure('invalid_schedule', `That schedule is not valid: ${err instanceof Error ? err.message : String(err)}.`);
  }
  if (next.length === 0) {
    if (spec.kind === 'once') return failure('past_time', 'That time has already passed.');
    const why = spec.until !== undefined ? 'it ends before its first run' : 'no date ever matches it';
    return failure('invalid_schedule', `That schedule would never run: ${why}.`);
  }
  const notes = [...c.notes, ...(spec.kind === 'once' ? [] : dstNotes(spec, nowMs))];
  return {
    ok: true,
    kind: spec.kind === 'once' ? 'once' : 'recurring',
    next: next.map((d) => formatInstant(d.getTime(), spec.timezone)),
    timezone: spec.timezone,
    description: describeSchedule(spec),
    assumptions: [...new Set(notes)],
    task,
    spec,
  };
}
