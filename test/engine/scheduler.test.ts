import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Scheduler } from '../../src/engine/scheduler.js';
import { createScheduling } from '../../src/engine/scheduling.js';
import { nullLogger } from '../../src/engine/logger.js';
import { TestClock } from '../support/clock.js';
import { type Harness, makeEngine } from '../support/engine.js';

let h: Harness;
let clock: TestClock;
let scheduler: Scheduler;
let scheduling: ReturnType<typeof createScheduling>;

function setup(start: string, tz = 'America/New_York', owner = 'me', path?: string): void {
  clock = new TestClock(start);
  h = makeEngine({ clock, path, onDefinitionSaved: (c, d, p) => scheduling?.onDefinitionSaved(c, d, p) });
  scheduler = new Scheduler({ stores: h.store, executor: h.executor, clock, log: nullLogger, owner, leaseMs: 3000 });
  scheduling = createScheduling({ stores: h.store, services: h.services, executor: h.executor, clock, log: nullLogger, timeZone: tz, scheduler });
}

async function tickAt(iso: string): Promise<number> {
  clock.set(iso);
  const n = await scheduler.tick();
  await scheduler.drain();
  return n;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'] });
});
afterEach(() => {
  scheduler?.stop();
  h?.close();
  vi.useRealTimers();
});

describe('reminders', () => {
  it('fires a one-off reminder once, on time, into the inbox', async () => {
    setup('2025-03-05T15:15:00Z');
    scheduler.start();
    const r = await scheduling.remind('remind me in 20 minutes to stretch');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.understood.task).toBe('stretch');
    expect(r.schedule.nextRunAt).toBe('2025-03-05T15:35:00.000Z');

    expect(await tickAt('2025-03-05T15:34:59Z')).toBe(0);
    expect(await tickAt('2025-03-05T15:35:00Z')).toBe(1);
    expect(await tickAt('2025-03-05T16:35:00Z')).toBe(0);

    const inbox = h.services.inbox.list();
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({ kind: 'reminder', body: 'stretch', dueAt: '2025-03-05T15:35:00.000Z' });
    expect(scheduling.get(r.schedule.id).nextRunAt).toBeNull();
  });

  it('asks instead of guessing when the words are ambiguous, and saves nothing', async () => {
    setup('2025-03-05T15:15:00Z');
    const r = await scheduling.remind('remind me later');
    expect(r.ok).toBe(false);
    expect(h.services.listChains()).toEqual([]);
  });

  it('delivers a reminder missed during downtime once, late, by default', async () => {
    setup('2025-03-05T15:15:00Z');
    scheduler.start();
    await scheduling.remind('every day at 9am to take vitamins');
    // Down for three mornings; the process comes back at noon on the 8th.
    expect(await tickAt('2025-03-08T17:00:00Z')).toBe(1);
    const runs = h.services.history({});
    expect(runs).toHaveLength(1);
    expect(runs[0]!.slot).toBe('2025-03-08T14:00:00.000Z');
    const fires = h.store.schedules.fires(scheduling.list()[0]!.id);
    expect(fires.map((f) => f.outcome).sort()).toEqual(['skipped_missed', 'skipped_missed', 'started']);
  });
});

