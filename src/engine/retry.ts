import type { RetryConfig } from '../domain/chain.js';
import { RetryConfigSchema } from '../domain/chain.js';
import { RetryAfterError, errorKind, isRetriable } from '../domain/errors.js';

export const DEFAULT_RETRY: RetryConfig = RetryConfigSchema.parse({});

/** Delay before attempt `attempt + 1` after attempt `attempt` (1-based) failed. */
export function backoffDelayMs(cfg: RetryConfig, attempt: number, random: () => number = Math.random): number {
  const base = cfg.initial_delay * 1000;
  let delay: number;
  switch (cfg.backoff) {
    case 'fixed':
      delay = base;
      break;
    case 'linear':
      delay = base * attempt;
      break;
    case 'exponential':
      delay = base * Math.pow(cfg.backoff_factor, attempt - 1);
      break;
  }
  delay = Math.min(delay, cfg.max_delay * 1000);
  // "Full jitter" over the upper half keeps retries spread without ever retrying instantly.
  if (cfg.jitter) delay = delay / 2 + random() * (delay / 2);
  return Math.max(0, Math.round(delay));
}

/** Whether this error, on this attempt, should be retried under `cfg`; and after how long. */
export function retryDecision(
  cfg: RetryConfig,
  err: unknown,
  attempt: number,
  random?: () => number,
): { retry: false } | { retry: true; delayMs: number } {
  if (attempt >= cfg.max_attempts || !isRetriable(err)) return { retry: false };
  const kind = errorKind(err);
  if (!cfg.retry_on.includes('any') && !cfg.retry_on.includes(kind)) return { retry: false };
  let delayMs = backoffDelayMs(cfg, attempt, random);
  if (err instanceof RetryAfterError) delayMs = Math.max(delayMs, err.retryAfterMs);
  return { retry: true, delayMs };
}
