// Engine benchmarks (issue 2): per-step overhead vs a bare SQLite write, DAG fan-out, history latency.
import Database from 'better-sqlite3';
import { systemClock } from '../dist/engine/clock.js';
import { Executor } from '../dist/engine/executor.js';
import { createServices } from '../dist/engine/services.js';
import { createBuiltinRegistry } from '../dist/engine/tools/builtins.js';
import { openStore } from '../dist/store/index.js';
import { nullLogger, percentile, round, tempDb } from './util.mjs';

/** The physical limit: one WAL (synchronous=NORMAL) transaction inserting a ~300-byte step outcome. */
function bareWriteUs(path, n = 20_000) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE step_outcome (id INTEGER PRIMARY KEY, run_id TEXT, step_index INTEGER, status TEXT, output TEXT, recorded_at INTEGER); CREATE INDEX so ON step_outcome(run_id, step_index)');
  const ins = db.prepare('INSERT INTO step_outcome (run_id, step_index, status, output, recorded_at) VALUES (?, ?, ?, ?, ?)');
  const begin = db.prepare('BEGIN');
  const commit = db.prepare('COMMIT');
  const payload = { temperature: 72, condition: 'sunny', humidity: 0.41, wind: { speed: 12, dir: 'NW' }, note: 'x'.repeat(180) };
  const once = (i) => {
    begin.run();
    ins.run('run_bench', i, 'completed', JSON.stringify(payload), Date.now());
    commit.run();
  };
  for (let i = 0; i < 500; i++) once(i);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) once(i);
  const us = Number(process.hrtime.bigint() - t0) / 1000 / n;
  db.close();
  return us;
}

function engine(path) {
  const store = openStore(path);
  const tools = createBuiltinRegistry({ net: { allowPrivate: true, allowHosts: [] }, shellEnabled: false });
  tools.register({
    name: 'bench',
    description: 'benchmark no-ops',
    operations: { noop: { description: 'no-op with side effects', sideEffects: true, execute: async () => ({ ok: true }) } },
  });
  const executor = new Executor({ stores: store, tools, clock: systemClock, log: nullLogger, owner: 'bench' });
  const services = createServices({ stores: store, executor, tools, clock: systemClock, log: nullLogger, actor: 'bench', openScratch: () => openStore(':memory:') });
  return { store, executor, services };
}

async function linear(path, tool, operation, n = 1000, runs = 3) {
  const { store, services } = engine(path);
  const steps = Array.from({ length: n }, (_, i) => ({ id: `s${i}`, name: `s${i}`, tool, operation, parameters: { value: { i, prev: i > 0 ? `{steps.s${i - 1}.status}` : null } } }));
  // The definition limit is 500 steps; chain 2×500 through a sub-chain-free split for 1,000 records.
  const half = Math.min(n, 500);
  services.createChain({ name: 'bench-a', steps: steps.slice(0, half) });
  services.createChain({ name: 'bench-b', steps: steps.slice(0, n - half).map((s, i) => ({ ...s, parameters: { value: { i } } })) });
  await services.runChain('bench-a');
  await services.runChain('bench-b');
  const per = [];
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    const a = await services.runChain('bench-a');
    const b = await services.runChain('bench-b');
    const ns = Number(process.hrtime.bigint() - t0);
    if (a.status !== 'completed' || b.status !== 'completed') throw new Error('bench chain failed');
    per.push(ns / 1000 / n);
  }
  const recorded = Number(store.db.prepare("SELECT count(*) AS n FROM step_executions WHERE status = 'completed'").get().n);
  store.close();
  return { usPerStep: percentile(per, 50), recorded };
}

