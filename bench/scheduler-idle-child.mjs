// Child of bench/scheduler.mjs: opens a database holding 10,000 schedules, starts the scheduler,
// and reports load time, memory and the CPU it used while idle.
import { systemClock } from '../dist/engine/clock.js';
import { Executor } from '../dist/engine/executor.js';
import { Scheduler } from '../dist/engine/scheduler.js';
import { createBuiltinRegistry } from '../dist/engine/tools/builtins.js';
import { openStore } from '../dist/store/index.js';
import { nullLogger, round } from './util.mjs';

const [path, seconds] = process.argv.slice(2);
const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
const store = openStore(path);
const executor = new Executor({ stores: store, tools: createBuiltinRegistry({ net: { allowPrivate: false, allowHosts: [] }, shellEnabled: false }), clock: systemClock, log: nullLogger, owner: `idle-${process.pid}` });
const scheduler = new Scheduler({ stores: store, executor, clock: systemClock, log: nullLogger, owner: `idle-${process.pid}` });
scheduler.start();
const loadMs = performance.now() - t0;
const leader = scheduler.isLeader;
const count = Number(store.db.prepare('SELECT count(*) AS n FROM schedules WHERE enabled = 1').get().n);
globalThis.gc?.();
const rss = process.memoryUsage().rss;
const cpu0 = process.cpuUsage();
await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
const cpu = process.cpuUsage(cpu0);
scheduler.stop();
store.close();
process.stdout.write(
  JSON.stringify({
    schedules: count,
    startUpMs: round(loadMs),
    rssMB: round(rss / 1e6, 1),
    rssGrowthMB: round((rss - rssBefore) / 1e6, 1),
    idleSeconds: Number(seconds),
    cpuMsWhileIdle: round((cpu.user + cpu.system) / 1000),
    cpuPercentOfOneCore: round(((cpu.user + cpu.system) / 1000 / (Number(seconds) * 1000)) * 100, 3),
    leader,

  }),
);
