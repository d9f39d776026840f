import { AppError, NonRetriableError } from '../domain/errors.js';
import type { RunError, StepStatus } from '../domain/records.js';
import { TemplateError, evaluateCondition, referencedRoots, renderTemplate, resolveValue } from '../template/index.js';
import type { PlanStep } from './plan.js';
import type { Clock, Logger, ToolContext, ToolHost } from './ports.js';
import { DEFAULT_RETRY, retryDecision } from './retry.js';
import { RunState, normaliseOutput, redactSecrets, toRunError } from './run-state.js';
import type { RunStore, StepOutcome } from './store-ports.js';
import type { ToolRegistry } from './tools/registry.js';

export interface StepResult {
  status: Extract<StepStatus, 'completed' | 'failed' | 'skipped'>;
  output: unknown;
  error: RunError | null;
}

/** Runs an orchestrated (LLM) step; supplied by the executor when an LLM is wired. */
export type OrchestratedRunner = (
  step: PlanStep,
  params: Record<string, unknown>,
  ctx: Record<string, unknown>,
  tool: ToolContext,
  /** Runs one tool call the model asked for, recorded as a child step `<key>/call-<round>.<index>`. */
  callTool: (qualifiedName: string, args: Record<string, unknown>, round: number, index: number) => Promise<unknown>,
) => Promise<{ output: unknown; promptTokens: number; completionTokens: number; detail: Record<string, unknown> }>;

export interface StepRunnerDeps {
  runs: RunStore;
  tools: ToolRegistry;
  clock: Clock;
  log: Logger;
  host: ToolHost;
  orchestrate?: OrchestratedRunner | undefined;
  random?: () => number;
}

/** A pause or cancel request noticed between attempts or iterations. */
export class RunInterrupted extends Error {
  constructor(readonly kind: 'pause' | 'cancel' | 'timeout') {
    super(kind === 'timeout' ? 'the run timed out' : `run ${kind === 'pause' ? 'paused' : 'cancelled'}`);
  }
}

const stepError = (step: PlanStep, err: unknown): RunError => toRunError(err, step.key);

/** What one call of a step's action produced. */
interface Invoked {
  value: unknown;
  promptTokens?: number;
  completionTokens?: number;
  detail?: Record<string, unknown>;
}

/** Executes one step of one run: condition, loops, retries, recording. */
export class StepRunner {
  constructor(
    private readonly deps: StepRunnerDeps,
    private readonly state: RunState,
    private readonly signal: AbortSignal,
  ) {}

  /** Steps of this run executing right now; above one, outcome writes are group-committed. */
  private inflight = 0;
  private pending: StepOutcome[] = [];
  private flush: Promise<void> | undefined;