describe('recurring schedules', () => {
  it('fires daily at 09:00 local time across the spring-forward change, once a day', async () => {
    setup('2025-03-07T15:00:00Z');
    scheduler.start();
    h.services.createChain({ name: 'daily', steps: [{ name: 'x', tool: 'util', operation: 'echo' }] });
    const s = await scheduling.attach('daily', 'every day at 9am');
    expect(s.next.slice(0, 3)).toEqual(['2025-03-08T09:00:00-05:00', '2025-03-09T09:00:00-04:00', '2025-03-10T09:00:00-04:00']);
    for (const day of ['2025-03-08T14:00:00Z', '2025-03-09T13:00:00Z', '2025-03-10T13:00:00Z', '2025-03-11T13:00:00Z']) {
      expect(await tickAt(day)).toBe(1);
      expect(await tickAt(day)).toBe(0);
    }
    expect(h.services.history({}).map((r) => r.slot).reverse()).toEqual([
      '2025-03-08T14:00:00.000Z',
      '2025-03-09T13:00:00.000Z',
      '2025-03-10T13:00:00.000Z',
      '2025-03-11T13:00:00.000Z',
    ]);
  });

  it('fires a 01:30 schedule once on the fall-back day (the earlier 01:30)', async () => {
    setup('2025-11-01T12:00:00Z');
    scheduler.start();
    h.services.createChain({ name: 'night', steps: [{ name: 'x', tool: 'util', operation: 'echo' }] });
    const s = await scheduling.attach('night', 'every day at 1:30am');
    expect(s.next[0]).toBe('2025-11-02T01:30:00-04:00');
    expect(await tickAt('2025-11-02T05:30:00Z')).toBe(1);
    expect(await tickAt('2025-11-02T06:30:00Z')).toBe(0);
    expect(scheduling.get(s.id).nextRunAt).toBe('2025-11-03T06:30:00.000Z');
  });

  it('applies catch-up policies: skip, run_once, run_all', async () => {
    setup('2025-03-05T12:00:00Z', 'UTC');
    scheduler.start();
    for (const name of ['skip', 'run_once', 'run_all']) {
      h.services.createChain({ name, steps: [{ name: 'x', tool: 'util', operation: 'echo' }] });
      await scheduling.attach(name, 'every day at 13:00', { catchUp: name as 'skip' });
    }
    await tickAt('2025-03-08T14:30:00Z');
    const count = (chain: string): number => h.services.history({ chain }).length;
    expect(count('skip')).toBe(0);
    expect(count('run_once')).toBe(1);
    expect(count('run_all')).toBe(4);
  });

  it('skips a slot while the previous run is still active (overlap skip), and queues it under "queue"', async () => {
    setup('2025-03-05T12:00:00Z', 'UTC');
    scheduler.start();
    for (const overlap of ['skip', 'queue'] as const) {
      h.services.createChain({ name: overlap, steps: [{ name: 'x', tool: 'util', operation: 'echo' }] });
      const s = await scheduling.attach(overlap, 'every hour', { overlap });
      // An unfinished run of this schedule, e.g. from a slow previous slot.
      h.store.db.prepare("INSERT INTO chain_executions (id, chain_id, version, trigger, schedule_id, slot, status, inputs, created_at) VALUES (?, ?, 1, 'schedule', ?, 1, 'paused', '{}', 1)").run(`run_old_${overlap}`, s.chainId, s.id);
    }
    await tickAt('2025-03-05T13:00:00Z');
    const fires = (name: string) => h.store.schedules.fires(scheduling.list({ chain: name })[0]!.id).map((f) => f.outcome);
    expect(fires('skip')).toEqual(['skipped_overlap']);
    expect(fires('queue')).toEqual(['queued']);
  });

  it('pauses and resumes a schedule; a paused chain does not fire', async () => {
    setup('2025-03-05T12:00:00Z', 'UTC');
    scheduler.start();
    h.services.createChain({ name: 'c', steps: [{ name: 'x', tool: 'util', operation: 'echo' }] });
    const s = await scheduling.attach('c', 'every hour');
    scheduling.pause(s.id);
    expect(await tickAt('2025-03-05T13:00:00Z')).toBe(0);
    scheduling.resume(s.id);
    expect(scheduling.get(s.id).nextRunAt).toBe('2025-03-05T14:00:00.000Z');
    h.services.setChainStatus('c', 'paused');
    expect(await tickAt('2025-03-05T14:00:00Z')).toBe(0);
    h.services.setChainStatus('c', 'active');
    expect(await tickAt('2025-03-05T14:00:30Z')).toBe(1);
  });

  it('honours count: "every hour, 3 times"', async () => {
    setup('2025-03-05T12:10:00Z', 'UTC');
    scheduler.start();
    h.services.createChain({ name: 'c', steps: [{ name: 'x', tool: 'util', operation: 'echo' }] });
    const s = await scheduling.attach('c', 'every hour, 3 times');
    let total = 0;
    for (const t of ['13:00', '14:00', '15:00', '16:00', '17:00']) total += await tickAt(`2025-03-05T${t}:00Z`);
    expect(total).toBe(3);
    expect(scheduling.get(s.id).nextRunAt).toBeNull();
  });

  it('attaches the schedule written in a chain definition (the seed format)', async () => {
    setup('2025-03-05T12:00:00Z');
    h.services.createChain({ name: 'brief', schedule: { frequency: 'daily', time: '05:00:00', timezone: 'America/New_York' }, steps: [{ name: 'x', tool: 'util', operation: 'echo' }] });
    await vi.waitFor(() => expect(scheduling.list({ chain: 'brief' })).toHaveLength(1));
    expect(scheduling.list({ chain: 'brief' })[0]!.next[0]).toBe('2025-03-06T05:00:00-05:00');
  });
});

