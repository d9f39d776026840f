import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Notification } from '../../src/engine/ports.js';
import { createNotificationFeed, type NotificationOrigin } from '../../src/notify/feed.js';
import { recordingLogger } from '../mcp/harness.js';

const n = (id: string): Notification => ({
  id,
  kind: 'message',
  title: id,
  body: '',
  createdAt: '2025-03-05T15:00:00.000Z',
  deliveredAt: null,
  readAt: null,
});

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('notification feed', () => {
  it('reports each new notification once: local ones at once, others on the next poll; old ones never', async () => {
    const rows: Notification[] = [n('old')];
    const seen: [string, NotificationOrigin][] = [];
    const feed = createNotificationFeed({
      source: { list: (_unread, limit) => [...rows].reverse().slice(0, limit) },
      onNew: (x, origin) => void seen.push([x.id, origin]),
      log: recordingLogger(),
      pollMs: 1000,
    });
    feed.start();
    rows.push(n('local'));
    feed.offer(rows.at(-1)!);
    rows.push(n('elsewhere1'), n('elsewhere2'));
    expect(seen).toEqual([['local', 'local']]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(seen).toEqual([
      ['local', 'local'],
      ['elsewhere1', 'polled'],
      ['elsewhere2', 'polled'],
    ]);
    feed.check();
    await vi.advanceTimersByTimeAsync(5000);
    expect(seen).toHaveLength(3);
    feed.stop();
    rows.push(n('after stop'));
    await vi.advanceTimersByTimeAsync(5000);
    expect(seen).toHaveLength(3);
  });

  it('survives a failing source and a throwing listener', async () => {
    const log = recordingLogger();
    let fail = true;
    const feed = createNotificationFeed({
      source: {
        list: () => {
          if (fail) throw new Error('db busy');
          return [n('x')];
        },
      },
      onNew: () => {
        throw new Error('listener bug');
      },
      log,
      pollMs: 1000,
    });
    feed.start();
    await vi.advanceTimersByTimeAsync(1000);
    fail = false;
    await vi.advanceTimersByTimeAsync(1000);
    feed.stop();
    expect(log.entries.map((e) => e.msg)).toEqual([
      'could not read existing notifications',
      'could not check for new notifications',
      'notification listener failed',
    ]);
  });
});
