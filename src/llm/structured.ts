import { z } from 'zod';
import { AppError } from '../domain/errors.js';
import type { LlmClient, LlmMessage, LlmRequest, LlmResponse, LlmUsage } from '../engine/ports.js';

/** A request for JSON that must match `schema`. */
export interface StructuredRequest<S extends z.ZodType> extends Omit<LlmRequest, 'responseSchema'> {
  schema: S;
  /** Names the schema for the provider (`response_format.json_schema.name`), e.g. `schedule_spec`. */
  name: string;
}

export interface StructuredResult<T> {
  value: T;
  /** Summed over both attempts when a repair was needed. */
  usage: LlmUsage;
  /** 1, or 2 when the first answer had to be repaired. */
  attempts: number;
  responses: LlmResponse[];
}

/** Longest piece of a bad answer quoted back in errors. */
const QUOTE_MAX_CHARS = 2_000;

/**
 * Asks for JSON matching a zod schema: the JSON Schema goes to the provider as structured output,
 * the answer is validated here (providers and local models do not always obey), and an invalid
 * answer gets exactly one repair attempt that shows the model what was wrong. A second invalid
 * answer fails with `invalid_llm_output`.
 */
export async function completeStructured<S extends z.ZodType>(
  llm: LlmClient,
  req: StructuredRequest<S>,
): Promise<StructuredResult<z.output<S>>> {
  const { schema, name, ...rest } = req;
  const jsonSchema = toResponseSchema(schema);
  const ask = (messages: LlmMessage[]): Promise<LlmResponse> =>
    llm.complete({ ...rest, messages, responseSchema: { name, schema: jsonSchema } });

  const first = await ask(req.messages);
  const firstCheck = parseStructured(first.content, schema);
  if (firstCheck.ok) return { value: firstCheck.value, usage: first.usage, attempts: 1, responses: [first] };

  const second = await ask([...req.messages, ...repairMessages(first.content, firstCheck.error)]);
  const usage = addUsage(first.usage, second.usage);
  const secondCheck = parseStructured(second.content, schema);
  if (secondCheck.ok) return { value: secondCheck.value, usage, attempts: 2, responses: [first, second] };

  throw new AppError(
    'invalid_llm_output',
    `the model's answer did not match "${name}" after one repair attempt: ${secondCheck.error}`,
    {
      hint: 'Try again, or use a model that supports structured output (JSON schema).',
      details: { answer: quote(second.content), usage },
    },
  );
}

/** The JSON Schema a zod schema asks for, in the shape providers accept (no `$schema`). */
export function toResponseSchema(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete json['$schema'];
  return json;
}

import { type JsonCheck, parseJsonAnswer } from '../engine/json-answer.js';

export { type JsonCheck, parseJsonAnswer };

/** Parses model output as JSON and validates it; errors are worded for the model to act on. */
export function parseStructured<S extends z.ZodType>(
  content: string | null,
  schema: S,
): JsonCheck<z.output<S>> {
  const parsed = parseJsonAnswer(content);
  if (!parsed.ok) return parsed;
  const result = schema.safeParse(parsed.value);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, error: z.prettifyError(result.error) };
}


/** The two messages of a repair attempt: the bad answer, then what was wrong with it. */
export function repairMessages(badContent: string | null, error: string): LlmMessage[] {
  return [
    { role: 'assistant', content: badContent ?? '' },
    {
      role: 'user',
      content:
        `Your previous answer was not valid: ${error}\n\n` +
        'Reply again with only the corrected JSON value that matches the requested schema: no prose, no code fences.',
    },
  ];
}

export function addUsage(a: LlmUsage, b: LlmUsage): LlmUsage {
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
  };
}

function quote(content: string | null): string {
  const text = content ?? '';
  return text.length > QUOTE_MAX_CHARS ? `${text.slice(0, QUOTE_MAX_CHARS)}…` : text;
}
