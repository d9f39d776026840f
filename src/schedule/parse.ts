import { type CompileOptions, compileDraft } from './compile.js';
import { chronoDraft } from './chrono-fallback.js';
import { composeDraft } from './compose.js';
import { type ScheduleDraft, ScheduleDraftSchema, type ScheduleExtractor } from './draft.js';
import { scan } from './grammar.js';
import { type ParseResult, failure } from './result.js';
import { resolveZoneName } from './zones.js';

export interface ParseOptions extends CompileOptions {
  /** How to read numeric dates like 04/05; without it an ambiguous one is asked about. */
  locale?: 'en-US' | 'en-GB';
}

/** Longest text the grammar reads. */
export const MAX_TEXT_LENGTH = 1000;

/** The grammar's reading of the text as a draft, or null when it found no schedule words. */
export function draftFromText(text: string, locale?: ParseOptions['locale']): ScheduleDraft | null {
  return composeDraft(scan(text, locale)).draft;
}

/**
 * Reads a schedule from words: "remind me every Monday at 8 to send the report". Deterministic;
 * never reads the clock (`now` is given). See ARCHITECTURE.md "Natural-language schedule policy".
 */
export function parseSchedule(text: string, opts: ParseOptions): ParseResult {
  if (resolveZoneName(opts.timeZone) === null)
    return failure('invalid_timezone', `Unknown time zone "${opts.timeZone}". Use an IANA name like "America/New_York".`);
  if (text.length > MAX_TEXT_LENGTH) return failure('invalid_schedule', `The text is too long (over ${MAX_TEXT_LENGTH} characters).`);
  const { draft, unplaced } = composeDraft(scan(text, opts.locale));
  if (draft === null || unplaced) {
    // Date formats the grammar does not know: a guarded second reading (see chrono-fallback.ts).
    const second = chronoDraft(text, opts.now, opts.locale);
    if (second !== null) {
      const r = compileDraft(second, opts);
      if (r.ok) return r;
    }
  }
  if (draft === null) return failure('no_schedule', 'No time or repetition found in the text.');
  return compileDraft(draft, opts);
}

export const LLM_ASSUMPTION = 'Understood by the language model; please check the schedule above.';

/**
 * Like parseSchedule, but when the grammar finds no schedule at all, asks the language model to
 * fill the same draft form; its answer goes through the same compiler and validation.
 */
export async function parseScheduleWithFallback(
  text: string,
  opts: ParseOptions,
  extractor?: ScheduleExtractor,
): Promise<ParseResult> {
  const first = parseSchedule(text, opts);
  if (first.ok || first.code !== 'no_schedule' || extractor === undefined) return first;
  let raw: unknown;
  try {
    raw = await extractor.extract(text, { now: opts.now, timeZone: opts.timeZone });
  } catch {
    return first;
  }
  const parsed = ScheduleDraftSchema.safeParse(raw);
  if (!parsed.success) return first;
  const draft = parsed.data;
  const result = compileDraft({ ...draft, assumptions: [LLM_ASSUMPTION, ...(draft.assumptions ?? [])] }, opts);
  if (!result.ok && result.code === 'no_schedule') return first;
  return result;
}
