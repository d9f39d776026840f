import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { runBin, spawnBin, tempDir } from '../support/cli.js';

let tmp: ReturnType<typeof tempDir>;
const children: ReturnType<typeof spawnBin>[] = [];
afterEach(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  children.length = 0;
  tmp?.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('two daemons on one database', () => {
  it('fire every per-second slot exactly once, and the standby takes over when the holder is killed', { timeout: 40_000 }, async () => {
    tmp = tempDir();
    const db = join(tmp.dir, 'shared.db');
    const env = { CHAINLOOM_DB: db, CHAINLOOM_LEASE_MS: '1500', CHAINLOOM_TZ: 'UTC' };
    expect(runBin(['chain', 'create', '-f', '-'], env, JSON.stringify({ name: 'tick', steps: [{ name: 'x', tool: 'util', operation: 'echo' }] })).code).toBe(0);
    const added = runBin(['schedule', 'add', 'tick', 'every second', '--catch-up', 'run_all', '--overlap', 'allow', '--json'], env);
    expect(added.code, added.stderr).toBe(0);
    const scheduleId = JSON.parse(added.stdout).id as string;

    const a = spawnBin(['daemon'], env);
    children.push(a);
    await sleep(400);
    const b = spawnBin(['daemon'], env);
    children.push(b);
    await sleep(3500);

    const store = openStore(db);
    const holder = store.schedules.leaseHolder('scheduler')!;
    const leaderPid = Number(holder.owner.split('@')[0]);
    const leader = [a, b].find((c) => c.pid === leaderPid)!;
    const standby = leader === a ? b : a;
    const killedAt = Date.now();
    leader.kill('SIGKILL');
    await sleep(4500);
    const newHolder = store.schedules.leaseHolder('scheduler')!;
    expect(Number(newHolder.owner.split('@')[0])).toBe(standby.pid);

    standby.kill('SIGTERM');
    await new Promise((r) => standby.once('exit', r));

    const fires = store.schedules.fires(scheduleId, 1000).sort((x, y) => x.slotMs - y.slotMs);
    expect(fires.length).toBeGreaterThan(5);
    // No gaps: consecutive slots one second apart, from the first to the last.
    for (let i = 1; i < fires.length; i++) expect(fires[i]!.slotMs - fires[i - 1]!.slotMs).toBe(1000);
    expect(fires.every((f) => f.outcome === 'started' && f.runId !== null)).toBe(true);
    // No duplicates: one run per slot, and every run belongs to exactly one slot.
    const runs = store.db.prepare('SELECT slot, count(*) AS n FROM chain_executions WHERE schedule_id = ? GROUP BY slot').all(scheduleId);
    expect(runs).toHaveLength(fires.length);
    expect(runs.every((r) => Number(r['n']) === 1)).toBe(true);
    // The standby fired slots after the holder died.
    expect(fires.some((f) => f.firedAtMs > killedAt)).toBe(true);
    store.close();
  });
});
