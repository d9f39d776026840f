import type { Problem } from '../domain/errors.js';
import type { ChainRecord, RunDetail, RunRecord, StepRecord } from '../domain/records.js';
import type { RunStats } from '../engine/store-ports.js';
import type { VersionSummary } from '../engine/services.js';

/** Readable text for people; `--json` prints the records themselves instead. */

export function table(rows: string[][], header: string[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.min(60, Math.max(...all.map((r) => (r[i] ?? '').length))));
  const line = (r: string[]): string =>
    r
      .map((c, i) => {
        const cell = c.length > widths[i]! ? `${c.slice(0, widths[i]! - 1)}…` : c;
        return i === r.length - 1 ? cell : cell.padEnd(widths[i]!);
      })
      .join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

export function duration(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return m < 60 ? `${m} min ${Math.round((ms % 60_000) / 1000)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function when(iso: string | null): string {
  return iso === null ? '-' : iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

export function chainsTable(chains: ChainRecord[]): string {
  if (chains.length === 0) return 'No chains yet. Create one with: chainloom chain create -f chain.json';
  return table(
    chains.map((c) => [c.id, c.name, c.status, `v${c.currentVersion}`, when(c.updatedAt), c.tags.join(',')]),
    ['ID', 'NAME', 'STATUS', 'VERSION', 'UPDATED', 'TAGS'],
  );
}

export function runsTable(runs: RunRecord[]): string {
  if (runs.length === 0) return 'No runs match.';
  return table(
    runs.map((r) => [r.id, r.chainName, r.status, r.trigger, when(r.createdAt), duration(r.durationMs), r.error?.message ?? '']),
    ['RUN', 'CHAIN', 'STATUS', 'TRIGGER', 'CREATED', 'DURATION', 'ERROR'],
  );
}

const brief = (v: unknown, max = 80): string => {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

function stepLine(s: StepRecord): string {
  const iter = s.iteration > 0 ? `#${s.iteration}` : '';
  const attempt = s.attempt > 1 ? ` (attempt ${s.attempt})` : '';
  const what =
    s.status === 'failed'
      ? `error: ${s.error?.message ?? ''}`
      : s.status === 'skipped' || s.status === 'blocked'
        ? brief(s.detail?.['reason'], 200)
        : brief(s.output);
  return `  ${s.status.padEnd(9)} ${`${s.stepKey}${iter}`.padEnd(24)} ${duration(s.durationMs).padStart(8)}${attempt}  ${what}`;
}

export function runDetail(d: RunDetail): string {
  const lines = [
    `Run ${d.id} of "${d.chainName}" v${d.version}: ${d.status}`,
    `  trigger ${d.trigger}${d.slot !== null ? ` (slot ${when(d.slot)})` : ''}, created ${when(d.createdAt)}, duration ${duration(d.durationMs)}`,
  ];
  if (Object.keys(d.inputs).length > 0) lines.push(`  inputs ${brief(d.inputs, 200)}`);
  if (d.error !== null) lines.push(`  error: ${d.error.message}${d.error.hint !== undefined ? `\n  hint: ${d.error.hint}` : ''}`);
  lines.push('Steps:');
  for (const s of d.steps) lines.push(stepLine(s));
  for (const a of d.attempts) lines.push(`  retry     ${a.stepKey}${a.iteration > 0 ? `#${a.iteration}` : ''} attempt ${a.attempt} failed: ${a.error.message}`);
  if (d.status === 'completed' && d.output !== null) lines.push(`Output: ${brief(d.output, 400)}`);
  return lines.join('\n');
}

export function problems(list: Problem[]): string {
  return list.map((p) => `  ${p.severity === 'error' ? 'error  ' : 'warning'} ${p.path}: ${p.message}`).join('\n');
}

export function versionsTable(vs: VersionSummary[]): string {
  return table(
    vs.map((v) => [`${v.current ? '*' : ' '}v${v.version}`, when(v.createdAt), v.createdBy, v.note ?? '', v.changes]),
    ['VERSION', 'CREATED', 'BY', 'NOTE', 'CHANGES'],
  );
}

export function statsText(s: RunStats, name: string): string {
  const pct = s.successRate === null ? '-' : `${(s.successRate * 100).toFixed(1)}%`;
  const lines = [
    `Statistics for ${name}: ${s.runs} run(s), ${s.completed} completed, ${s.failed} failed, ${s.cancelled} cancelled, ${s.running} active`,
    `  success rate ${pct}, average ${duration(s.avgDurationMs)}, p95 ${duration(s.p95DurationMs)}, last run ${when(s.lastRunAt)}`,
  ];
  if (s.failuresByStep.length > 0) lines.push(`  failures by step: ${s.failuresByStep.map((f) => `${f.stepKey} ×${f.failures}`).join(', ')}`);
  return lines.join('\n');
}
