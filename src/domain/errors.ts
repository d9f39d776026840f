/**
 * One error type for everything chainloom reports on purpose. `code` is stable and machine-readable,
 * `hint` tells a person (or the model driving an MCP client) what to do next.
 */
export class AppError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly details: unknown;

  constructor(code: string, message: string, opts: { hint?: string; cause?: unknown; details?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.hint = opts.hint;
    this.details = opts.details;
  }
}

/** A failure that retrying cannot fix (bad input, a 4xx answer, a refused tool). */
export class NonRetriableError extends AppError {
  constructor(code: string, message: string, opts: { hint?: string; cause?: unknown; details?: unknown } = {}) {
    super(code, message, opts);
    this.name = 'NonRetriableError';
  }
}

/** A failure that asks to be retried no sooner than `retryAfterMs` (HTTP 429 / Retry-After). */
export class RetryAfterError extends AppError {
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, opts: { hint?: string; cause?: unknown } = {}) {
    super('rate_limited', message, opts);
    this.name = 'RetryAfterError';
    this.retryAfterMs = retryAfterMs;
  }
}

/** One problem found while validating a definition: where it is and what is wrong. */
export interface Problem {
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

/** A definition or argument that failed validation; lists every problem, nothing was written. */
export class ValidationError extends NonRetriableError {
  readonly problems: Problem[];
  constructor(message: string, problems: Problem[], hint?: string) {
    super('invalid_definition', message, hint === undefined ? {} : { hint });
    this.name = 'ValidationError';
    this.problems = problems;
  }
}

export class NotFoundError extends NonRetriableError {
  constructor(what: string, ref: string, hint?: string) {
    super('not_found', `${what} "${ref}" was not found`, {
      hint: hint ?? `List the ${what}s to see what exists, then use an id or exact name.`,
    });
    this.name = 'NotFoundError';
  }
}

/** The kinds of failure a retry policy can match on (`retry_on`). */
export type ErrorKind = 'timeout' | 'network' | 'http_5xx' | 'http_4xx' | 'rate_limited' | 'tool_error' | 'any';

/** Classifies an error into the kinds `retry_on` matches. */
export function errorKind(err: unknown): Exclude<ErrorKind, 'any'> {
  if (err instanceof RetryAfterError) return 'rate_limited';
  if (err instanceof AppError) {
    if (err.code === 'timeout') return 'timeout';
    if (err.code === 'network') return 'network';
    if (err.code === 'http_5xx') return 'http_5xx';
    if (err.code === 'http_4xx') return 'http_4xx';
    if (err.code === 'rate_limited') return 'rate_limited';
    return 'tool_error';
  }
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'timeout';
  return 'tool_error';
}

/** The one place that decides whether an error may be retried at all. */
export function isRetriable(err: unknown): boolean {
  if (err instanceof NonRetriableError) return false;
  if (err instanceof AppError && (err.code === 'cancelled' || err.code === 'http_4xx')) return false;
  return true;
}

/** A short, safe message for any thrown value (no stack, no paths). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}