async function dag(path, width = 200, waitMs = 50) {
  const { store, services } = engine(path);
  services.createChain({
    name: 'fan',
    concurrency: width,
    steps: [
      { id: 'start', name: 'start', tool: 'util', operation: 'echo' },
      ...Array.from({ length: width }, (_, i) => ({ id: `w${i}`, name: `w${i}`, tool: 'util', operation: 'wait', parameters: { ms: waitMs }, depends_on: ['start'] })),
      { id: 'join', name: 'join', tool: 'util', operation: 'echo', depends_on: Array.from({ length: width }, (_, i) => `w${i}`) },
    ],
  });
  await services.runChain('fan');
  const walls = [];
  for (let r = 0; r < 11; r++) {
    const t0 = performance.now();
    const run = await services.runChain('fan');
    walls.push(performance.now() - t0);
    if (run.status !== 'completed') throw new Error('fan-out failed');
  }
  store.close();
  const wall = percentile(walls, 50);
  return { wallMs: round(wall), criticalPathMs: waitMs, overheadPct: round(((wall - waitMs) / waitMs) * 100, 1) };
}

async function history(path, total = 100_000) {
  const { store, services } = engine(path);
  const chains = Array.from({ length: 50 }, (_, i) => services.createChain({ name: `chain-${i}`, steps: [{ name: 'x', tool: 'util', operation: 'echo' }] }).chain.id);
  const ins = store.db.prepare(
    `INSERT INTO chain_executions (id, chain_id, version, trigger, status, inputs, output, error, error_step, created_at, started_at, finished_at)
     VALUES (?, ?, 1, 'schedule', ?, '{}', ?, ?, ?, ?, ?, ?)`,
  );
  const t0 = Date.now() - total * 60_000;
  store.db.tx(() => {
    for (let i = 0; i < total; i++) {
      const failed = i % 10 === 0;
      const at = t0 + i * 60_000;
      ins.run(`run_${String(i).padStart(9, '0')}`, chains[i % chains.length], failed ? 'failed' : 'completed', failed ? null : '{"ok":true}', failed ? '{"message":"boom","code":"tool_error","stepKey":"x"}' : null, failed ? 'x' : null, at, at, at + 120);
    }
  });
  store.db.exec('ANALYZE');
  const time = (fn, n = 200) => {
    for (let i = 0; i < 20; i++) fn();
    const xs = [];
    for (let i = 0; i < n; i++) {
      const s = performance.now();
      fn();
      xs.push(performance.now() - s);
    }
    return { p50: round(percentile(xs, 50), 3), p99: round(percentile(xs, 99), 3) };
  };
  const res = {
    runs: total,
    latest20Ms: time(() => services.history({ limit: 20 })),
    byChainMs: time(() => services.history({ chain: 'chain-7', limit: 20 })),
    failedLast7dMs: time(() => services.history({ status: 'failed', sinceMs: Date.now() - 7 * 86_400_000, limit: 20 })),
    textSearchMs: time(() => services.history({ text: 'boom', limit: 20 }), 50),
    statsOneChainMs: time(() => services.stats('chain-7'), 20),
  };
  store.close();
  return res;
}

export async function run() {
  const a = tempDb();
  try {
    const bareUs = bareWriteUs(a.path.replace('bench.db', 'bare.db'));
    const pure = await linear(a.path.replace('bench.db', 'pure.db'), 'util', 'echo');
    const effect = await linear(a.path.replace('bench.db', 'effect.db'), 'bench', 'noop');
    const fan = await dag(a.path.replace('bench.db', 'dag.db'));
    const hist = await history(a.path.replace('bench.db', 'history.db'));
    return {
      bareSqliteWriteUs: round(bareUs),
      linear1000PureSteps: { usPerStep: round(pure.usPerStep), stepsPerSecond: Math.round(1e6 / pure.usPerStep), ratioToBareWrite: round(pure.usPerStep / bareUs) },
      linear1000SideEffectSteps: { usPerStep: round(effect.usPerStep), stepsPerSecond: Math.round(1e6 / effect.usPerStep), ratioToBareWrite: round(effect.usPerStep / bareUs) },
      dag200Wait50ms: fan,
      history100k: hist,
    };
  } finally {
    a.cleanup();
  }
}
