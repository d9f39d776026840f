import { setMaxListeners } from 'node:events';
import { evaluateCondition } from '../template/index.js';
import { AppError, NonRetriableError, errorMessage } from '../domain/errors.js';
import type { RunError, RunRecord, RunStatus } from '../domain/records.js';
import { TERMINAL_RUN_STATUSES } from '../domain/records.js';
import { type Plan, type PlanStep, buildPlan, findPlanStep } from './plan.js';
import type { Clock, Logger, ToolHost } from './ports.js';
import { RunState, toRunError } from './run-state.js';
import { type OrchestratedRunner, RunInterrupted, type StepResult, StepRunner } from './step-runner.js';
import type { Stores } from './store-ports.js';
import type { ToolRegistry } from './tools/registry.js';

export interface ProgressEvent {
  runId: string;
  stepKey: string;
  status: string;
  done: number;
  total: number;
}

export interface ExecutorDeps {
  stores: Stores;
  tools: ToolRegistry;
  clock: Clock;
  log: Logger;
  /** Identifies this process in run leases, e.g. "pid@host". */
  owner: string;
  /** Whether the process named in a lease is still alive (same host: signal 0). */
  isOwnerAlive?: (owner: string) => boolean;
  leaseMs?: number;
  /** Supplies the LLM runner for orchestrated steps, if any is configured. */
  orchestrate?: OrchestratedRunner | undefined;
  /** Called after a run reaches a terminal status (events, triggers, notifications). */
  onRunFinished?: (run: RunRecord) => void;
  /** Emits a named event for the event.emit tool. */
  emit?: (name: string, data: unknown, sourceRunId: string) => Promise<void>;
  random?: () => number;
}

export interface ExecuteOptions {
  onProgress?: (e: ProgressEvent) => void;
}

const MAX_SUBCHAIN_DEPTH = 8;

/**
 * Runs chains durably. A run is rebuilt from its recorded steps every time it is executed, so
 * "execute" and "resume" are the same operation: completed steps are replayed from the store,
 * never re-run.
 */
export class Executor {
  private readonly active = new Map<string, AbortController>();
  private leaseTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly leaseMs: number;

  constructor(private readonly deps: ExecutorDeps) {
    this.leaseMs = deps.leaseMs ?? 30_000;
  }

  /** Creates a pending run of the chain's current version (or a given one). */
  createRun(
    chainRef: string,
    opts: {
      inputs?: Record<string, unknown>;
      trigger?: RunRecord['trigger'];
      version?: number;
      parentRunId?: string;
      parentStepKey?: string;
    } = {},
  ): RunRecord {
    const { chains, runs } = this.deps.stores;
    const chain = chains.get(chainRef);
    const version = opts.version ?? chain.currentVersion;
    const def = chains.getVersion(chain.id, version).definition;
    const inputs = opts.inputs ?? {};
    const missing = Object.entries(def.inputs)
      .filter(([k, spec]) => spec.required && spec.default === undefined && inputs[k] === undefined)
      .map(([k]) => k);
    if (missing.length > 0) {
      throw new NonRetriableError('missing_inputs', `chain "${chain.name}" needs input${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`, {
        hint: `Pass them as inputs, e.g. ${missing.map((m) => `${m}=...`).join(' ')}.`,
      });
    }
    const run = runs.createRun({
      chainId: chain.id,
      version,
      trigger: opts.trigger ?? 'manual',
      inputs,
      parentRunId: opts.parentRunId,
      parentStepKey: opts.parentStepKey,
      now: this.deps.clock.now(),
    });
    if (run === undefined) throw new AppError('duplicate_run', 'a run for this slot already exists');
    return run;
  }

  isActive(runId: string): boolean {
    return this.active.has(runId);
  }

