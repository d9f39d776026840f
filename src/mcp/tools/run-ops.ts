import { errorMessage } from '../../domain/errors.js';
import type { RunRecord, RunStatus } from '../../domain/records.js';
import type { ProgressEvent } from '../../engine/executor.js';
import { type CallContext, DEFAULT_WAIT_SECONDS, MAX_WAIT_SECONDS, URI } from '../context.js';
import { type ToolOutcome, badArguments, ok } from '../result.js';
import { chainLine, duration, runDetailText, runLine } from '../text.js';
import { chainView, runView, statsView, stepView } from '../views.js';
import { chainRef, parseTime, requireScheduling } from './args.js';
import type { ChainToolArgs } from './chain-schema.js';
import { scheduleView } from '../views.js';
import { samplingFor } from '../sampling.js';

/** Runs: start (and wait, with progress), history, statistics, and run/schedule control. */

const RUN_STATUSES: RunStatus[] = ['pending', 'running', 'paused', 'completed', 'failed', 'cancelled'];

type Settled = { kind: 'done'; run: RunRecord } | { kind: 'error'; err: unknown } | { kind: 'timeout' };

/** Resolves after `ms`, or at once when the request is cancelled or its client goes away. */
function waitFor(ms: number, signal: AbortSignal): { promise: Promise<Settled>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const promise = new Promise<Settled>((resolve) => {
    if (signal.aborted) return resolve({ kind: 'timeout' });
    timer = setTimeout(() => resolve({ kind: 'timeout' }), ms);
    onAbort = () => resolve({ kind: 'timeout' });
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return {
    promise,
    cancel: () => {
      if (timer !== undefined) clearTimeout(timer);
      if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * Executes a run in this process. The returned promise never rejects; when nobody waits for the
 * result any more, the outcome is put in the inbox unless the chain's own notify_on already did.
 */
function execute(
  ctx: CallContext,
  run: RunRecord,
  onProgress?: (e: ProgressEvent) => void,
): { outcome: Promise<Settled>; detach(): void } {
  const { services, log } = ctx.deps;
  let detached = false;
  const sampling = samplingFor(ctx);
  const go = (): Promise<RunRecord> => services.executeRun(run.id, onProgress === undefined ? {} : { onProgress });
  const started = sampling !== undefined && ctx.deps.withLlm !== undefined ? ctx.deps.withLlm(sampling.llm, go) : go();
  const outcome = started.then(
    (r): Settled => {
      ctx.changed(URI.run(r.id));
      if (detached) reportToInbox(ctx, r);
      return { kind: 'done', run: r };
    },
    (err: unknown): Settled => {
      if (detached) log.warn({ runId: run.id, err: errorMessage(err) }, 'detached run could not execute');
      return { kind: 'error', err };
    },
  );
  return {
    outcome,
    detach: () => {
      detached = true;
      sampling?.close();
    },
  };
}

/** Puts a finished run's outcome in the inbox when nothing else reported it. */
function reportToInbox(ctx: CallContext, r: RunRecord): void {
  const add = ctx.deps.addNotification;
  if (add === undefined || (r.status !== 'completed' && r.status !== 'failed' && r.status !== 'cancelled'))
    return;
  try {
    const already = ctx.deps.services.inbox
      .list(false, 100)
      .some((n) => n.runId === r.id && n.kind !== 'message' && n.kind !== 'reminder');
    if (already) return;
    const failed = r.status !== 'completed';
    add({
      kind: failed ? 'run_failed' : 'run_completed',
      title: `Run of "${r.chainName}" ${r.status}`,
      body: failed
        ? (r.error?.message ?? r.status)
        : `finished in ${duration(r.durationMs)}; see history with run_id ${r.id}`,
      chainId: r.chainId,
      runId: r.id,
    });
    ctx.changed(URI.inbox);
  } catch (err) {
    ctx.deps.log.warn({ runId: r.id, err: errorMessage(err) }, 'could not report a run to the inbox');
  }
}

export async function runChain(ctx: CallContext, args: ChainToolArgs): Promise<ToolOutcome> {
  const { services, options } = ctx.deps;
  const run = services.startRun(chainRef(args, 'run'), args.inputs ?? {});
  ctx.changed(URI.run(run.id));
  const maxWait = options.runWaitMaxSeconds ?? MAX_WAIT_SECONDS;
  const waitSeconds =
    args.wait === false
      ? 0
      : Math.min(args.wait_seconds ?? options.runWaitSeconds ?? DEFAULT_WAIT_SECONDS, maxWait);

  const progressToken = ctx.extra._meta?.progressToken;
  let listening = true;
  let last = 0;
  const onProgress = (e: ProgressEvent): void => {
    if (e.status !== 'running') ctx.changed(URI.run(e.runId));
    if (!listening || progressToken === undefined) return;
    // Progress must grow with every notification, also when a step only starts.
    last = Math.max(e.done, last + 0.01);
    ctx.extra
      .sendNotification({
        method: 'notifications/progress',
        params: {
          progressToken,
          progress: last,
          total: e.total,
          message: `${e.stepKey}: ${e.status} (${e.done}/${e.total} done)`,
        },
      })
      .catch(() => undefined);
  };
  const exec = execute(ctx, run, onProgress);
  let settled: Settled = { kind: 'timeout' };
  if (args.wait !== false) {
    const timer = waitFor(waitSeconds * 1000, ctx.extra.signal);
    settled = await Promise.race([exec.outcome, timer.promise]);
    timer.cancel();
  }
  listening = false;
  if (settled.kind === 'error') throw settled.err;
  if (settled.kind === 'timeout') {
    exec.detach();
    const now = services.getRun(run.id);
    const text =
      `Started run ${run.id} of "${run.chainName}"; it is ${now.status} and keeps going in the background` +
      `${waitSeconds > 0 ? ` (not finished after ${waitSeconds} s)` : ''}. Its result will arrive in the inbox; ` +
      `ask for history with run_id ${run.id} to check on it.`;
    return ok(text, { operation: 'run', message: text, finished: false, run: runView(now) });
  }
  const detail = services.getRun(settled.run.id);
  const view = runView(detail, { withData: true });
  const steps = detail.steps.map(stepView);
  return ok(runDetailText(view, steps), {
    operation: 'run',
    message: `run ${view.status}`,
    finished: detail.status !== 'paused',
    run: view,
    steps,
  });
}

export function history(ctx: CallContext, args: ChainToolArgs): ToolOutcome {
  const { services, clock } = ctx.deps;
  if (args.run_id !== undefined) {
    const d = services.getRun(args.run_id);
    const run = runView(d, { withData: true });
    const steps = d.steps.map(stepView);
    const retries = d.attempts.map(
      (a) => `  retry: ${a.stepKey} attempt ${a.attempt} failed: ${a.error.message}`,
    );
    return ok([runDetailText(run, steps), ...retries].join('\n'), {
      operation: 'history',
      message: `run ${run.status}`,
      run,
      steps,
    });
  }
  const status = args.status;
  if (status !== undefined && !RUN_STATUSES.includes(status as RunStatus)) {
    throw badArguments(
      `"${status}" is a chain status, not a run status`,
      `For history use status ${RUN_STATUSES.join(', ')}; to find chains by status use operation 'list'.`,
    );
  }
  const now = clock.now();
  const limit = Math.min(args.limit ?? 20, 200);
  const runs = services
    .history({
      chain: args.chain_id ?? args.name,
      status: status as RunStatus | undefined,
      sinceMs: args.since === undefined ? undefined : parseTime(args.since, 'since', now),
      untilMs: args.until === undefined ? undefined : parseTime(args.until, 'until', now),
      text: args.text,
      limit,
    })
    .map((r) => runView(r));
  const text =
    runs.length === 0
      ? 'No runs match.'
      : `${runs.length} run(s), newest first${runs.length === limit ? ` (the first ${limit}; narrow with since/status or raise limit)` : ''}:\n${runs.map(runLine).join('\n')}\nAsk for history with run_id for one run's steps.`;
  return ok(text, { operation: 'history', message: `${runs.length} run(s)`, runs });
}

export function stats(ctx: CallContext, args: ChainToolArgs): ToolOutcome {
  const { services, clock } = ctx.deps;
  const ref = args.chain_id ?? args.name;
  const s = statsView(
    services.stats(ref, args.since === undefined ? undefined : parseTime(args.since, 'since', clock.now())),
  );
  const pct =
    s.success_rate === null ? 'no finished runs' : `${(s.success_rate * 100).toFixed(1)}% succeeded`;
  const lines = [
    `Statistics for ${ref ?? 'all chains'}${args.since !== undefined ? ` since ${args.since}` : ''}: ${s.runs} run(s) — ${s.completed} completed, ${s.failed} failed, ${s.cancelled} cancelled, ${s.running} active; ${pct}.`,
    `Duration: average ${duration(s.avg_duration_ms)}, p95 ${duration(s.p95_duration_ms)}. Last run: ${s.last_run_at ?? 'never'}.`,
  ];
  if (s.failures_by_step.length > 0)
    lines.push(
      `Failures by step: ${s.failures_by_step.map((f) => `${f.step_key} ×${f.failures}`).join(', ')}.`,
    );
  return ok(lines.join('\n'), { operation: 'stats', message: pct, stats: s });
}

/** pause / resume / cancel: a run (run_id), a schedule (schedule_id) or a whole chain. */
export async function control(
  ctx: CallContext,
  args: ChainToolArgs,
  op: 'pause' | 'resume' | 'cancel',
): Promise<ToolOutcome> {
  const { services } = ctx.deps;
  if (args.run_id !== undefined) {
    if (op === 'cancel') {
      const r = services.cancelRun(args.run_id);
      ctx.changed(URI.run(r.id));
      const text = `Run ${r.id}: ${r.status === 'cancelled' ? 'cancelled' : `${r.status}; cancel requested, it stops at the current step`}.`;
      return ok(text, { operation: op, message: text, run: runView(r) });
    }
    if (op === 'pause') {
      const r = services.pauseRun(args.run_id);
      ctx.changed(URI.run(r.id));
      const text = `Run ${r.id}: ${r.status === 'paused' ? 'paused' : `${r.status}; pause requested, it pauses after the current step`}. Resume it with operation 'resume'.`;
      return ok(text, { operation: op, message: text, run: runView(r) });
    }
    const r = services.resumeRun(args.run_id);
    execute(ctx, r).detach();
    ctx.changed(URI.run(r.id));
    const text = `Run ${r.id} resumed; it continues from its first unfinished step and its result will arrive in the inbox.`;
    return ok(text, { operation: op, message: text, run: runView(r) });
  }
  if (args.schedule_id !== undefined) {
    const scheduling = requireScheduling(ctx.deps.scheduling);
    const s =
      op === 'pause'
        ? scheduling.pause(args.schedule_id)
        : op === 'resume'
          ? scheduling.resume(args.schedule_id)
          : scheduling.remove(args.schedule_id);
    ctx.changed(URI.chain(s.chainId));
    const view = scheduleView(s);
    const text =
      op === 'cancel'
        ? `Removed ${s.kind} ${s.id} of "${s.chainName}" (${s.description}); it will not fire again.`
        : op === 'pause'
          ? `Paused ${s.kind} ${s.id} of "${s.chainName}" (${s.description}); resume it with operation 'resume'.`
          : `Resumed ${s.kind} ${s.id} of "${s.chainName}": ${s.description}${view.next.length > 0 ? `; next run ${view.next[0]}` : ''}.`;
    return ok(text, { operation: op, message: text, schedule: view });
  }
  if (args.chain_id !== undefined || args.name !== undefined) {
    if (op === 'cancel') {
      throw badArguments(
        "operation 'cancel' needs run_id or schedule_id",
        "Cancel stops one run (run_id) or removes one schedule (schedule_id). To stop a whole chain use operation 'pause', or 'delete' to remove it.",
      );
    }
    const c = services.setChainStatus(chainRef(args, op), op === 'pause' ? 'paused' : 'active');
    ctx.changed(URI.chain(c.id));
    const text =
      op === 'pause'
        ? `Paused chain "${c.name}": its schedules do not fire until you resume it.`
        : `Chain "${c.name}" is active again.`;
    return ok(`${text}\n${chainLine(chainView(c))}`, { operation: op, message: text, chain: chainView(c) });
  }
  throw badArguments(
    `operation '${op}' needs run_id, schedule_id, chain_id or name`,
    "Pass run_id for a run, schedule_id for a schedule or reminder, or chain_id/name for a whole chain. 'history' lists runs; 'schedule' with a chain lists its schedules.",
  );
}
