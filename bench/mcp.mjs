// MCP benchmarks (issue 4): cold start to the first tools/list answer, idle RSS of `serve`, and
// tools/call latency of `list` (1,000 chains) and `history` (100,000 runs) through a real SDK client.
// Goals: cold start < 500 ms, tools/call p50 < 10 ms, idle RSS < 80 MB.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { systemClock } from '../dist/engine/clock.js';
import { Executor } from '../dist/engine/executor.js';
import { createServices } from '../dist/engine/services.js';
import { createBuiltinRegistry } from '../dist/engine/tools/builtins.js';
import { createServer } from '../dist/mcp/server.js';
import { openStore } from '../dist/store/index.js';
import { nullLogger, percentile, round, tempDb } from './util.mjs';

const BIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

/** Resident set size of a process in MB (Linux /proc, else ps). */
function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  const r = spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' });
  return Number(r.stdout.trim()) / 1024;
}

/**
 * Spawns `serve` on a fresh database, sends initialize at once, and times spawn → the tools/list
 * answer (what a chat app waits for). Optionally stays idle and reads RSS.
 */
function coldStart(dbPath, idleMs = 0, nodeFlags = []) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [...nodeFlags, BIN, 'serve'], {
      env: {
        ...process.env,
        CHAINLOOM_DB: dbPath,
        CHAINLOOM_NOTIFY_DESKTOP: '0',
        CHAINLOOM_LOG_LEVEL: 'error',
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const send = (o) => child.stdin.write(`${JSON.stringify(o)}\n`);
    let buf = '';
    let initMs;
    child.stdout.on('data', (d) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const msg = JSON.parse(buf.slice(0, i));
        buf = buf.slice(i + 1);
        if (msg.id === 1) {
          initMs = performance.now() - t0;
          send({ jsonrpc: '2.0', method: 'notifications/initialized' });
          send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
        } else if (msg.id === 2) {
          const toolsListMs = performance.now() - t0;
          setTimeout(() => {
            const rss = idleMs > 0 ? rssMb(child.pid) : null;
            child.stdin.end();
            child.once('exit', () => resolve({ initMs, toolsListMs, rss }));
          }, idleMs);
        }
      }
    });
    child.once('error', reject);
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'bench', version: '1' },
      },
    });
  });
}

async function connect(path) {
  const store = openStore(path);
  const tools = createBuiltinRegistry({ net: { allowPrivate: true, allowHosts: [] }, shellEnabled: false });
  const executor = new Executor({
    stores: store,
    tools,
    clock: systemClock,
    log: nullLogger,
    owner: 'bench',
  });
  const services = createServices({
    stores: store,
    executor,
    tools,
    clock: systemClock,
    log: nullLogger,
    actor: 'bench',
    openScratch: () => openStore(':memory:'),
  });
  const mcp = createServer({
    services,
    log: nullLogger,
    clock: systemClock,
    options: { version: 'bench', timeZone: 'UTC' },
  });
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'bench', version: '1' });
  await Promise.all([mcp.server.connect(b), client.connect(a)]);
  return {
    store,
    services,
    client,
    close: async () => (await client.close(), await mcp.close(), executor.close(), store.close()),
  };
}

async function timeCalls(client, args, n = 300) {
  const call = () => client.callTool({ name: 'chain_tool', arguments: args });
  for (let i = 0; i < 30; i++) await call();
  const xs = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    const r = await call();
    xs.push(performance.now() - s);
    if (r.isError) throw new Error(`bench call failed: ${JSON.stringify(r.content)}`);
  }
  return { p50: round(percentile(xs, 50), 3), p95: round(percentile(xs, 95), 3) };
}

async function listWithChains(path, count = 1000) {
  const h = await connect(path);
  for (let i = 0; i < count; i++) {
    h.services.createChain({
      name: `chain ${String(i).padStart(4, '0')}`,
      tags: [i % 2 ? 'odd' : 'even'],
      steps: [{ name: 'x', tool: 'util', operation: 'echo' }],
    });
  }
  const res = {
    chains: count,
    listMs: await timeCalls(h.client, { operation: 'list' }),
    listAll500Ms: await timeCalls(h.client, { operation: 'list', limit: 500 }, 50),
    listByTagMs: await timeCalls(h.client, { operation: 'list', tag: 'odd' }),
  };
  await h.close();
  return res;
}

async function historyWithRuns(path, total = 100_000) {
  const h = await connect(path);
  const chains = Array.from(
    { length: 50 },
    (_, i) =>
      h.services.createChain({ name: `chain-${i}`, steps: [{ name: 'x', tool: 'util', operation: 'echo' }] })
        .chain.id,
  );
  const ins = h.store.db.prepare(
    `INSERT INTO chain_executions (id, chain_id, version, trigger, status, inputs, output, error, error_step, created_at, started_at, finished_at)
     VALUES (?, ?, 1, 'schedule', ?, '{}', ?, ?, ?, ?, ?, ?)`,
  );
  const t0 = Date.now() - total * 60_000;
  h.store.db.tx(() => {
    for (let i = 0; i < total; i++) {
      const failed = i % 10 === 0;
      const at = t0 + i * 60_000;
      ins.run(
        `run_${String(i).padStart(9, '0')}`,
        chains[i % chains.length],
        failed ? 'failed' : 'completed',
        failed ? null : '{"ok":true}',
        failed ? '{"message":"boom","code":"tool_error","stepKey":"x"}' : null,
        failed ? 'x' : null,
        at,
        at,
        at + 120,
      );
    }
  });
  h.store.db.exec('ANALYZE');
  const res = {
    runs: total,
    historyMs: await timeCalls(h.client, { operation: 'history' }),
    historyByChainMs: await timeCalls(h.client, { operation: 'history', name: 'chain-7' }),
    historyFailedSince7dMs: await timeCalls(h.client, {
      operation: 'history',
      status: 'failed',
      since: '7d',
    }),
    oneRunDetailMs: await timeCalls(h.client, { operation: 'history', run_id: 'run_000050000' }),
  };
  await h.close();
  return res;
}

export async function run() {
  const db = tempDb();
  try {
    const starts = [];
    for (let i = 0; i < 5; i++) starts.push(await coldStart(join(db.path, `..`, `cold-${i}.db`)));
    const idle = await coldStart(join(db.path, '..', 'idle.db'), 3000);
    // As the README's client configurations and the bundle start it.
    const idleTuned = await coldStart(join(db.path, '..', 'idle-tuned.db'), 3000, ['--max-semi-space-size=1']);
    const list = await listWithChains(join(db.path, '..', 'list.db'));
    const history = await historyWithRuns(join(db.path, '..', 'history.db'));
    return {
      coldStartToToolsListMs: {
        p50: round(
          percentile(
            starts.map((s) => s.toolsListMs),
            50,
          ),
          1,
        ),
        min: round(Math.min(...starts.map((s) => s.toolsListMs)), 1),
        goal: 500,
      },
      coldStartToInitializeMs: round(
        percentile(
          starts.map((s) => s.initMs),
          50,
        ),
        1,
      ),
      idleRssMb: { value: round(idle.rss, 1), withMaxSemiSpace1: round(idleTuned.rss, 1), goal: 80 },
      toolsCallList1000Chains: { ...list, goalP50Ms: 10 },
      toolsCallHistory100kRuns: { ...history, goalP50Ms: 10 },
    };
  } finally {
    db.cleanup();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);
}