  /** Requests cancellation; takes effect at once in this process, at the next step elsewhere. */
  cancel(runId: string): RunRecord {
    const { runs } = this.deps.stores;
    const run = this.mustGet(runId);
    if (TERMINAL_RUN_STATUSES.includes(run.status)) return run;
    if (run.status === 'paused' || (run.status === 'pending' && run.startedAt === null && !this.active.has(runId))) {
      runs.finishRun(runId, 'cancelled', null, { message: 'cancelled by request', code: 'cancelled' }, this.deps.clock.now());
      return this.mustGet(runId);
    }
    runs.setControl(runId, 'cancel');
    this.active.get(runId)?.abort(new RunInterrupted('cancel'));
    return this.mustGet(runId);
  }

  /** Requests a pause at the next step boundary. */
  pause(runId: string): RunRecord {
    const run = this.mustGet(runId);
    if (TERMINAL_RUN_STATUSES.includes(run.status) || run.status === 'paused') return run;
    if (!this.active.has(runId) && run.status === 'pending') {
      this.deps.stores.runs.setRunStatus(runId, 'paused', this.deps.clock.now());
    } else {
      this.deps.stores.runs.setControl(runId, 'pause');
    }
    return this.mustGet(runId);
  }

  /** Makes a paused run runnable again; the caller then executes it. */
  resume(runId: string): RunRecord {
    const run = this.mustGet(runId);
    if (run.status !== 'paused') {
      throw new AppError('not_paused', `run ${runId} is ${run.status}, not paused`, {
        hint: run.status === 'running' ? 'It is already running.' : 'Only paused runs can be resumed.',
      });
    }
    this.deps.stores.runs.setRunStatus(runId, 'pending', this.deps.clock.now());
    return this.mustGet(runId);
  }

  private mustGet(runId: string): RunRecord {
    const run = this.deps.stores.runs.getRun(runId);
    if (run === undefined) throw new AppError('not_found', `run "${runId}" was not found`, { hint: 'Use history to list runs and their ids.' });
    return run;
  }

  /** Unfinished runs that no live process owns. */
  resumable(): RunRecord[] {
    return this.deps.stores.runs.listResumable(this.deps.clock.now(), this.deps.isOwnerAlive ?? (() => true));
  }

  /** Executes (or resumes) a run to a terminal or paused state. Never throws for step failures. */
  async execute(runId: string, opts: ExecuteOptions = {}): Promise<RunRecord> {
    const { runs, chains } = this.deps.stores;
    if (this.closed) throw new AppError('shutting_down', 'chainloom is shutting down');
    const existing = this.active.get(runId);
    if (existing !== undefined) throw new AppError('already_running', `run ${runId} is already executing in this process`);
    let run = this.mustGet(runId);
    if (TERMINAL_RUN_STATUSES.includes(run.status) || run.status === 'paused') return run;
    const holder = runs.leaseOwner(runId);
    const dead = holder !== null && holder !== this.deps.owner && this.deps.isOwnerAlive?.(holder) === false ? holder : undefined;
    if (!runs.claimRun(runId, this.deps.owner, this.leaseMs, this.deps.clock.now(), dead)) {
      const current = this.mustGet(runId);
      if (TERMINAL_RUN_STATUSES.includes(current.status) || current.status === 'paused') return current;
      throw new AppError('run_owned', `run ${runId} is being executed by another chainloom process`, {
        hint: 'Wait for it, or cancel it; it will be resumed automatically if that process dies.',
      });
    }
    run = this.mustGet(runId);
    const controller = new AbortController();
    // Every in-flight step listens on the run's signal; wide DAGs have hundreds at once.
    setMaxListeners(0, controller.signal);
    this.active.set(runId, controller);
    this.ensureLeaseTimer();
    const log = this.deps.log.child({ runId, chainId: run.chainId });
    let timeoutTimer: NodeJS.Timeout | undefined;
    try {
      const def = chains.getVersion(run.chainId, run.version).definition;
      const plan = buildPlan(def);
      const state = new RunState(run, plan, runs.steps(runId), this.deps.clock.now());
      if (def.timeout !== undefined) {
        const startedMs = Date.parse(run.startedAt ?? new Date().toISOString());
        const left = Math.max(0, startedMs + def.timeout * 1000 - this.deps.clock.now().getTime());
        timeoutTimer = setTimeout(() => controller.abort(new RunInterrupted('timeout')), left);
      }
      const runner = new StepRunner(
        {
          runs,
          tools: this.deps.tools,
          clock: this.deps.clock,
          log,
          host: this.host(run),
          orchestrate: this.deps.orchestrate,
          random: this.deps.random,
        },
        state,
        controller.signal,
      );
      const progress = (stepKey: string, status: string): void => {
        if (opts.onProgress === undefined) return;
        const done = plan.steps.filter((s) => state.terminal(s.key) !== undefined).length;
        opts.onProgress({ runId, stepKey, status, done, total: plan.steps.length });
      };
      const drive = plan.mode === 'dag' ? this.driveDag.bind(this) : this.driveSequential.bind(this);
      const outcome = await drive(plan, state, runner, controller.signal, progress);
      return this.finish(run, state, outcome);
    } catch (err) {
      if (err instanceof RunInterrupted) return this.interrupted(run, err);
      log.error({ err: errorMessage(err) }, 'run crashed');
      const error = toRunError(err);
      runs.finishRun(runId, 'failed', null, error, this.deps.clock.now());
      return this.afterFinish(this.mustGet(runId));
    } finally {
      if (timeoutTimer !== undefined) clearTimeout(timeoutTimer);
      this.active.delete(runId);
      if (this.active.size === 0) this.stopLeaseTimer();
    }
  }

