import { afterEach, beforeEach, expect, it } from 'vitest';
import type { OpenedStore } from '../../src/store/index.js';
import { at, describeEachDriver, memoryStore } from './drivers.js';

describeEachDriver('notifications repository', (driver) => {
  let store: OpenedStore;
  beforeEach(() => {
    store = memoryStore(driver);
  });
  afterEach(() => store.close());

  const add = (title: string, offsetMs: number) =>
    store.notifications.add(
      { kind: 'run_failed', title, body: `${title} body`, data: { title } },
      at(offsetMs),
    );

  it('hands out undelivered notifications once, oldest first, and marks them delivered', () => {
    const a = add('first', 0);
    const b = add('second', 1000);
    expect(a).toMatchObject({ title: 'first', deliveredAt: null, readAt: null, data: { title: 'first' } });

    const taken = store.notifications.takeUndelivered(at(5000));
    expect(taken.map((n) => n.id)).toEqual([a.id, b.id]);
    expect(taken.every((n) => n.deliveredAt === at(5000).toISOString())).toBe(true);
    expect(store.notifications.get(a.id)?.deliveredAt).toBe(at(5000).toISOString());
    expect(store.notifications.takeUndelivered(at(6000))).toEqual([]);

    const c = add('third', 7000);
    expect(store.notifications.takeUndelivered(at(8000)).map((n) => n.id)).toEqual([c.id]);
  });

  it('respects the limit and leaves the rest for the next call', () => {
    const ids = [0, 1, 2].map((i) => add(`n${i}`, i * 1000).id);
    expect(store.notifications.takeUndelivered(at(5000), 2).map((n) => n.id)).toEqual(ids.slice(0, 2));
    expect(store.notifications.takeUndelivered(at(6000), 2).map((n) => n.id)).toEqual(ids.slice(2));
  });

  it('marks read, which also counts as delivered', () => {
    const a = add('a', 0);
    const b = add('b', 1000);
    expect(store.notifications.markRead([a.id, a.id], at(2000))).toBe(1);
    expect(store.notifications.list({ unreadOnly: true }).map((n) => n.id)).toEqual([b.id]);
    expect(store.notifications.takeUndelivered(at(3000)).map((n) => n.id)).toEqual([b.id]);
    expect(store.notifications.markRead('all', at(4000))).toBe(1);
    expect(store.notifications.list({}).map((n) => n.id)).toEqual([b.id, a.id]);
  });
});
