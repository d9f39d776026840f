import type { RunRecord } from '../domain/records.js';
import type { Clock } from './ports.js';
import type { Stores } from './store-ports.js';

/**
 * Puts a notification in the inbox when a run ends the way its chain's `notify_on` asks
 * (default: failures). Sub-chain runs report through their parent.
 */
export function notifyRunFinished(stores: Stores, clock: Clock): (run: RunRecord) => void {
  return (run) => {
    if (run.trigger === 'subchain' || run.trigger === 'test') return;
    if (run.status !== 'completed' && run.status !== 'failed') return;
    const def = stores.chains.getVersion(run.chainId, run.version).definition;
    const want = run.status === 'completed' ? 'success' : 'failure';
    if (!def.notify_on.includes(want)) return;
    const failed = run.status === 'failed';
    stores.notifications.add(
      {
        kind: failed ? 'run_failed' : 'run_completed',
        title: failed ? `"${run.chainName}" failed` : `"${run.chainName}" finished`,
        body: failed
          ? `${run.error?.stepKey !== undefined ? `Step ${run.error.stepKey}: ` : ''}${run.error?.message ?? 'unknown error'}${run.error?.hint !== undefined ? ` (${run.error.hint})` : ''}`
          : `Completed in ${run.durationMs ?? 0} ms.`,
        chainId: run.chainId,
        runId: run.id,
        dueAt: run.slot ?? undefined,
        data: failed ? { error: run.error } : { output: run.output },
      },
      clock.now(),
    );
  };
}
