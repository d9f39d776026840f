import { errorMessage } from '../domain/errors.js';
import type { Logger, Notification } from '../engine/ports.js';

/** Where notifications are read from: the inbox use case (newest first). */
export interface NotificationSource {
  list(unreadOnly: boolean, limit: number): Notification[];
}

/** "local": created by this process (seen through a hook); "polled": found in the database. */
export type NotificationOrigin = 'local' | 'polled';

export interface FeedOptions {
  source: NotificationSource;
  onNew: (n: Notification, origin: NotificationOrigin) => void;
  log: Logger;
  /** How often to look for notifications written by other processes (default 2 s; 0 = never). */
  pollMs?: number;
}

export interface NotificationFeed {
  /** A notification this process just created. */
  offer(n: Notification): void;
  /** Looks for notifications not seen yet (cheap: one indexed query). */
  check(): void;
  start(): void;
  stop(): void;
}

const MAX_REMEMBERED = 2000;

/**
 * Notices new notifications, each exactly once per process: at once for those created here, and
 * by a light poll for those written by other processes sharing the database (a daemon, another
 * chat app). Everything that existed at start counts as seen: the inbox delivers those.
 */
export function createNotificationFeed(opts: FeedOptions): NotificationFeed {
  const seen = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const remember = (id: string): boolean => {
    if (seen.has(id)) return false;
    seen.add(id);
    if (seen.size > MAX_REMEMBERED) {
      const oldest = seen.values().next().value;
      if (oldest !== undefined) seen.delete(oldest);
    }
    return true;
  };

  const emit = (n: Notification, origin: NotificationOrigin): void => {
    if (stopped || !remember(n.id)) return;
    try {
      opts.onNew(n, origin);
    } catch (err) {
      opts.log.warn({ notificationId: n.id, err: errorMessage(err) }, 'notification listener failed');
    }
  };

  const check = (): void => {
    if (stopped) return;
    try {
      const recent = opts.source.list(false, 50);
      for (const n of recent.reverse()) emit(n, 'polled');
    } catch (err) {
      opts.log.warn({ err: errorMessage(err) }, 'could not check for new notifications');
    }
  };

  return {
    offer: (n) => emit(n, 'local'),
    check,
    start() {
      try {
        for (const n of opts.source.list(false, 200)) remember(n.id);
      } catch (err) {
        opts.log.warn({ err: errorMessage(err) }, 'could not read existing notifications');
      }
      const every = opts.pollMs ?? 2000;
      if (every > 0) {
        timer = setInterval(check, every);
        timer.unref();
      }
    },
    stop() {
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
  };
}
