import { z } from 'zod';
import { ScheduleSpecSchema } from './spec.js';

/** Why a text did not become a schedule. Stable: the CLI contract and MCP tools expose it. */
export const ParseErrorCodeSchema = z.enum([
  'needs_clarification',
  'invalid_schedule',
  'past_time',
  'no_schedule',
  'invalid_timezone',
]);
export type ParseErrorCode = z.infer<typeof ParseErrorCodeSchema>;

export const ParseSuccessSchema = z.object({
  ok: z.literal(true),
  kind: z.enum(['once', 'recurring']),
  /** Up to 5 next runs, ISO 8601 with the zone's offset; fewer only when the schedule ends sooner. */
  next: z.array(z.string()),
  timezone: z.string(),
  description: z.string(),
  /** Everything that was guessed, for the assistant to echo back. */
  assumptions: z.array(z.string()),
  /** What to do or remind about, without the scheduling words ('' if none). */
  task: z.string(),
  spec: ScheduleSpecSchema,
});

export const ParseFailureSchema = z.object({
  ok: z.literal(false),
  code: ParseErrorCodeSchema,
  message: z.string(),
  /** For needs_clarification: the question to put to the person. */
  question: z.string().optional(),
});

export const ParseResultSchema = z.discriminatedUnion('ok', [ParseSuccessSchema, ParseFailureSchema]);

export type ParseSuccess = z.infer<typeof ParseSuccessSchema>;
export type ParseFailure = z.infer<typeof ParseFailureSchema>;
export type ParseResult = z.infer<typeof ParseResultSchema>;

export function failure(code: ParseErrorCode, message: string, question?: string): ParseFailure {
  return question === undefined ? { ok: false, code, message } : { ok: false, code, message, question };
}