  private interrupted(run: RunRecord, err: RunInterrupted): RunRecord {
    const { runs } = this.deps.stores;
    const now = this.deps.clock.now();
    if (err.kind === 'pause') {
      runs.setRunStatus(run.id, 'paused', now);
      return this.mustGet(run.id);
    }
    const error: RunError =
      err.kind === 'timeout'
        ? { message: `the run took longer than its ${this.deps.stores.chains.getVersion(run.chainId, run.version).definition.timeout}s timeout`, code: 'timeout', hint: 'Raise the chain "timeout" or split the work.' }
        : { message: 'cancelled by request', code: 'cancelled' };
    runs.finishRun(run.id, err.kind === 'timeout' ? 'failed' : 'cancelled', null, error, now);
    return this.afterFinish(this.mustGet(run.id));
  }

  private checkControl(runId: string): void {
    const control = this.deps.stores.runs.readControl(runId);
    if (control !== null) throw new RunInterrupted(control);
  }

  /** Decides and records where a sequential chain goes after a step. */
  private decideNext(step: PlanStep, state: RunState): (r: StepResult) => Record<string, unknown> | undefined {
    return (r) => {
      const logic = step.def.next_step_logic;
      if (logic === undefined || r.status === 'skipped') return undefined;
      const own = step.def.output_key;
      const scope = { ...state.ctx, ...(own !== undefined && r.status === 'completed' ? { [own]: r.output } : {}), result: r.output, error: r.error };
      for (const b of logic.branches) {
        if (!evaluateCondition(b.if, scope, { where: `${step.key}.next_step_logic` })) continue;
        if (b.end !== undefined && b.end !== false) return { next: 'end', end: b.end === 'failed' ? 'failed' : 'completed', message: b.message, branch: b.if };
        return { next: b.goto, branch: b.if };
      }
      return logic.else === undefined || logic.else === 'next' ? undefined : { next: logic.else };
    };
  }

