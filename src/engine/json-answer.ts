import { errorMessage } from '../domain/errors.js';

export type JsonCheck<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Reads a JSON answer from a model, tolerating the code fences and surrounding whitespace that
 * models add even when told not to. The error says what was wrong, for the one repair round.
 */
export function parseJsonAnswer(content: string | null): JsonCheck<unknown> {
  if (content === null || content.trim() === '') return { ok: false, error: 'the answer was empty; a JSON value was expected' };
  const text = content.trim();
  const unfenced = /^```[a-zA-Z]*\s*\n([\s\S]*?)\n?```$/.exec(text)?.[1]?.trim() ?? text;
  try {
    return { ok: true, value: JSON.parse(unfenced) };
  } catch (err) {
    return { ok: false, error: `the answer was not valid JSON (${errorMessage(err)})` };
  }
}
