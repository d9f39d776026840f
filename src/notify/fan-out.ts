import { errorMessage } from '../domain/errors.js';
import type { Logger, Notification, Notifier } from '../engine/ports.js';

/**
 * Delivers a notification to every channel at once. A channel that fails or hangs never affects
 * the others, and `deliver` never rejects: notifications are already safe in the inbox.
 */
export function fanOut(notifiers: Notifier[], log: Logger): Notifier {
  return {
    name: `fan-out(${notifiers.map((n) => n.name).join(',')})`,
    async deliver(n: Notification): Promise<void> {
      const results = await Promise.allSettled(notifiers.map((c) => c.deliver(n)));
      results.forEach((r, i) => {
        if (r.status === 'rejected')
          log.warn(
            { channel: notifiers[i]!.name, notificationId: n.id, err: errorMessage(r.reason) },
            'notification channel failed',
          );
      });
    },
  };
}

/** A short plain-text rendering shared by the out-of-band channels. */
export function notificationText(n: Notification): { title: string; body: string } {
  const prefix =
    n.kind === 'reminder' ? '⏰ ' : n.kind === 'run_failed' ? '⚠️ ' : n.kind === 'run_completed' ? '✅ ' : '';
  const title = `${prefix}${n.title === 'Reminder' && n.body !== '' ? `Reminder: ${n.body}` : n.title}`.slice(
    0,
    200,
  );
  const body = (n.title === 'Reminder' ? (n.dueAt !== undefined ? `due ${n.dueAt}` : '') : n.body).slice(
    0,
    1000,
  );
  return { title, body };
}