  private async driveSequential(
    plan: Plan,
    state: RunState,
    runner: StepRunner,
    signal: AbortSignal,
    progress: (k: string, s: string) => void,
  ): Promise<RunOutcome> {
    const failures: RunError[] = [];
    let i = 0;
    while (i < plan.steps.length) {
      const step = plan.steps[i]!;
      if (step.fallbackOnly) {
        i++;
        continue;
      }
      let rec = state.terminal(step.key);
      let result: StepResult;
      if (rec !== undefined) {
        result = { status: rec.status === 'completed' ? 'completed' : rec.status === 'failed' ? 'failed' : 'skipped', output: rec.output, error: rec.error };
      } else {
        if (signal.aborted) throw signal.reason instanceof RunInterrupted ? signal.reason : new RunInterrupted('cancel');
        this.checkControl(state.run.id);
        progress(step.key, 'running');
        result = await runner.run(step, this.decideNext(step, state));
        rec = state.terminal(step.key);
        progress(step.key, result.status);
      }
      if (result.status === 'failed') {
        const handled = await this.handleFailure(plan, state, runner, step, result);
        if (handled.kind === 'fail') return handled.outcome;
        if (handled.kind === 'continue') failures.push(result.error!);
      }
      const detail = rec?.detail ?? null;
      const next = detail?.['next'] as string | undefined;
      if (next === 'end') {
        this.skipSteps(state, runner, plan.steps.slice(i + 1), `chain ended by a branch of "${step.key}"`);
        if (detail?.['end'] === 'failed') {
          return { status: 'failed', error: { message: typeof detail['message'] === 'string' ? detail['message'] : `ended as failed by a branch of "${step.key}"`, code: 'ended_failed', stepKey: step.key } };
        }
        break;
      }
      if (next !== undefined) {
        const target = findPlanStep(plan, next)!;
        this.skipSteps(state, runner, plan.steps.slice(i + 1, target.index), `branch of "${step.key}" went to "${target.key}"`);
        i = target.index;
        continue;
      }
      i++;
    }
    return failures.length === 0
      ? { status: 'completed' }
      : { status: 'completed', error: { message: `${failures.length} step(s) failed and the chain continued: ${failures.map((f) => f.stepKey).join(', ')}`, code: 'steps_failed' } };
  }

  /** Records the given steps that have no outcome yet as skipped, in one transaction. */
  private skipSteps(state: RunState, runner: StepRunner, steps: PlanStep[], reason: string): void {
    const outs = steps.filter((s) => !s.fallbackOnly && state.terminal(s.key) === undefined).map((s) => runner.skipOutcome(s, reason));
    this.deps.stores.runs.recordSteps(outs);
    outs.forEach((o) => runner.remember(o));
  }

  /** Applies the error policy to a failed step. */
  private async handleFailure(
    plan: Plan,
    state: RunState,
    runner: StepRunner,
    step: PlanStep,
    result: StepResult,
  ): Promise<{ kind: 'continue' | 'recovered' } | { kind: 'fail'; outcome: RunOutcome }> {
    const policy = step.def.error_policy ?? plan.definition.error_policy;
    const error = result.error!;
    if (policy === 'continue') return { kind: 'continue' };
    if (policy === 'alternative' && step.def.alternative_step !== undefined) {
      const alt = findPlanStep(plan, step.def.alternative_step)!;
      const done = state.terminal(alt.key);
      const altResult = done !== undefined ? { status: done.status, output: done.output, error: done.error } : await runner.run(alt);
      if (altResult.status === 'completed') {
        // The fallback's output stands in for the failed step's.
        if (step.def.output_key !== undefined && alt.def.output_key === undefined) state.ctx[step.def.output_key] = altResult.output;
        return { kind: 'recovered' };
      }
      return { kind: 'fail', outcome: { status: 'failed', error: altResult.error ?? error } };
    }
    if (policy === 'rollback') {
      const undone: string[] = [];
      const completed = plan.steps
        .filter((s) => s.def.compensation !== undefined && state.terminal(s.key)?.status === 'completed')
        .sort((a, b) => (state.terminal(b.key)?.seq ?? 0) - (state.terminal(a.key)?.seq ?? 0));
      for (const s of completed) {
        const r = await runner.compensate(s);
        undone.push(`${s.key}${r.status === 'completed' ? '' : ' (compensation failed)'}`);
      }
      return {
        kind: 'fail',
        outcome: {
          status: 'failed',
          error: { ...error, message: `${error.message}; rolled back: ${undone.length === 0 ? 'nothing to undo' : undone.join(', ')}`, code: error.code },
        },
      };
    }
    return { kind: 'fail', outcome: { status: 'failed', error } };
  }

