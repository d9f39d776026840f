import { AppError, errorMessage } from '../domain/errors.js';
import type { RunError, RunRecord, StepRecord, StepStatus } from '../domain/records.js';
import type { Plan } from './plan.js';
import type { StepOutcome } from './store-ports.js';

/** Largest step output kept (as JSON text). Bigger outputs fail the step with a clear message. */
export const MAX_OUTPUT_BYTES = 4_000_000;

const SECRET_KEY = /authorization|api[_-]?key|token|secret|password|cookie/i;

/** A copy safe to store and show: values under secret-looking keys are replaced. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 32 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) && (typeof v === 'string' || typeof v === 'number') ? '[redacted]' : redactSecrets(v, depth + 1);
  }
  return out;
}

export function toRunError(err: unknown, stepKey?: string): RunError {
  if (err instanceof AppError) {
    return { message: err.message, code: err.code, stepKey, hint: err.hint };
  }
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return { message: err.message || 'aborted', code: err.name === 'TimeoutError' ? 'timeout' : 'cancelled', stepKey };
  }
  return { message: errorMessage(err), code: 'step_error', stepKey };
}

/** Checks an output's size and makes it plain JSON data (Dates → strings, undefined → null). */
export function normaliseOutput(value: unknown, stepKey: string): unknown {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  if (text === undefined) return null;
  if (text.length > MAX_OUTPUT_BYTES) {
    throw new AppError(
      'output_too_large',
      `step "${stepKey}" produced ${(text.length / 1e6).toFixed(1)} MB of output; the limit is ${MAX_OUTPUT_BYTES / 1e6} MB`,
      { hint: 'Select the fields you need (e.g. with a data.set step or a narrower request).' },
    );
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype
    ? JSON.parse(text)
    : value;
}

export const TERMINAL_STEP: ReadonlySet<StepStatus> = new Set(['completed', 'failed', 'skipped', 'blocked', 'cancelled']);

/**
 * What a run knows while it executes: recorded step rows, the template context built from them,
 * and the sequence counter. Rebuilt from the store on resume, so it holds nothing the store lacks.
 */
export class RunState {
  readonly ctx: Record<string, unknown>;
  readonly stepsView: Record<string, { status: StepStatus; output: unknown; error: RunError | null }> = {};
  private readonly records = new Map<string, StepRecord>();
  private nextSeq = 1;

  constructor(
    readonly run: RunRecord,
    readonly plan: Plan,
    recorded: StepRecord[],
    now: Date,
  ) {
    const def = plan.definition;
    const inputs: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(def.inputs)) if (spec.default !== undefined) inputs[name] = spec.default;
    Object.assign(inputs, run.inputs);
    this.ctx = {
      inputs,
      input: inputs,
      vars: def.variables,
      steps: this.stepsView,
      run_id: run.id,
      run: { id: run.id, trigger: run.trigger, slot: run.slot, started_at: run.startedAt ?? now.toISOString(), version: run.version },
      chain: { id: run.chainId, name: def.name, version: run.version },
      trigger: { kind: run.trigger, slot: run.slot, schedule_id: run.scheduleId, data: run.inputs['event'] ?? null },
    };
    this.setNow(now);
    for (const r of recorded) {
      this.records.set(`${r.stepKey}#${r.iteration}`, r);
      this.nextSeq = Math.max(this.nextSeq, r.seq + 1);
      if (r.iteration === 0 && TERMINAL_STEP.has(r.status)) this.apply(r.stepKey, r.status, r.output, r.error);
    }
  }

  private nowMs = Number.NaN;

  setNow(now: Date): void {
    // Steps launched together share a millisecond: format it once.
    if (now.getTime() === this.nowMs) return;
    this.nowMs = now.getTime();
    this.ctx['now'] = now.toISOString();
    this.ctx['today'] = now.toISOString().slice(0, 10);
  }

  record(stepKey: string, iteration = 0): StepRecord | undefined {
    return this.records.get(`${stepKey}#${iteration}`);
  }

  /** The recorded outcome of a step, if it reached a terminal status. */
  terminal(stepKey: string, iteration = 0): StepRecord | undefined {
    const r = this.records.get(`${stepKey}#${iteration}`);
    return r !== undefined && TERMINAL_STEP.has(r.status) ? r : undefined;
  }

  seqFor(stepKey: string, iteration: number): number {
    return this.records.get(`${stepKey}#${iteration}`)?.seq ?? this.nextSeq++;
  }

  /** Keeps the in-memory view in step with what was just written. */
  remember(o: StepOutcome): void {
    this.records.set(`${o.stepKey}#${o.iteration}`, {
      runId: o.runId,
      stepKey: o.stepKey,
      iteration: o.iteration,
      seq: o.seq,
      tool: o.tool,
      status: o.status,
      attempt: o.attempt,
      inputs: o.inputs ?? null,
      output: o.output ?? null,
      error: o.error ?? null,
      startedAt: o.startedAtMs === null ? null : new Date(o.startedAtMs).toISOString(),
      finishedAt: o.finishedAtMs === null ? null : new Date(o.finishedAtMs).toISOString(),
      durationMs: o.startedAtMs !== null && o.finishedAtMs !== null ? o.finishedAtMs - o.startedAtMs : null,
      promptTokens: o.promptTokens ?? null,
      completionTokens: o.completionTokens ?? null,
      detail: o.detail ?? null,
    });
    if (o.iteration === 0 && TERMINAL_STEP.has(o.status)) this.apply(o.stepKey, o.status, o.output, o.error ?? null);
  }

  private apply(stepKey: string, status: StepStatus, output: unknown, error: RunError | null): void {
    this.stepsView[stepKey] = { status, output: output ?? null, error };
    const outputKey = this.plan.byKey.get(stepKey)?.def.output_key;
    if (status === 'completed' && outputKey !== undefined) this.ctx[outputKey] = output;
  }

  /** Output of every step that completed, by output key (the run's result). */
  outputs(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const s of this.plan.steps) {
      const r = this.terminal(s.key);
      if (r?.status === 'completed' && s.def.output_key !== undefined) out[s.def.output_key] = r.output;
    }
    return out;
  }
}