  /**
   * Records an outcome durably before the caller goes on. A lone step writes at once (one
   * transaction). While several steps of the run are in flight (DAG fan-out, parallel for_each),
   * outcomes that arrive in the same turn of the event loop share one transaction: each caller
   * still waits for its own commit, so nothing is acted on before it is on disk.
   */
  private write(o: StepOutcome): Promise<void> | undefined {
    this.state.remember(o);
    if (this.inflight <= 1 && this.flush === undefined) {
      this.deps.runs.recordStep(o);
      return undefined;
    }
    this.pending.push(o);
    this.flush ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        const batch = this.pending;
        this.pending = [];
        this.flush = undefined;
        try {
          this.deps.runs.recordSteps(batch);
          resolve();
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
    return this.flush;
  }

  private outcome(step: PlanStep, iteration: number, fields: Partial<StepOutcome> & { status: StepStatus }): StepOutcome {
    return {
      runId: this.state.run.id,
      stepKey: step.key,
      iteration,
      seq: this.state.seqFor(step.key, iteration),
      tool: step.def.tool ?? (step.def.execution_mode === 'orchestrated' ? 'llm' : null),
      attempt: 1,
      startedAtMs: null,
      finishedAtMs: null,
      ...fields,
    };
  }

  /** Records a step as skipped (condition false, branch not taken, chain stopped). */
  skipOutcome(step: PlanStep, reason: string, status: 'skipped' | 'blocked' | 'cancelled' = 'skipped'): StepOutcome {
    const at = this.deps.clock.now().getTime();
    return this.outcome(step, 0, { status, startedAtMs: at, finishedAtMs: at, detail: { reason } });
  }

  remember(o: StepOutcome): void {
    this.state.remember(o);
  }

  /** Runs the step (or replays its recorded outcome) and records it. `extra` is added to the detail. */
  async run(step: PlanStep, decide?: (r: StepResult) => Record<string, unknown> | undefined): Promise<StepResult> {
    const def = step.def;
    this.state.setNow(this.deps.clock.now());
    if (def.condition !== undefined) {
      let pass: boolean;
      try {
        pass = evaluateCondition(def.condition, this.state.ctx, { where: `${step.key}.condition` });
      } catch (err) {
        return this.fail(step, 0, err, 1, this.deps.clock.now().getTime(), undefined, decide);
      }
      if (!pass) {
        const o = this.skipOutcome(step, `condition is false: ${def.condition}`);
        const result: StepResult = { status: 'skipped', output: null, error: null };
        const extra = decide?.(result);
        if (extra !== undefined) o.detail = { ...o.detail, ...extra };
        await this.write(o);
        return result;
      }
    }
    if (def.for_each !== undefined || def.repeat_config !== undefined) return this.runLoop(step, decide);
    const result = await this.runOnce(step, 0, this.state.ctx, decide);
    return result;
  }

  /** One execution of the step's action, with retries; iteration 0 is the step itself. */
  private async runOnce(
    step: PlanStep,
    iteration: number,
    ctx: Record<string, unknown>,
    decide?: (r: StepResult) => Record<string, unknown> | undefined,
  ): Promise<StepResult> {
    this.inflight++;
    try {
      return await this.attempts(step, iteration, ctx, decide);
    } finally {
      this.inflight--;
    }
  }

  private async attempts(
    step: PlanStep,
    iteration: number,
    ctx: Record<string, unknown>,
    decide?: (r: StepResult) => Record<string, unknown> | undefined,
  ): Promise<StepResult> {
    const def = step.def;
    const chainDef = this.state.plan.definition;
    const policy = def.error_policy ?? chainDef.error_policy;
    const retryCfg = def.retry_config ?? chainDef.retry_config ?? (policy === 'retry' ? DEFAULT_RETRY : undefined);
    const prior = this.state.record(step.key, iteration);
    // A row left "running" means a previous process died mid-attempt: that attempt counts.
    let attempt = prior?.status === 'running' ? prior.attempt + 1 : 1;
    for (;;) {
      if (this.signal.aborted) throw this.signal.reason instanceof RunInterrupted ? this.signal.reason : new RunInterrupted('cancel');
      const startedAt = this.deps.clock.now().getTime();
      let params: Record<string, unknown> | undefined;
      try {
        params = resolveValue(def.parameters, ctx, { where: `${step.key}.parameters` }) as Record<string, unknown>;
        const output = await this.invoke(step, iteration, attempt, params, ctx, startedAt);
        const result: StepResult = { status: 'completed', output: normaliseOutput(output.value, step.key), error: null };
        const extra = iteration === 0 ? decide?.(result) : undefined;
        await this.write(
          this.outcome(step, iteration, {
            status: 'completed',
            attempt,
            inputs: redactSecrets(params),
            output: result.output,
            startedAtMs: startedAt,
            finishedAtMs: this.deps.clock.now().getTime(),
            promptTokens: output.promptTokens,
            completionTokens: output.completionTokens,
            detail: output.detail === undefined && extra === undefined ? undefined : { ...output.detail, ...extra },
          }),
        );
        return result;
      } catch (err) {
        if (err instanceof RunInterrupted) throw err;
        if (this.signal.aborted) throw this.signal.reason instanceof RunInterrupted ? this.signal.reason : new RunInterrupted('cancel');
        const decision = retryCfg === undefined ? { retry: false as const } : retryDecision(retryCfg, err, attempt, this.deps.random);
        if (!decision.retry) return this.fail(step, iteration, this.explainMissing(step, err), attempt, startedAt, params, iteration === 0 ? decide : undefined);
        const finishedAt = this.deps.clock.now().getTime();
        this.deps.runs.recordAttemptFailure(this.state.run.id, step.key, iteration, attempt, startedAt, finishedAt, stepError(step, err));
        this.deps.log.warn({ runId: this.state.run.id, stepKey: step.key, attempt, delayMs: decision.delayMs }, 'step failed; retrying');
        try {
          await this.deps.clock.sleep(decision.delayMs, this.signal);
        } catch {
          throw this.signal.reason instanceof RunInterrupted ? this.signal.reason : new RunInterrupted('cancel');
        }
        attempt++;
      }
    }
  }

  /** A missing reference often means the producing step failed or was skipped: say so. */
  private explainMissing(step: PlanStep, err: unknown): unknown {
    if (!(err instanceof TemplateError) || !err.missing) return err;
    const notes: string[] = [];
    for (const root of referencedRoots(step.def.parameters)) {
      const producer = this.state.plan.steps.find((s) => s.def.output_key === root);
      const rec = producer === undefined ? undefined : this.state.terminal(producer.key);
      if (producer !== undefined && rec !== undefined && rec.status !== 'completed') {
        notes.push(`"${root}" comes from step "${producer.key}", which ${rec.status === 'failed' ? 'failed' : `was ${rec.status}`}`);
      }
    }
    if (notes.length === 0) return err;
    return new NonRetriableError(err.code, `${err.message} (${notes.join('; ')})`, {
      hint: `Use "| default(...)" for values that may be absent, or fix the earlier step.`,
      cause: err,
    });
  }

  private async fail(
    step: PlanStep,
    iteration: number,
    err: unknown,
    attempt: number,
    startedAt: number,
    params: Record<string, unknown> | undefined,
    decide?: (r: StepResult) => Record<string, unknown> | undefined,
  ): Promise<StepResult> {
    const error = stepError(step, err);
    const result: StepResult = { status: 'failed', output: null, error };
    const extra = decide?.(result);
    await this.write(
      this.outcome(step, iteration, {
        status: 'failed',
        attempt,
        inputs: params === undefined ? undefined : redactSecrets(params),
        error,
        startedAtMs: startedAt,
        finishedAtMs: this.deps.clock.now().getTime(),
        detail: extra,
      }),
    );
    this.deps.log.warn({ runId: this.state.run.id, stepKey: step.key, code: error.code }, 'step failed');
    return result;
  }

  private async invoke(
    step: PlanStep,
    iteration: number,
    attempt: number,
    params: Record<string, unknown>,
    ctx: Record<string, unknown>,
    startedAt: number,
  ): Promise<Invoked> {
    const def = step.def;
    const timeoutMs = (def.timeout ?? 0) * 1000;
    // A step without a timeout listens on the run's own signal; only a timeout needs a child signal.
    const controller = timeoutMs > 0 ? new AbortController() : undefined;
    const onAbort = (): void => controller?.abort(this.signal.reason);
    if (controller !== undefined) this.signal.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const toolCtx: ToolContext = {
      runId: this.state.run.id,
      chainId: this.state.run.chainId,
      stepKey: step.key,
      iteration,
      attempt,
      idempotencyKey: `${this.state.run.id}:${step.key}:${iteration}`,
      signal: controller?.signal ?? this.signal,
      log: this.deps.log,
      clock: this.deps.clock,
      host: this.deps.host,
    };
    try {
      const work = this.dispatch(step, iteration, attempt, params, ctx, startedAt, toolCtx);
      if (controller === undefined) return await work;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const e = new AppError('timeout', `step "${step.key}" took longer than its ${def.timeout}s timeout`, {
            hint: 'Raise the step "timeout" or make the work smaller.',
          });
          controller.abort(e);
          reject(e);
        }, timeoutMs);
      });
      return await Promise.race([work, timeout]);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      if (controller !== undefined) this.signal.removeEventListener('abort', onAbort);
    }
  }

  private async dispatch(
    step: PlanStep,
    iteration: number,
    attempt: number,
    params: Record<string, unknown>,
    ctx: Record<string, unknown>,
    startedAt: number,
    toolCtx: ToolContext,
  ): Promise<Invoked> {
    const def = step.def;
    if (def.execution_mode === 'orchestrated') {
      if (this.deps.orchestrate === undefined) {
        throw new NonRetriableError('llm_not_configured', `step "${step.key}" needs a language model, and none is configured`, {
          hint: 'Set OPENAI_API_KEY (and OPENAI_BASE_URL / CHAINLOOM_MODEL for Ollama, LM Studio or vLLM), then run the chain again.',
        });
      }
      await this.markRunning(step, iteration, attempt, params, startedAt);
      const r = await this.deps.orchestrate(step, params, ctx, toolCtx, (name, args, round, index) =>
        this.childCall(step, iteration, toolCtx, name, args, round, index),
      );
      return { value: r.output, promptTokens: r.promptTokens, completionTokens: r.completionTokens, detail: r.detail };
    }
    const op = this.deps.tools.resolve(def.tool!, def.operation);
    let checked = params;
    if (op.operation.parameters !== undefined) {
      const parsed = op.operation.parameters.safeParse(params);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(parameters)'}: ${i.message}`).join('; ');
        throw new NonRetriableError('invalid_parameters', `step "${step.key}" (${op.qualifiedName}): ${issues}`, {
          hint: `Fix the step's parameters for ${op.qualifiedName}.`,
        });
      }
      checked = parsed.data as Record<string, unknown>;
    }
    if (op.operation.sideEffects) await this.markRunning(step, iteration, attempt, params, startedAt);
    return { value: await op.operation.execute(checked, toolCtx) };
  }

  /** A tool call made by an LLM step: executed through the registry and recorded as a child step. */
  private async childCall(
    step: PlanStep,
    iteration: number,
    parent: ToolContext,
    qualifiedName: string,
    args: Record<string, unknown>,
    round: number,
    index: number,
  ): Promise<unknown> {
    const op = this.deps.tools.resolve(qualifiedName);
    const key = `${step.key}/call-${round}.${index}`;
    const startedAt = this.deps.clock.now().getTime();
    const base = { runId: this.state.run.id, stepKey: key, iteration, seq: this.state.seqFor(key, iteration), tool: qualifiedName, attempt: 1, inputs: redactSecrets(args), startedAtMs: startedAt };
    try {
      const value = normaliseOutput(await op.operation.execute(args, { ...parent, stepKey: key, idempotencyKey: `${this.state.run.id}:${key}:${iteration}` }), key);
      await this.write({ ...base, status: 'completed', output: value, finishedAtMs: this.deps.clock.now().getTime() });
      return value;
    } catch (err) {
      await this.write({ ...base, status: 'failed', error: stepError(step, err), finishedAtMs: this.deps.clock.now().getTime() });
      throw err;
    }
  }

  /** The "started" record: lets a restart count the attempt and show the step as in flight. */
  private markRunning(step: PlanStep, iteration: number, attempt: number, params: Record<string, unknown>, startedAt: number): Promise<void> | undefined {
    return this.write(this.outcome(step, iteration, { status: 'running', attempt, inputs: redactSecrets(params), startedAtMs: startedAt }));
  }

  private async runLoop(step: PlanStep, decide?: (r: StepResult) => Record<string, unknown> | undefined): Promise<StepResult> {
    const def = step.def;
    const startedAt = this.deps.clock.now().getTime();
    const results: unknown[] = [];
    let failure: StepResult | undefined;
    let iterations = 0;
    try {
      if (def.for_each !== undefined) {
        const list = renderTemplate(def.for_each, this.state.ctx, { where: `${step.key}.for_each` });
        if (!Array.isArray(list)) {
          throw new NonRetriableError('not_a_list', `for_each of step "${step.key}" gave ${typeof list}, not a list`, {
            hint: 'Point for_each at an array, e.g. "{items}" or "{steps.fetch.output.items}".',
          });
        }
        if (list.length > 10_000) throw new NonRetriableError('too_many_items', `for_each of step "${step.key}" has ${list.length} items; the limit is 10,000`);
        const limit = def.concurrency ?? 1;
        let next = 0;
        const worker = async (): Promise<void> => {
          while (failure === undefined && next < list.length) {
            const i = next++;
            const r = await this.iteration(step, i + 1, { item: list[i], loop: { index: i, iteration: i + 1, count: list.length } });
            results[i] = r.output;
            if (r.status === 'failed') failure ??= r;
          }
        };
        await Promise.all(Array.from({ length: Math.min(limit, Math.max(list.length, 1)) }, worker));
        iterations = list.length;
      } else {
        const cfg = def.repeat_config!;
        for (let i = 1; i <= cfg.max_iterations; i++) {
          const loop = { index: i - 1, iteration: i, count: cfg.max_iterations };
          if (cfg.while !== undefined && !evaluateCondition(cfg.while, { ...this.state.ctx, loop }, { where: `${step.key}.repeat_config.while` })) break;
          if (i > 1 && cfg.interval > 0 && this.state.terminal(step.key, i) === undefined) await this.deps.clock.sleep(cfg.interval * 1000, this.signal);
          const r = await this.iteration(step, i, { loop });
          iterations = i;
          results.push(r.output);
          if (r.status === 'failed') {
            failure = r;
            break;
          }
          if (cfg.until !== undefined && evaluateCondition(cfg.until, { ...this.state.ctx, loop, result: r.output }, { where: `${step.key}.repeat_config.until` })) break;
        }
      }
    } catch (err) {
      if (err instanceof RunInterrupted) throw err;
      if (this.signal.aborted) throw this.signal.reason instanceof RunInterrupted ? this.signal.reason : new RunInterrupted('cancel');
      return this.fail(step, 0, err, 1, startedAt, undefined, decide);
    }
    if (failure !== undefined) return this.fail(step, 0, new AppError(failure.error?.code ?? 'step_error', failure.error?.message ?? 'iteration failed'), 1, startedAt, undefined, decide);
    const output = def.for_each !== undefined ? results : (results[results.length - 1] ?? null);
    const result: StepResult = { status: 'completed', output, error: null };
    const extra = decide?.(result);
    await this.write(
      this.outcome(step, 0, {
        status: 'completed',
        output,
        startedAtMs: startedAt,
        finishedAtMs: this.deps.clock.now().getTime(),
        detail: { iterations, ...extra },
      }),
    );
    return result;
  }

  /** One loop pass, replayed from its record when it already finished. */
  private async iteration(step: PlanStep, i: number, scope: Record<string, unknown>): Promise<StepResult> {
    const done = this.state.terminal(step.key, i);
    if (done !== undefined) return { status: done.status === 'completed' ? 'completed' : 'failed', output: done.output, error: done.error };
    return this.runOnce(step, i, { ...this.state.ctx, ...scope });
  }

  /** Runs a compensation action for a completed step, recorded as `compensate:<key>`. */
  async compensate(step: PlanStep): Promise<StepResult> {
    const comp = step.def.compensation!;
    const shadow: PlanStep = {
      key: `compensate:${step.key}`,
      index: step.index,
      deps: [],
      fallbackOnly: false,
      def: { name: `Undo ${step.def.name}`, execution_mode: 'direct', tool: comp.tool, operation: comp.operation, parameters: comp.parameters },
    };
    const done = this.state.terminal(shadow.key);
    if (done !== undefined) return { status: done.status === 'completed' ? 'completed' : 'failed', output: done.output, error: done.error };
    return this.runOnce(shadow, 0, this.state.ctx);
  }
}
