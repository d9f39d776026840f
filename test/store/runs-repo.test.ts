import { afterEach, beforeEach, expect, it } from 'vitest';
import type { RunStatus } from '../../src/domain/records.js';
import type { StepOutcome } from '../../src/engine/store-ports.js';
import type { OpenedStore } from '../../src/store/index.js';
import { T0, at, chainDef, describeEachDriver, memoryStore, meta } from './drivers.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

describeEachDriver('runs repository', (driver) => {
  let store: OpenedStore;
  let chainId: string;
  beforeEach(() => {
    store = memoryStore(driver);
    chainId = store.chains.create(chainDef('Nightly'), meta()).id;
  });
  afterEach(() => store.close());

  const newRun = (offsetMs: number, extra: { chain?: string; scheduleId?: string; slotMs?: number } = {}) =>
    store.runs.createRun({
      chainId: extra.chain ?? chainId,
      version: 1,
      trigger: extra.scheduleId === undefined ? 'manual' : 'schedule',
      inputs: { n: offsetMs },
      scheduleId: extra.scheduleId,
      slotMs: extra.slotMs,
      now: at(offsetMs),
    });

  /** A run that started at `offsetMs` and ended `durationMs` later with `status`. */
  const finishedRun = (
    offsetMs: number,
    durationMs: number,
    status: RunStatus,
    chain?: string,
    errorStep?: string,
  ) => {
    const run = newRun(offsetMs, { chain })!;
    expect(store.runs.claimRun(run.id, 'owner', MIN, at(offsetMs))).toBe(true);
    const error =
      status === 'failed'
        ? { message: `step ${errorStep} broke: disk full`, code: 'tool_error', stepKey: errorStep }
        : null;
    store.runs.finishRun(
      run.id,
      status,
      status === 'completed' ? { ok: true } : null,
      error,
      at(offsetMs + durationMs),
    );
    return run.id;
  };

  const step = (runId: string, stepKey: string, over: Partial<StepOutcome> = {}): StepOutcome => ({
    runId,
    stepKey,
    iteration: 0,
    seq: 1,
    tool: 'util.echo',
    status: 'running',
    attempt: 1,
    startedAtMs: T0,
    finishedAtMs: null,
    ...over,
  });

  it('creates a pending run, and only one per (schedule, slot)', () => {
    const slot = T0 + DAY;
    const first = newRun(0, { scheduleId: 'sch_1', slotMs: slot });
    expect(first).toMatchObject({
      status: 'pending',
      chainName: 'Nightly',
      scheduleId: 'sch_1',
      inputs: { n: 0 },
    });
    expect(first?.slot).toBe(new Date(slot).toISOString());
    expect(newRun(10, { scheduleId: 'sch_1', slotMs: slot })).toBeUndefined();
    expect(newRun(20, { scheduleId: 'sch_1', slotMs: slot + DAY })).toBeDefined();
    expect(newRun(30, { scheduleId: 'sch_2', slotMs: slot })).toBeDefined();
    // Manual runs have no slot and never collide.
    expect(newRun(40)).toBeDefined();
    expect(newRun(50)).toBeDefined();
    expect(store.runs.history({ limit: 100 })).toHaveLength(5);
    expect(store.runs.activeRunsOfSchedule('sch_1')).toBe(2);
  });

  it('claims under a lease: a live owner blocks, an expired lease or a named dead owner is taken over', () => {
    const run = newRun(0)!;
    expect(store.runs.claimRun(run.id, 'A', MIN, at(0))).toBe(true);
    expect(store.runs.getRun(run.id)).toMatchObject({ status: 'running', startedAt: at(0).toISOString() });
    expect(store.runs.leaseOwner(run.id)).toBe('A');

    expect(store.runs.claimRun(run.id, 'B', MIN, at(30_000))).toBe(false);
    expect(store.runs.claimRun(run.id, 'B', MIN, at(30_000), 'C')).toBe(false);
    expect(store.runs.leaseOwner(run.id)).toBe('A');
    // The holder may re-claim (renew) at any time.
    expect(store.runs.claimRun(run.id, 'A', MIN, at(50_000))).toBe(true);
    expect(store.runs.claimRun(run.id, 'B', MIN, at(MIN + 10_000))).toBe(false);

    expect(store.runs.claimRun(run.id, 'B', MIN, at(50_000 + MIN + 1))).toBe(true);
    expect(store.runs.leaseOwner(run.id)).toBe('B');
    expect(store.runs.getRun(run.id)?.startedAt).toBe(at(0).toISOString());

    expect(store.runs.claimRun(run.id, 'C', MIN, at(50_000 + MIN + 2), 'B')).toBe(true);
    expect(store.runs.leaseOwner(run.id)).toBe('C');

    store.runs.finishRun(run.id, 'completed', null, null, at(2 * MIN + 10_000));
    expect(store.runs.leaseOwner(run.id)).toBeNull();
    expect(store.runs.claimRun(run.id, 'A', MIN, at(10 * MIN))).toBe(false);
  });

  it('lists resumable runs whose lease is free, expired or held by a dead owner', () => {
    const free = newRun(0)!;
    const live = newRun(1)!;
    const expired = newRun(2)!;
    const dead = newRun(3)!;
    store.runs.claimRun(live.id, 'alive', 10 * MIN, at(0));
    store.runs.claimRun(expired.id, 'alive', 1000, at(0));
    store.runs.claimRun(dead.id, 'gone', 10 * MIN, at(0));
    const ids = store.runs.listResumable(at(5000), (owner) => owner !== 'gone').map((r) => r.id);
    expect(ids).toEqual([free.id, expired.id, dead.id]);
  });

  it('records a step by replacing its row, one row per (step, iteration)', () => {
    const run = newRun(0)!;
    store.runs.recordStep(step(run.id, 'fetch'));
    store.runs.recordStep(
      step(run.id, 'fetch', {
        status: 'completed',
        output: { temp: 21 },
        finishedAtMs: T0 + 250,
        promptTokens: 12,
      }),
    );
    store.runs.recordSteps([
      step(run.id, 'loop', { seq: 2, iteration: 0, status: 'completed', finishedAtMs: T0 + 300 }),
      step(run.id, 'loop', {
        seq: 2,
        iteration: 1,
        status: 'failed',
        error: { message: 'no', code: 'tool_error' },
      }),
    ]);
    const steps = store.runs.steps(run.id);
    expect(steps.map((s) => [s.stepKey, s.iteration, s.status])).toEqual([
      ['fetch', 0, 'completed'],
      ['loop', 0, 'completed'],
      ['loop', 1, 'failed'],
    ]);
    expect(steps[0]).toMatchObject({
      output: { temp: 21 },
      durationMs: 250,
      promptTokens: 12,
      completionTokens: null,
    });
    expect(steps[2]?.error).toEqual({ message: 'no', code: 'tool_error' });
    store.runs.recordAttemptFailure(run.id, 'fetch', 0, 1, T0, T0 + 10, {
      message: 'timeout',
      code: 'timeout',
    });
    expect(store.runs.getRunDetail(run.id)?.attempts).toEqual([
      expect.objectContaining({
        stepKey: 'fetch',
        attempt: 1,
        error: { message: 'timeout', code: 'timeout' },
      }),
    ]);
  });

  it('filters history by chain, status, time and text, newest first', () => {
    const other = store.chains.create(chainDef('Weekly'), meta()).id;
    const a = finishedRun(1 * MIN, 1000, 'completed');
    const b = finishedRun(2 * MIN, 1000, 'failed', undefined, 'upload');
    const c = finishedRun(3 * MIN, 1000, 'completed', other);
    const d = newRun(4 * MIN)!.id;
    const ids = (f: Parameters<typeof store.runs.history>[0]) => store.runs.history(f).map((r) => r.id);

    expect(ids({})).toEqual([d, c, b, a]);
    expect(ids({ chainId })).toEqual([d, b, a]);
    expect(ids({ status: 'completed' })).toEqual([c, a]);
    expect(ids({ sinceMs: T0 + 2 * MIN })).toEqual([d, c, b]);
    expect(ids({ sinceMs: T0 + 2 * MIN, untilMs: T0 + 4 * MIN })).toEqual([c, b]);
    expect(ids({ text: 'weekly' })).toEqual([c]);
    expect(ids({ text: 'disk full' })).toEqual([b]);
    expect(ids({ chainId, status: 'pending' })).toEqual([d]);
    expect(ids({ limit: 2 })).toEqual([d, c]);
    expect(ids({ before: c })).toEqual([b, a]);
    expect(store.runs.getRun(b)?.error).toMatchObject({ code: 'tool_error', stepKey: 'upload' });
  });

  it('computes success rate, p95 duration and failures by step', () => {
    const other = store.chains.create(chainDef('Other'), meta()).id;
    // 18 completed runs of 1..18 s, 2 failed at "upload", 1 at "fetch", 1 cancelled, 1 pending.
    for (let i = 1; i <= 18; i++) finishedRun(i * MIN, i * 1000, 'completed');
    finishedRun(30 * MIN, 500, 'failed', undefined, 'upload');
    finishedRun(31 * MIN, 500, 'failed', undefined, 'upload');
    finishedRun(32 * MIN, 500, 'failed', undefined, 'fetch');
    finishedRun(33 * MIN, 500, 'cancelled');
    newRun(34 * MIN);
    finishedRun(35 * MIN, 99_000, 'completed', other);

    const s = store.runs.stats(chainId, undefined);
    expect(s).toMatchObject({ chainId, runs: 23, completed: 18, failed: 3, cancelled: 1, running: 1 });
    expect(s.successRate).toBeCloseTo(18 / 21);
    expect(s.avgDurationMs).toBe(9500);
    expect(s.p95DurationMs).toBe(18_000);
    expect(s.failuresByStep).toEqual([
      { stepKey: 'upload', failures: 2 },
      { stepKey: 'fetch', failures: 1 },
    ]);
    expect(s.lastRunAt).toBe(at(34 * MIN).toISOString());

    const recent = store.runs.stats(chainId, T0 + 30 * MIN);
    expect(recent).toMatchObject({ runs: 5, completed: 0, failed: 3, successRate: 0, p95DurationMs: null });
    expect(store.runs.stats(undefined, undefined)).toMatchObject({ chainId: null, runs: 24, completed: 19 });
    expect(store.runs.stats(store.chains.create(chainDef('Empty'), meta()).id, undefined)).toMatchObject({
      runs: 0,
      successRate: null,
      p95DurationMs: null,
      lastRunAt: null,
    });
  });

  it('prunes old finished runs with their steps, never unfinished ones', () => {
    const oldDone = finishedRun(0, 1000, 'completed');
    const oldFailed = finishedRun(MIN, 1000, 'failed', undefined, 'x');
    const oldPending = newRun(2 * MIN)!.id;
    const oldRunning = newRun(3 * MIN)!.id;
    store.runs.claimRun(oldRunning, 'A', MIN, at(3 * MIN));
    const recentDone = finishedRun(10 * DAY, 1000, 'completed');
    for (const id of [oldDone, oldFailed, oldPending, recentDone]) {
      store.runs.recordStep(step(id, 's1', { status: 'completed' }));
      store.runs.recordAttemptFailure(id, 's1', 0, 1, T0, T0 + 1, { message: 'x', code: 'x' });
    }

    expect(store.runs.prune(T0 + DAY, 1)).toBe(2);
    const left = store.runs.history({ limit: 100 }).map((r) => r.id);
    expect(left.sort()).toEqual([oldPending, oldRunning, recentDone].sort());
    for (const id of [oldDone, oldFailed]) {
      expect(store.runs.getRun(id)).toBeUndefined();
      expect(store.db.prepare('SELECT count(*) AS n FROM step_executions WHERE run_id = ?').get(id)).toEqual({
        n: 0,
      });
      expect(store.db.prepare('SELECT count(*) AS n FROM step_attempts WHERE run_id = ?').get(id)).toEqual({
        n: 0,
      });
    }
    expect(store.runs.steps(oldPending)).toHaveLength(1);
    expect(store.runs.steps(recentDone)).toHaveLength(1);
    expect(store.runs.prune(T0 + DAY)).toBe(0);
  });
});
