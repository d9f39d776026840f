// Shared helpers for the benchmarks (plain ESM against dist/).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDb(name = 'bench.db') {
  const dir = mkdtempSync(join(tmpdir(), 'chainloom-bench-'));
  return { path: join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function percentile(values, p) {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const round = (x, d = 2) => (x === null ? null : Math.round(x * 10 ** d) / 10 ** d);

export const nullLogger = { debug() {}, info() {}, warn() {}, error() {}, child() { return nullLogger; } };
