// `npm run bench`: runs each benchmark in its own process (one at a time: 2 cores) and prints one
// JSON summary. BENCH_ONLY=engine,parse limits which run; BENCH_IDLE_SECONDS and
// BENCH_TWO_PROCESS_SECONDS shorten the long scheduler figures (defaults: 60 s and 300 s).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SUITES = ['engine', 'parse', 'scheduler', 'mcp'];
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());

if (process.argv[2] === '--child') {
  const mod = await import(new URL(`./${process.argv[3]}.mjs`, import.meta.url).href);
  const result = await mod.run();
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

const summary = { node: process.version, platform: `${process.platform}-${process.arch}`, at: new Date().toISOString() };
for (const name of SUITES) {
  if (only !== undefined && !only.includes(name)) continue;
  if (!existsSync(new URL(`./${name}.mjs`, import.meta.url))) {
    summary[name] = { skipped: 'not present' };
    continue;
  }
  process.stderr.write(`bench: ${name}…\n`);
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', name], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  try {
    summary[name] = JSON.parse(line);
  } catch {
    summary[name] = { failed: `exit ${r.status}`, output: r.stdout.slice(-500) };
  }
}
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
