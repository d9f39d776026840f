import { type CallContext, URI } from '../context.js';
import { type ToolOutcome, badArguments, ok } from '../result.js';
import { runLine, scheduleLine } from '../text.js';
import { runView, scheduleView, triggerView } from '../views.js';
import { chainRef, requireScheduling } from './args.js';
import type { ChainToolArgs } from './chain-schema.js';

/** Schedules (from words or a spec) and named events. */

export async function schedule(ctx: CallContext, args: ChainToolArgs): Promise<ToolOutcome> {
  const scheduling = requireScheduling(ctx.deps.scheduling);
  const ref = chainRef(args, 'schedule');
  const chain = ctx.deps.services.getChain(ref).chain;
  if (args.when === undefined) {
    const schedules = scheduling.list({ chain: chain.id, includeDisabled: true }).map(scheduleView);
    const triggers = scheduling.listTriggers(chain.id).map(triggerView);
    const text = [
      schedules.length === 0
        ? `"${chain.name}" has no schedule.`
        : `Schedules of "${chain.name}":\n${schedules.map(scheduleLine).join('\n')}`,
      ...(triggers.length > 0
        ? [`Event triggers: ${triggers.map((t) => `${t.event} (${t.id})`).join(', ')}`]
        : []),
      'Set one with operation \'schedule\' and when, e.g. "every weekday at 7:30".',
    ].join('\n');
    return ok(text, {
      operation: 'schedule',
      message: `${schedules.length} schedule(s)`,
      schedules,
      triggers,
    });
  }
  if (typeof args.when === 'string' && args.when.trim() === '')
    throw badArguments('when is empty', 'Say when in words, e.g. "every Monday at 8".');
  const s = await scheduling.attach(chain.id, args.when, {
    timezone: args.timezone,
    catchUp: args.catch_up,
    overlap: args.overlap,
    replace: args.replace ?? true,
    inputs: args.inputs,
  });
  ctx.changed(URI.chain(chain.id));
  const view = scheduleView(s);
  const text = [
    `Scheduled "${s.chainName}": ${s.description}.`,
    view.next.length > 0 ? `Next runs: ${view.next.join(', ')}.` : 'It has no future runs.',
    `Missed runs after downtime: ${s.catchUp.replace('_', ' ')}; if a run is still going: ${s.overlap}.`,
    'Confirm this back to the user in words, with the time zone.',
  ].join('\n');
  return ok(text, { operation: 'schedule', message: `${s.chainName}: ${s.description}`, schedule: view });
}

export async function emit(ctx: CallContext, args: ChainToolArgs): Promise<ToolOutcome> {
  const scheduling = requireScheduling(ctx.deps.scheduling);
  if (args.event === undefined || args.event.trim() === '') {
    throw badArguments(
      "operation 'emit' needs event",
      'Pass event (the event name chains are triggered by) and optionally data (the payload).',
    );
  }
  const res = await scheduling.emit(args.event, args.data ?? null);
  for (const r of res.runs) ctx.changed(URI.run(r.id));
  const runs = res.runs.map((r) => runView(r));
  const text =
    runs.length === 0
      ? `Event "${res.event}" emitted; no chain has a trigger on it.`
      : `Event "${res.event}" started ${runs.length} run(s):\n${runs.map(runLine).join('\n')}`;
  return ok(text, { operation: 'emit', message: `${runs.length} run(s) started`, event: res.event, runs });
}
