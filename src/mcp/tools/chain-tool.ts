import type { CallContext } from '../context.js';
import type { ToolOutcome } from '../result.js';
import type { ToolSpec } from '../tool-spec.js';
import * as chains from './chain-ops.js';
import { ChainToolInput, ChainToolOutput, type ChainToolArgs, type Operation } from './chain-schema.js';
import * as runs from './run-ops.js';
import * as sched from './schedule-ops.js';

const HANDLERS: Record<
  Operation,
  (ctx: CallContext, args: ChainToolArgs) => ToolOutcome | Promise<ToolOutcome>
> = {
  create: chains.createChain,
  list: chains.listChains,
  get: chains.getChain,
  update: chains.updateChain,
  delete: chains.deleteChain,
  duplicate: chains.duplicateChain,
  versions: chains.versions,
  rollback: chains.rollback,
  validate: chains.validate,
  test: chains.test,
  visualize: chains.visualize,
  run: runs.runChain,
  history: runs.history,
  stats: runs.stats,
  pause: (ctx, a) => runs.control(ctx, a, 'pause'),
  resume: (ctx, a) => runs.control(ctx, a, 'resume'),
  cancel: (ctx, a) => runs.control(ctx, a, 'cancel'),
  schedule: sched.schedule,
  emit: sched.emit,
  draft: chains.draft,
};

const DESCRIPTION = `Task chains: multi-step workflows (HTTP requests, LLM steps, notifications, data shaping, sub-chains) that run on a schedule, on an event, or on demand. Pick the use case with "operation":
- create: save a chain from "definition" ({ name, steps: [{ name, tool, operation, parameters, output_key }], schedule? }). Validated in full first; nothing half-written.
- list (status, text, tag) / get (chain, version?) / update (chain + changed fields; makes a new version) / delete / duplicate (new_name)
- run (chain, inputs; waits up to wait_seconds, else returns run_id and the result arrives in the inbox) / history (chain, status, since, until, text; run_id for one run's steps) / stats (chain?, since)
- versions (chain; from_version/to_version to compare) / rollback (chain, version)
- pause / resume / cancel: a run (run_id), a schedule or reminder (schedule_id; cancel removes it), or a whole chain (pause/resume)
- validate / test: check a definition, or dry-run it with simulated tool outputs ("fixtures"); nothing is saved or sent
- visualize: a Mermaid flowchart of a chain, or of a run with each step's status (run_id)
- schedule: attach or replace when a chain runs, from words ("when": "every weekday at 7") or a spec; without "when" lists its schedules. Echo the understood schedule back to the user.
- emit: fire a named event (event, data) that triggers chains.
- draft: turn words ("request") into a chain definition with the language model, validated; NOTHING is saved. Show it to the user and call create with the definition only if they agree.
Address a chain by chain_id or by its exact name. For a simple "remind me ..." use the remind tool instead.`;

export const chainTool: ToolSpec<typeof ChainToolInput, ChainToolArgs> = {
  name: 'chain_tool',
  title: 'Task chains',
  description: DESCRIPTION,
  inputSchema: ChainToolInput,
  outputSchema: ChainToolOutput,
  // One tool spans reads and writes: the hints describe its most consequential operations.
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  operationOf: (args) => args.operation,
  handle: (ctx, args) => HANDLERS[args.operation](ctx, args),
};
