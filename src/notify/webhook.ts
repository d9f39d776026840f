import { errorMessage } from '../domain/errors.js';
import type { Clock, Logger, Notification, Notifier } from '../engine/ports.js';
import { notificationText } from './fan-out.js';

export interface WebhookOptions {
  url: string;
  /** Extra headers, e.g. Authorization. Never logged. */
  headers?: Record<string, string>;
  /** Attempts in all (default 4). */
  attempts?: number;
  timeoutMs?: number;
  /** First retry delay; doubles each time (default 1 s). */
  backoffMs?: number;
  clock: Clock;
  log: Logger;
  fetch?: typeof fetch;
}

/** The JSON a webhook receives. */
export function webhookPayload(n: Notification): Record<string, unknown> {
  const { title, body } = notificationText(n);
  return {
    type: 'chainloom.notification',
    id: n.id,
    kind: n.kind,
    title: n.title,
    body: n.body,
    text: body === '' ? title : `${title}\n${body}`,
    chain_id: n.chainId ?? null,
    run_id: n.runId ?? null,
    due_at: n.dueAt ?? null,
    created_at: n.createdAt,
  };
}

/**
 * POSTs each notification as JSON, retrying network errors, timeouts, 429 and 5xx with exponential
 * backoff; other 4xx answers are final. Sends `Idempotency-Key: <notification id>` so a receiver can
 * drop the duplicates a retry may cause. Never throws.
 */
export function createWebhookNotifier(opts: WebhookOptions): Notifier {
  const attempts = Math.max(1, opts.attempts ?? 4);
  const doFetch = opts.fetch ?? fetch;
  let target = opts.url;
  try {
    const u = new URL(opts.url);
    target = `${u.protocol}//${u.host}`; // for logs: no path or query (they may hold tokens)
  } catch {
    // logged below on first use
  }
  return {
    name: 'webhook',
    async deliver(n: Notification): Promise<void> {
      const body = JSON.stringify(webhookPayload(n));
      let last = '';
      for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
          const res = await doFetch(opts.url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'user-agent': 'chainloom',
              'idempotency-key': n.id,
              ...(opts.headers ?? {}),
            },
            body,
            signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
          });
          await res.body?.cancel().catch(() => undefined);
          if (res.ok) return;
          last = `HTTP ${res.status}`;
          if (res.status < 500 && res.status !== 429 && res.status !== 408) break;
        } catch (err) {
          last = errorMessage(err);
        }
        if (attempt < attempts) await opts.clock.sleep((opts.backoffMs ?? 1000) * 2 ** (attempt - 1));
      }
      opts.log.warn({ target, notificationId: n.id, err: last }, 'webhook delivery failed');
    },
  };
}
