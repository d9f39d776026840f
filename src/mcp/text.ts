import type { ChainView, NotificationView, RunView, ScheduleView, StepView } from './views.js';

/** Readable text for tool results: the model reads this when a client ignores structuredContent. */

export function brief(v: unknown, max = 160): string {
  if (v === null || v === undefined) return '';
  let s: string;
  try {
    s = typeof v === 'string' ? v : (JSON.stringify(v) ?? typeof v);
  } catch {
    s = `[${typeof v}]`;
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export function duration(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return m < 60 ? `${m} min ${Math.round((ms % 60_000) / 1000)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export const when = (iso: string | null | undefined): string =>
  iso === null || iso === undefined ? '-' : iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');

export function chainLine(c: ChainView): string {
  const tags = c.tags.length > 0 ? ` [${c.tags.join(', ')}]` : '';
  return `- ${c.name} (${c.id}) — ${c.status}, v${c.version}${tags}${c.description !== null && c.description !== '' ? `: ${brief(c.description, 100)}` : ''}`;
}

export function runLine(r: RunView): string {
  const err =
    r.error !== null
      ? ` — ${r.error.step_key !== undefined ? `${r.error.step_key}: ` : ''}${brief(r.error.message, 120)}`
      : '';
  return `- ${r.id} "${r.chain_name}" v${r.version}: ${r.status} (${r.trigger}, ${when(r.created_at)}, ${duration(r.duration_ms)})${err}`;
}

export function stepLine(s: StepView): string {
  const iter = s.iteration > 0 ? `#${s.iteration}` : '';
  const attempt = s.attempt > 1 ? ` after ${s.attempt} attempts` : '';
  const what =
    s.status === 'failed'
      ? `error: ${s.error?.message ?? ''}`
      : s.reason !== undefined
        ? s.reason
        : brief(s.output, 120);
  return `  ${s.status.padEnd(9)} ${s.step_key}${iter} (${duration(s.duration_ms)}${attempt})${what !== '' ? ` ${what}` : ''}`;
}

export function runDetailText(r: RunView, steps: StepView[]): string {
  const lines = [
    `Run ${r.id} of "${r.chain_name}" v${r.version}: ${r.status} (${r.trigger}, started ${when(r.started_at ?? r.created_at)}, ${duration(r.duration_ms)})`,
  ];
  if (r.error !== null)
    lines.push(`Error: ${r.error.message}${r.error.hint !== undefined ? ` — hint: ${r.error.hint}` : ''}`);
  if (steps.length > 0) lines.push('Steps:', ...steps.map(stepLine));
  if (r.status === 'completed' && r.output !== undefined && r.output !== null)
    lines.push(`Output: ${brief(r.output, 600)}`);
  return lines.join('\n');
}

export function scheduleLine(s: ScheduleView): string {
  const next = s.next.length > 0 ? `; next: ${s.next.slice(0, 3).join(', ')}` : '; no further runs';
  return `- ${s.id} ${s.kind} of "${s.chain_name}": ${s.description}${s.enabled ? '' : ' (paused)'}${next}`;
}

export function notificationLine(n: NotificationView): string {
  const late = n.due_at !== undefined ? ` (due ${when(n.due_at)})` : '';
  const body = n.body !== '' && n.body !== n.title ? `: ${brief(n.body, 300)}` : '';
  return `- [${n.kind.replace('_', ' ')}] ${n.title}${body}${late} — ${when(n.created_at)}${n.run_id !== undefined ? `, run ${n.run_id}` : ''}`;
}

/** The section appended to every tool result that delivers waiting notifications. */
export function notificationsSection(ns: NotificationView[]): string {
  if (ns.length === 0) return '';
  return `\n\n🔔 While you were away (${ns.length} notification${ns.length === 1 ? '' : 's'}; tell the user):\n${ns.map(notificationLine).join('\n')}`;
}