  private async driveDag(
    plan: Plan,
    state: RunState,
    runner: StepRunner,
    signal: AbortSignal,
    progress: (k: string, s: string) => void,
  ): Promise<RunOutcome> {
    const limit = plan.definition.concurrency;
    const steps = plan.steps.filter((s) => !s.fallbackOnly);
    const failures: RunError[] = [];
    let fatal: RunOutcome | undefined;
    const statusOf = (k: string): string | undefined => state.terminal(k)?.status;
    // Event-driven: each step counts its unresolved prerequisites; a completion releases dependents.
    const dependents = new Map<string, PlanStep[]>();
    const waiting = new Map<string, number>();
    for (const s of steps) {
      waiting.set(s.key, s.deps.length);
      for (const d of s.deps) dependents.set(d, [...(dependents.get(d) ?? []), s]);
    }
    const ready: PlanStep[] = [];
    const blocked: ReturnType<StepRunner['skipOutcome']>[] = [];
    const resolve = (key: string): void => {
      const st = statusOf(key);
      const failed = st === 'failed' || st === 'blocked' || st === 'cancelled';
      for (const d of dependents.get(key) ?? []) {
        if (statusOf(d.key) !== undefined) continue;
        if (failed) {
          const o = runner.skipOutcome(d, `blocked: prerequisite ${key} did not complete`, 'blocked');
          runner.remember(o);
          blocked.push(o);
          resolve(d.key);
        } else {
          const left = waiting.get(d.key)! - 1;
          waiting.set(d.key, left);
          if (left === 0) ready.push(d);
        }
      }
    };
    // Replay: recorded outcomes release their dependents first.
    for (const s of steps) if (s.deps.length === 0 && statusOf(s.key) === undefined) ready.push(s);
    const replayed = steps.filter((s) => statusOf(s.key) !== undefined);
    for (const s of replayed) waiting.set(s.key, -1);
    for (const s of replayed) resolve(s.key);
    const flushBlocked = (): void => {
      if (blocked.length === 0) return;
      this.deps.stores.runs.recordSteps(blocked.splice(0));
    };
    flushBlocked();

    let running = 0;
    let wake: (() => void) | undefined;
    const launch = (s: PlanStep): void => {
      running++;
      progress(s.key, 'running');
      void runner
        .run(s)
        .then(async (r) => {
          progress(s.key, r.status);
          if (r.status === 'failed') {
            const handled = await this.handleFailure(plan, state, runner, s, r);
            if (handled.kind === 'fail') fatal ??= handled.outcome;
            else if (handled.kind === 'continue') failures.push(r.error!);
          }
          resolve(s.key);
          flushBlocked();
        })
        .catch((err: unknown) => {
          fatal ??= { status: 'failed', error: toRunError(err, s.key) };
          if (err instanceof RunInterrupted) interrupted ??= err;
        })
        .finally(() => {
          running--;
          wake?.();
        });
    };
    let interrupted: RunInterrupted | undefined;
    for (;;) {
      if (fatal === undefined && !signal.aborted && ready.length > 0) this.checkControl(state.run.id);
      while (fatal === undefined && ready.length > 0 && running < limit) {
        const s = ready.shift()!;
        if (statusOf(s.key) === undefined) launch(s);
      }
      if (running === 0) break;
      await new Promise<void>((r) => (wake = r));
    }
    if (interrupted !== undefined) throw interrupted;
    if (fatal !== undefined) {
      this.skipSteps(state, runner, steps, `not started: the chain stopped after "${fatal.error?.stepKey ?? 'a step'}" failed`);
      return fatal;
    }
    const blockedKeys = steps.filter((s) => statusOf(s.key) === 'blocked').map((s) => s.key);
    if (failures.length > 0 || blockedKeys.length > 0) {
      return {
        status: 'completed',
        error: {
          message: `${failures.length} step(s) failed and the chain continued (${failures.map((f) => f.stepKey).join(', ')})${blockedKeys.length > 0 ? `; blocked: ${blockedKeys.join(', ')}` : ''}`,
          code: 'steps_failed',
        },
      };
    }
    return { status: 'completed' };
  }

