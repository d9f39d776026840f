import { z } from 'zod';
import type { Problem } from '../domain/errors.js';
import type { ChainRecord, RunError, RunRecord, StepRecord } from '../domain/records.js';
import type { Notification } from '../engine/ports.js';
import type { ScheduleRecord, TriggerRecord } from '../engine/schedule-ports.js';
import type { VersionSummary } from '../engine/services.js';
import type { RunStats } from '../engine/store-ports.js';

/**
 * What tool results show: records projected to snake_case views, each with the zod schema that the
 * tools' output schemas are built from. Only these fields appear in `structuredContent`.
 */

const iso = z.string().nullable();

export const ErrorViewSchema = z.object({
  code: z.string(),
  message: z.string(),
  step_key: z.string().optional(),
  hint: z.string().optional(),
});
export type ErrorView = z.infer<typeof ErrorViewSchema>;

export const ProblemViewSchema = z.object({
  path: z.string(),
  message: z.string(),
  severity: z.enum(['error', 'warning']),
});

export const ChainViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  status: z.enum(['active', 'paused', 'archived']),
  tags: z.array(z.string()),
  version: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type ChainView = z.infer<typeof ChainViewSchema>;

export const RunViewSchema = z.object({
  id: z.string(),
  chain_id: z.string(),
  chain_name: z.string(),
  version: z.number().int(),
  status: z.enum(['pending', 'running', 'paused', 'completed', 'failed', 'cancelled']),
  trigger: z.string(),
  schedule_id: z.string().nullable(),
  slot: iso,
  created_at: z.string(),
  started_at: iso,
  finished_at: iso,
  duration_ms: z.number().nullable(),
  inputs: z.record(z.string(), z.unknown()).optional(),
  output: z.unknown().optional(),
  error: ErrorViewSchema.nullable(),
});
export type RunView = z.infer<typeof RunViewSchema>;

export const StepViewSchema = z.object({
  step_key: z.string(),
  iteration: z.number().int(),
  status: z.string(),
  tool: z.string().nullable(),
  attempt: z.number().int(),
  started_at: iso,
  finished_at: iso,
  duration_ms: z.number().nullable(),
  output: z.unknown().optional(),
  error: ErrorViewSchema.nullable(),
  /** Why a step was skipped or blocked, or which branch it took. */
  reason: z.string().optional(),
});
export type StepView = z.infer<typeof StepViewSchema>;

export const NotificationViewSchema = z.object({
  id: z.string(),
  kind: z.enum(['reminder', 'run_completed', 'run_failed', 'message']),
  title: z.string(),
  body: z.string(),
  chain_id: z.string().optional(),
  run_id: z.string().optional(),
  due_at: z.string().optional(),
  created_at: z.string(),
  read: z.boolean(),
});
export type NotificationView = z.infer<typeof NotificationViewSchema>;

export const VersionViewSchema = z.object({
  version: z.number().int(),
  created_at: z.string(),
  created_by: z.string(),
  note: z.string().nullable(),
  current: z.boolean(),
  changes: z.string(),
});

export const StatsViewSchema = z.object({
  chain_id: z.string().nullable(),
  runs: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
  running: z.number().int(),
  success_rate: z.number().nullable(),
  avg_duration_ms: z.number().nullable(),
  p95_duration_ms: z.number().nullable(),
  failures_by_step: z.array(z.object({ step_key: z.string(), failures: z.number().int() })),
  last_run_at: iso,
});

export const ScheduleViewSchema = z.object({
  id: z.string(),
  chain_id: z.string(),
  chain_name: z.string(),
  kind: z.enum(['schedule', 'reminder']),
  description: z.string(),
  timezone: z.string(),
  source_text: z.string().nullable(),
  next: z.array(z.string()),
  next_run_at: iso,
  last_fired_at: iso,
  fired_count: z.number().int(),
  catch_up: z.string(),
  overlap: z.string(),
  enabled: z.boolean(),
});
export type ScheduleView = z.infer<typeof ScheduleViewSchema>;

