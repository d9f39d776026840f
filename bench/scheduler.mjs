// Scheduler benchmarks (issue 3): 10,000 idle schedules, 1,000 due in one second vs croner,
// and two processes sharing one database.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Cron } from 'croner';
import { systemClock } from '../dist/engine/clock.js';
import { Executor } from '../dist/engine/executor.js';
import { Scheduler } from '../dist/engine/scheduler.js';
import { createServices } from '../dist/engine/services.js';
import { createBuiltinRegistry } from '../dist/engine/tools/builtins.js';
import { openStore } from '../dist/store/index.js';
import { nullLogger, percentile, round, tempDb } from './util.mjs';

const BIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const TWO_PROCESS_SECONDS = Number(process.env.BENCH_TWO_PROCESS_SECONDS ?? 300);

function stack(path) {
  const store = openStore(path);
  const tools = createBuiltinRegistry({ net: { allowPrivate: false, allowHosts: [] }, shellEnabled: false });
  const executor = new Executor({ stores: store, tools, clock: systemClock, log: nullLogger, owner: `bench-${process.pid}` });
  const services = createServices({ stores: store, executor, tools, clock: systemClock, log: nullLogger, actor: 'bench', openScratch: () => openStore(':memory:') });
  return { store, executor, services };
}

/** Inserts schedules straight into the table (what attach() stores), fast enough for 10,000. */
function insertSchedules(store, chainId, specs) {
  const ins = store.db.prepare(
    `INSERT INTO schedules (id, chain_id, kind, spec, timezone, description, inputs, next_run_at, catch_up, catch_up_max, overlap, enabled, created_at, updated_at)
     VALUES (?, ?, 'schedule', ?, ?, 'bench', '{}', ?, 'run_once', 10, 'allow', 1, ?, ?)`,
  );
  const now = Date.now();
  store.db.tx(() => specs.forEach(([spec, next], i) => ins.run(`sch_bench_${i}`, chainId, JSON.stringify(spec), spec.timezone, next, now, now)));
}

async function idle(path) {
  const { store, services } = stack(path);
  const chain = services.createChain({ name: 'idle', steps: [{ name: 'x', tool: 'util', operation: 'echo' }] }).chain;
  const specs = [];
  for (let i = 0; i < 10_000; i++) {
    // Yearly patterns on random far-future days (never due during the benchmark), as in peer-bench.
    const month = 1 + (i % 12);
    const day = 1 + (i % 28);
    const next = Date.UTC(2030 + (i % 5), month - 1, day, i % 24, i % 60);
    specs.push([{ kind: 'cron', patterns: [`${i % 60} ${i % 24} ${day} ${month} *`], timezone: i % 2 ? 'America/New_York' : 'UTC' }, next]);
  }
  insertSchedules(store, chain.id, specs);
  store.close();
  // Measure in a fresh process: load time, memory and idle CPU of a scheduler holding 10,000 rows.
  const child = spawn(process.execPath, [fileURLToPath(new URL('./scheduler-idle-child.mjs', import.meta.url)), path, String(IDLE_SECONDS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise((r) => child.on('exit', r));
  return JSON.parse(out);
}

async function burst(path) {
  const { store, executor, services } = stack(path);
  const chain = services.createChain({ name: 'burst', steps: [{ name: 'x', tool: 'util', operation: 'echo' }] }).chain;
  const target = Math.ceil((Date.now() + 3000) / 1000) * 1000;
  const at = new Date(target).toISOString();
  insertSchedules(store, chain.id, Array.from({ length: 1000 }, () => [{ kind: 'once', at, timezone: 'UTC' }, target]));
  // Lateness = when the run row was committed (onFired runs right after the commit) minus its slot.
  const created = [];
  const onFired = (_id, runIds) => {
    const late = Date.now() - target;
    for (const _ of runIds) created.push(late);
  };
  const scheduler = new Scheduler({ stores: store, executor, clock: systemClock, log: nullLogger, owner: `bench-${process.pid}`, onFired });
  scheduler.start();
  await new Promise((r) => setTimeout(r, target - Date.now() + 1500));
  await scheduler.drain();
  scheduler.stop();
  store.close();

  // croner firing the same 1,000 "at that second" jobs, one live job each.
  const t2 = Math.ceil((Date.now() + 3000) / 1000) * 1000;
  const d = new Date(t2);
  const pattern = `${d.getUTCSeconds()} ${d.getUTCMinutes()} ${d.getUTCHours()} ${d.getUTCDate()} ${d.getUTCMonth() + 1} *`;
  const late = [];
  const jobs = Array.from({ length: 1000 }, () => new Cron(pattern, { timezone: 'UTC', maxRuns: 1 }, () => late.push(performance.timeOrigin + performance.now() - t2)));
  await new Promise((r) => setTimeout(r, t2 - Date.now() + 1500));
  jobs.forEach((j) => j.stop());
  return {
    chainloomRunCreation: { runs: created.length, p50Ms: percentile(created, 50), p99Ms: percentile(created, 99), maxMs: Math.max(...created) },
    cronerCallbacks: { fired: late.length, p50Ms: round(percentile(late, 50)), p99Ms: round(percentile(late, 99)), maxMs: round(Math.max(...late)) },
  };
}

async function twoProcesses(path) {
  const { store, services } = stack(path);
  services.createChain({ name: 'tick', steps: [{ name: 'x', tool: 'util', operation: 'echo' }] });
  store.close();
  const env = { ...process.env, CHAINLOOM_DB: path, CHAINLOOM_LEASE_MS: '2000', CHAINLOOM_LOG_LEVEL: 'error' };
  const add = spawn(process.execPath, [BIN, 'schedule', 'add', 'tick', 'every second', '--catch-up', 'run_all', '--overlap', 'allow', '--json'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  add.stdout.on('data', (d) => (out += d));
  await new Promise((r) => add.on('exit', r));
  const scheduleId = JSON.parse(out).id;
  const daemons = [0, 1].map(() => spawn(process.execPath, [BIN, 'daemon'], { env, stdio: 'ignore' }));
  await new Promise((r) => setTimeout(r, TWO_PROCESS_SECONDS * 1000));
  for (const d of daemons) d.kill('SIGTERM');
  await Promise.all(daemons.map((d) => new Promise((r) => d.on('exit', r))));
  const db = openStore(path);
  const fires = db.db.prepare('SELECT slot, outcome FROM schedule_fires WHERE schedule_id = ? ORDER BY slot').all(scheduleId);
  const perSlot = db.db.prepare('SELECT slot, count(*) AS n FROM chain_executions WHERE schedule_id = ? GROUP BY slot HAVING n > 1').all(scheduleId);
  let missing = 0;
  for (let i = 1; i < fires.length; i++) missing += Math.round((Number(fires[i].slot) - Number(fires[i - 1].slot)) / 1000) - 1;
  const owners = db.db.prepare("SELECT count(*) AS n FROM schedule_fires WHERE schedule_id = ? AND outcome = 'started'").get(scheduleId);
  db.close();
  return { seconds: TWO_PROCESS_SECONDS, slotsFired: fires.length, started: Number(owners.n), duplicateSlots: perSlot.length, missingSlots: missing };
}

export async function run() {
  const t = tempDb();
  try {
    return {
      idle10000: await idle(t.path.replace('bench.db', 'idle.db')),
      due1000SameSecond: await burst(t.path.replace('bench.db', 'burst.db')),
      twoProcessesPerSecond: await twoProcesses(t.path.replace('bench.db', 'two.db')),
    };
  } finally {
    t.cleanup();
  }
}