  private finish(run: RunRecord, state: RunState, outcome: RunOutcome): RunRecord {
    const output = outcome.status === 'completed' ? state.outputs() : null;
    this.deps.stores.runs.finishRun(run.id, outcome.status, output, outcome.error ?? null, this.deps.clock.now());
    return this.afterFinish(this.mustGet(run.id));
  }

  private afterFinish(run: RunRecord): RunRecord {
    this.deps.log.info({ runId: run.id, status: run.status, durationMs: run.durationMs }, 'run finished');
    try {
      this.deps.onRunFinished?.(run);
    } catch (err) {
      this.deps.log.error({ runId: run.id, err: errorMessage(err) }, 'run-finished hook failed');
    }
    return run;
  }

  /** Engine services offered to tools of a given run. */
  private host(run: RunRecord): ToolHost {
    return {
      runChain: async (ref, inputs, ctx) => {
        let depth = 0;
        for (let p: RunRecord | undefined = run; p?.parentRunId != null; p = this.deps.stores.runs.getRun(p.parentRunId)) depth++;
        if (depth >= MAX_SUBCHAIN_DEPTH) {
          throw new NonRetriableError('subchain_too_deep', `sub-chains nest more than ${MAX_SUBCHAIN_DEPTH} deep (a chain calling itself?)`);
        }
        const parentKey = `${ctx.stepKey}#${ctx.iteration}`;
        let child = this.deps.stores.runs.findChildRun(run.id, parentKey);
        child ??= this.createRun(ref, { inputs, trigger: 'subchain', parentRunId: run.id, parentStepKey: parentKey });
        const done = await this.execute(child.id);
        if (done.status !== 'completed') {
          throw new AppError(done.status === 'cancelled' ? 'cancelled' : 'subchain_failed', `sub-chain "${done.chainName}" ${done.status}: ${done.error?.message ?? ''}`.trim(), {
            details: { runId: done.id },
          });
        }
        return { run_id: done.id, ...(done.output as Record<string, unknown>) };
      },
      notify: async (n) => {
        const stored = this.deps.stores.notifications.add({ ...n, chainId: n.chainId ?? run.chainId, runId: n.runId ?? run.id }, this.deps.clock.now());
        return { id: stored.id };
      },
      emit: async (name, data) => {
        if (this.deps.emit === undefined) throw new NonRetriableError('events_unavailable', 'named events are not available in this process');
        await this.deps.emit(name, data, run.id);
      },
    };
  }

  private ensureLeaseTimer(): void {
    if (this.leaseTimer !== undefined) return;
    const every = Math.max(1000, Math.floor(this.leaseMs / 3));
    this.leaseTimer = setInterval(() => {
      if (this.closed) return;
      try {
        this.deps.stores.runs.renewLeases(this.deps.owner, this.leaseMs, this.deps.clock.now());
        // A cancel requested from another process interrupts in-flight steps here.
        for (const [runId, c] of this.active) {
          if (this.deps.stores.runs.readControl(runId) === 'cancel') c.abort(new RunInterrupted('cancel'));
        }
      } catch (err) {
        this.deps.log.warn({ err: errorMessage(err) }, 'lease renewal failed');
      }
    }, every);
    this.leaseTimer.unref();
  }

  private stopLeaseTimer(): void {
    if (this.leaseTimer !== undefined) clearInterval(this.leaseTimer);
    this.leaseTimer = undefined;
  }

  /** Stops accepting work; in-flight runs keep their leases until they expire and resume elsewhere. */
  close(): void {
    this.closed = true;
    this.stopLeaseTimer();
  }

  get runningCount(): number {
    return this.active.size;
  }
}

interface RunOutcome {
  status: Extract<RunStatus, 'completed' | 'failed'>;
  error?: RunError;
}