export const TriggerViewSchema = z.object({
  id: z.string(),
  chain_id: z.string(),
  chain_name: z.string(),
  event: z.string(),
  enabled: z.boolean(),
});

// ---------------------------------------------------------------- projections

const errorView = (e: RunError | null): ErrorView | null =>
  e === null
    ? null
    : {
        code: e.code,
        message: e.message,
        ...(e.stepKey !== undefined ? { step_key: e.stepKey } : {}),
        ...(e.hint !== undefined ? { hint: e.hint } : {}),
      };

export const chainView = (c: ChainRecord): ChainView => ({
  id: c.id,
  name: c.name,
  description: c.description,
  status: c.status,
  tags: c.tags,
  version: c.currentVersion,
  created_at: c.createdAt,
  updated_at: c.updatedAt,
});

export function runView(r: RunRecord, opts: { withData?: boolean } = {}): RunView {
  return {
    id: r.id,
    chain_id: r.chainId,
    chain_name: r.chainName,
    version: r.version,
    status: r.status,
    trigger: r.trigger,
    schedule_id: r.scheduleId,
    slot: r.slot,
    created_at: r.createdAt,
    started_at: r.startedAt,
    finished_at: r.finishedAt,
    duration_ms: r.durationMs,
    ...(opts.withData === true ? { inputs: r.inputs, output: r.output ?? null } : {}),
    error: errorView(r.error),
  };
}

export function stepView(s: StepRecord): StepView {
  const reason = s.detail?.['reason'] ?? s.detail?.['branch'];
  return {
    step_key: s.stepKey,
    iteration: s.iteration,
    status: s.status,
    tool: s.tool,
    attempt: s.attempt,
    started_at: s.startedAt,
    finished_at: s.finishedAt,
    duration_ms: s.durationMs,
    ...(s.status === 'completed' ? { output: s.output ?? null } : {}),
    error: errorView(s.error),
    ...(typeof reason === 'string' ? { reason } : {}),
  };
}

export const notificationView = (n: Notification): NotificationView => ({
  id: n.id,
  kind: n.kind,
  title: n.title,
  body: n.body,
  ...(n.chainId !== undefined ? { chain_id: n.chainId } : {}),
  ...(n.runId !== undefined ? { run_id: n.runId } : {}),
  ...(n.dueAt !== undefined ? { due_at: n.dueAt } : {}),
  created_at: n.createdAt,
  read: n.readAt !== null,
});

export const versionView = (v: VersionSummary): z.infer<typeof VersionViewSchema> => ({
  version: v.version,
  created_at: v.createdAt,
  created_by: v.createdBy,
  note: v.note,
  current: v.current,
  changes: v.changes,
});

export const statsView = (s: RunStats): z.infer<typeof StatsViewSchema> => ({
  chain_id: s.chainId,
  runs: s.runs,
  completed: s.completed,
  failed: s.failed,
  cancelled: s.cancelled,
  running: s.running,
  success_rate: s.successRate,
  avg_duration_ms: s.avgDurationMs,
  p95_duration_ms: s.p95DurationMs,
  failures_by_step: s.failuresByStep.map((f) => ({ step_key: f.stepKey, failures: f.failures })),
  last_run_at: s.lastRunAt,
});

export const scheduleView = (s: ScheduleRecord): ScheduleView => ({
  id: s.id,
  chain_id: s.chainId,
  chain_name: s.chainName,
  kind: s.kind,
  description: s.description,
  timezone: s.timezone,
  source_text: s.sourceText,
  next: s.next,
  next_run_at: s.nextRunAt,
  last_fired_at: s.lastFiredAt,
  fired_count: s.firedCount,
  catch_up: s.catchUp,
  overlap: s.overlap,
  enabled: s.enabled,
});

export const triggerView = (t: TriggerRecord): z.infer<typeof TriggerViewSchema> => ({
  id: t.id,
  chain_id: t.chainId,
  chain_name: t.chainName,
  event: t.event,
  enabled: t.enabled,
});

export const problemView = (p: Problem): z.infer<typeof ProblemViewSchema> => ({
  path: p.path,
  message: p.message,
  severity: p.severity,
});