describe('exactly once', () => {
  it('a second firer loses the compare-and-swap and creates nothing', async () => {
    setup('2025-03-05T12:00:00Z', 'UTC');
    h.services.createChain({ name: 'c', steps: [{ name: 'x', tool: 'util', operation: 'echo' }] });
    const s = await scheduling.attach('c', 'every hour');
    const row = h.store.schedules.get(s.id)!;
    const req = { schedule: row, expectedNextRunAtMs: row.nextRunAtMs!, slots: [{ slotMs: row.nextRunAtMs!, outcome: 'started' as const }], newNextRunAtMs: row.nextRunAtMs! + 3_600_000, now: clock.now() };
    expect(h.store.schedules.fire(req)?.runIds).toHaveLength(1);
    expect(h.store.schedules.fire(req)).toBeUndefined();
    expect(h.services.history({})).toHaveLength(1);
  });

  it('only the lease holder fires; a standby takes over when the holder stops renewing', async () => {
    setup('2025-03-05T12:00:00Z', 'UTC');
    const other = new Scheduler({ stores: h.store, executor: h.executor, clock, log: nullLogger, owner: 'other', leaseMs: 3000 });
    scheduler.start();
    other.start();
    expect(scheduler.isLeader).toBe(true);
    expect(other.isLeader).toBe(false);
    h.services.createChain({ name: 'c', steps: [{ name: 'x', tool: 'util', operation: 'echo' }] });
    await scheduling.attach('c', 'every hour');
    clock.set('2025-03-05T13:00:00Z');
    expect(await other.tick()).toBe(0);
    // The holder dies without releasing: its lease lapses and the standby takes over.
    clearInterval(scheduler['heartbeat']);
    scheduler['closed'] = true;
    clock.advance(3001);
    vi.advanceTimersByTime(1000);
    expect(other.isLeader).toBe(true);
    expect(await other.tick()).toBe(1);
    other.stop();
  });
});

describe('event triggers', () => {
  it('runs chains on a named event with the payload, and on another chain completing or failing', async () => {
    setup('2025-03-05T12:00:00Z', 'UTC');
    h.services.createChain({ name: 'on-upload', steps: [{ name: 'x', tool: 'util', operation: 'echo', parameters: { value: 'got {inputs.event.data.file}' }, output_key: 'msg' }] });
    h.services.createChain({ name: 'producer', steps: [{ name: 'x', tool: 'util', operation: 'echo' }] });
    h.services.createChain({ name: 'after', steps: [{ name: 'x', tool: 'util', operation: 'echo', parameters: { value: '{inputs.event.status}' }, output_key: 's' }] });
    scheduling.addTrigger('on-upload', 'file.uploaded');
    scheduling.addTrigger('after', 'chain.completed:producer');
    const res = await scheduling.emit('file.uploaded', { file: 'report.pdf' });
    await scheduling.drain();
    expect(h.services.getRun(res.runs[0]!.id).output).toEqual({ msg: 'got report.pdf' });

    const run = await h.services.runChain('producer');
    scheduling.onRunFinished(run);
    await scheduling.drain();
    const after = h.services.history({ chain: 'after' });
    expect(after).toHaveLength(1);
    expect(after[0]!.trigger).toBe('event');
    expect(h.services.getRun(after[0]!.id).output).toEqual({ s: 'completed' });
  });
});

describe('triggers of a paused chain', () => {
  it('do not start runs until the chain is active again', async () => {
    setup('2025-03-05T12:00:00Z', 'UTC');
    h.services.createChain({ name: 'listener', steps: [{ name: 'x', tool: 'util', operation: 'echo' }] });
    scheduling.addTrigger('listener', 'ping');
    h.services.setChainStatus('listener', 'paused');
    expect((await scheduling.emit('ping', null)).runs).toHaveLength(0);
    h.services.setChainStatus('listener', 'active');
    expect((await scheduling.emit('ping', null)).runs).toHaveLength(1);
    await scheduling.drain();
  });
});
