import type { ChainDefinition } from '../../domain/chain.js';
import { AppError } from '../../domain/errors.js';
import type { StepRecord } from '../../domain/records.js';
import { type CallContext, URI } from '../context.js';
import { type ToolOutcome, badArguments, ok } from '../result.js';
import { chainLine, runDetailText, scheduleLine } from '../text.js';
import { chainView, problemView, runView, scheduleView, stepView, versionView } from '../views.js';
import { type StepStatusMap, chainFlowchart } from '../visualize.js';
import { chainRef, definitionFrom } from './args.js';
import { samplingFor } from '../sampling.js';
import type { ChainToolArgs } from './chain-schema.js';

/** Chain definitions: create, read, change, version, check and draw. */

const DEFINITION_HINT =
  'Pass definition: { "name": "...", "steps": [{ "name": "...", "tool": "...", "operation": "...", "parameters": {...}, "output_key": "..." }] } (or name and steps at the top level).';

function warningsText(ws: { path: string; message: string }[]): string {
  return ws.length === 0 ? '' : `\nWarnings:\n${ws.map((w) => `- ${w.path}: ${w.message}`).join('\n')}`;
}

/** The chain's schedules, when scheduling is wired (for echoing them back after a save). */
function schedulesOf(ctx: CallContext, chainId: string) {
  try {
    return ctx.deps.scheduling?.list({ chain: chainId }).map(scheduleView) ?? [];
  } catch {
    return [];
  }
}

export function createChain(ctx: CallContext, args: ChainToolArgs): ToolOutcome {
  const def = definitionFrom(args);
  if (def === undefined) throw badArguments("operation 'create' needs a definition", DEFINITION_HINT);
  if (def['name'] === undefined && args.name !== undefined) def['name'] = args.name;
  const saved = ctx.deps.services.createChain(def, args.note);
  ctx.changed(URI.chain(saved.chain.id));
  const schedules = schedulesOf(ctx, saved.chain.id);
  const text = [
    `Created chain "${saved.chain.name}" (${saved.chain.id}), version 1, with ${saved.version.definition.steps.length} step(s).`,
    ...(schedules.length > 0 ? ['Schedule:', ...schedules.map(scheduleLine)] : []),
  ].join('\n');
  return ok(text + warningsText(saved.warnings), {
    operation: 'create',
    message: `created ${saved.chain.name}`,
    chain: chainView(saved.chain),
    version: saved.version.version,
    warnings: saved.warnings.map(problemView),
    ...(schedules.length > 0 ? { schedules } : {}),
  });
}

export function listChains(ctx: CallContext, args: ChainToolArgs): ToolOutcome {
  const status = args.status;
  if (status !== undefined && !['active', 'paused', 'archived'].includes(status)) {
    throw badArguments(
      `"${status}" is a run status, not a chain status`,
      "For list use status active, paused or archived; to find runs by status use operation 'history'.",
    );
  }
  const limit = args.limit ?? 50;
  const chains = ctx.deps.services
    .listChains({
      status: status as 'active' | 'paused' | 'archived' | undefined,
      text: args.text,
      tag: args.tag,
      limit,
    })
    .map(chainView);
  const text =
    chains.length === 0
      ? args.status === undefined && args.text === undefined && args.tag === undefined
        ? "No chains yet. Create one with operation 'create', or set a reminder with the remind tool."
        : 'No chains match.'
      : `${chains.length} chain(s)${chains.length === limit ? ` (the first ${limit}; raise limit or filter for more)` : ''}:\n${chains.map(chainLine).join('\n')}`;
  return ok(text, { operation: 'list', message: `${chains.length} chain(s)`, chains });
}

export function getChain(ctx: CallContext, args: ChainToolArgs): ToolOutcome {
  const { services } = ctx.deps;
  const got = services.getChain(chainRef(args, 'get'));
  const definition =
    args.version === undefined ? got.definition : definitionAt(ctx, got.chain.id, args.version);
  const schedules = schedulesOf(ctx, got.chain.id);
  const text = [
    `${got.chain.name} (${got.chain.id}) — ${got.chain.status}, showing version ${args.version ?? got.chain.currentVersion} of ${got.versions}.`,
    ...(got.chain.description !== null && got.chain.description !== '' ? [got.chain.description] : []),
    ...(schedules.length > 0 ? ['Schedules:', ...schedules.map(scheduleLine)] : []),
    'Definition:',
    JSON.stringify(definition, null, 2),
  ].join('\n');
  return ok(text, {
    operation: 'get',
    message: `${got.chain.name} v${args.version ?? got.chain.currentVersion}`,
    chain: chainView(got.chain),
    version: args.version ?? got.chain.currentVersion,
    definition: definition,
    ...(schedules.length > 0 ? { schedules } : {}),
  });
}

/** The definition of a given version (runs are pinned to the version they started with). */
function definitionAt(ctx: CallContext, chainId: string, version: number): ChainDefinition {
  if (ctx.deps.definitionAt !== undefined) return ctx.deps.definitionAt(chainId, version);
  const got = ctx.deps.services.getChain(chainId);
  if (got.chain.currentVersion === version) return got.definition;
  throw new AppError(
    'version_unavailable',
    `version ${version} of "${got.chain.name}" cannot be shown by this server`,
    {
      hint: `Ask for the current version (${got.chain.currentVersion}) instead.`,
    },
  );
}

export function updateChain(ctx: CallContext, args: ChainToolArgs): ToolOutcome {
  const { services } = ctx.deps;
  const ref = chainRef(args, 'update');
  const current = services.getChain(ref);
  const def = definitionFrom(args, current.definition);
  if (def === undefined) {
    throw badArguments(
      "operation 'update' needs the changes",
      `Pass definition (fields to replace, e.g. { "steps": [...] }), or steps, description or tags. ${DEFINITION_HINT}`,
    );
  }
  const saved = services.updateChain(current.chain.id, def, args.note);
  ctx.changed(URI.chain(saved.chain.id));
  const text = saved.changed
    ? `Updated "${saved.chain.name}" to version ${saved.version.version}: ${saved.diff?.summary ?? 'changed'}. Runs already started keep their version.`
    : `No changes: "${saved.chain.name}" stays at version ${saved.version.version}.`;
  return ok(text + warningsText(saved.warnings), {
    operation: 'update',
    message: text,
    chain: chainView(saved.chain),
    version: saved.version.version,
    changed: saved.changed,
    changes: saved.diff?.summary ?? 'no changes',
    warnings: saved.warnings.map(problemView),
  });
}

export function deleteChain(ctx: CallContext, args: ChainToolArgs): ToolOutcome {
  const c = ctx.deps.services.deleteChain(chainRef(args, 'delete'));
  ctx.changed(URI.chain(c.id));
  return ok(
    `Deleted chain "${c.name}" (${c.id}). Its schedules stop; its run history is kept until pruned.`,
    {
      operation: 'delete',
      message: `deleted ${c.name}`,
      chain: chainView(c),
    },
  );
}

export function duplicateChain(ctx: CallContext, args: ChainToolArgs): ToolOutcome {
  const saved = ctx.deps.services.duplicateChain(chainRef(args, 'duplicate'), args.new_name);
  ctx.changed(URI.chain(saved.chain.id));
  return ok(`Duplicated as "${saved.chain.name}" (${saved.chain.id}), version 1.`, {
    operation: 'duplicate',
    message: `duplicated as ${saved.chain.name}`,
    chain: chainView(saved.chain),
    version: 1,
  });
}

export function versions(ctx: CallContext, args: ChainToolArgs): ToolOutcome {
  const { services } = ctx.deps;
  const ref = chainRef(args, 'versions');
  const chain = services.getChain(ref).chain;
  if (args.from_version !== undefined || args.to_version !== undefined) {
    const from = args.from_version ?? Math.max(1, (args.to_version ?? chain.currentVersion) - 1);
    const to = args.to_version ?? chain.currentVersion;
    const d = services.diffVersions(chain.id, from, to);
    return ok(`"${chain.name}" v${from} → v${to}: ${d.summary}`, {
      operation: 'versions',
      message: d.summary,
      chain: chainView(chain),
      changes: d.summary,
    });
  }
  const vs = services.versions(chain.id).map(versionView);
  const text = [
    `"${chain.name}" has ${vs.length} version(s); current is v${chain.currentVersion}:`,
    ...vs.map(
      (v) =>
        `- ${v.current ? '*' : ' '}v${v.version} ${v.created_at} by ${v.created_by}${v.note !== null ? ` (${v.note})` : ''}: ${v.changes}`,
    ),
    "Restore one with operation 'rollback' and version.",
  ].join('\n');
  return ok(text, {
    operation: 'versions',
    message: `${vs.length} version(s)`,
    chain: chainView(chain),
    versions: vs,
  });
}

export function rollback(ctx: CallContext, args: ChainToolArgs): ToolOutcome {
  const ref = chainRef(args, 'rollback');
  if (args.version === undefined)
    throw badArguments(
      "operation 'rollback' needs version",
      "Pass version (the number to restore); operation 'versions' lists them.",
    );
  const saved = ctx.deps.services.rollback(ref, args.version);
  ctx.changed(URI.chain(saved.chain.id));
  const text = saved.changed
    ? `Rolled "${saved.chain.name}" back to the content of v${args.version}; that is now version ${saved.version.version} (${saved.diff?.summary ?? ''}). History keeps every version.`
    : `"${saved.chain.name}" already has the content of v${args.version}; nothing changed.`;
  return ok(text, {
    operation: 'rollback',
    message: text,
    chain: chainView(saved.chain),
    version: saved.version.version,
    changed: saved.changed,
  });
}

export function validate(ctx: CallContext, args: ChainToolArgs): ToolOutcome {
  const { services } = ctx.deps;
  let def: unknown = definitionFrom(args);
  if (def === undefined) {
    if (args.chain_id === undefined && args.name === undefined)
      throw badArguments("operation 'validate' needs a definition (or a chain)", DEFINITION_HINT);
    def = services.getChain(chainRef(args, 'validate')).definition;
  }
  const report = services.validate(def);
  const all = [...report.errors, ...report.warnings].map(problemView);
  const text = report.ok
    ? `Valid: the definition can be saved as is.${warningsText(report.warnings)}`
    : `Not valid: ${report.errors.length} problem(s); nothing was saved.\n${report.errors.map((p) => `- ${p.path}: ${p.message}`).join('\n')}${warningsText(report.warnings)}`;
  return ok(text, {
    operation: 'validate',
    message: report.ok ? 'valid' : `${report.errors.length} problem(s)`,
    valid: report.ok,
    problems: all,
  });
}

export async function test(ctx: CallContext, args: ChainToolArgs): Promise<ToolOutcome> {
  const { services } = ctx.deps;
  const def = definitionFrom(args);
  const source = def !== undefined ? { definition: def } : { ref: chainRef(args, 'test') };
  const detail = await services.dryRun(source, args.fixtures ?? {}, args.inputs ?? {});
  const run = runView(detail, { withData: true });
  const steps = detail.steps.map(stepView);
  const text = `Dry run — nothing saved, nothing sent; side effects simulated for: ${detail.simulated.join(', ') || 'none'}.\n${runDetailText(run, steps)}`;
  return ok(text, {
    operation: 'test',
    message: `dry run ${detail.status}`,
    run,
    steps,
    simulated: detail.simulated,
  });
}

export function visualize(ctx: CallContext, args: ChainToolArgs): ToolOutcome {
  const { services } = ctx.deps;
  if (args.run_id !== undefined) {
    const d = services.getRun(args.run_id);
    const def = definitionAt(ctx, d.chainId, d.version);
    const mermaid = chainFlowchart(def, statusMap(d.steps), d.status);
    return ok(
      `Run ${d.id} of "${d.chainName}" v${d.version} (${d.status}) as a Mermaid flowchart:\n\n\`\`\`mermaid\n${mermaid}\n\`\`\``,
      {
        operation: 'visualize',
        message: `run ${d.id}`,
        run: runView(d),
        mermaid,
      },
    );
  }
  const got = services.getChain(chainRef(args, 'visualize'));
  const def = args.version === undefined ? got.definition : definitionAt(ctx, got.chain.id, args.version);
  const mermaid = chainFlowchart(def);
  return ok(
    `"${got.chain.name}" v${args.version ?? got.chain.currentVersion} as a Mermaid flowchart:\n\n\`\`\`mermaid\n${mermaid}\n\`\`\``,
    {
      operation: 'visualize',
      message: `${got.chain.name} flowchart`,
      chain: chainView(got.chain),
      mermaid,
    },
  );
}

function statusMap(steps: StepRecord[]): StepStatusMap {
  const m: StepStatusMap = new Map();
  for (const s of steps)
    if (s.iteration === 0 || !m.has(s.stepKey))
      m.set(s.stepKey, { status: s.status, durationMs: s.durationMs });
  return m;
}

/** Drafts a definition from words with the language model; never saves. */
export async function draft(ctx: CallContext, args: ChainToolArgs): Promise<ToolOutcome> {
  const request = args.request ?? args.text;
  if (request === undefined) {
    throw badArguments("operation 'draft' needs \"request\": what the chain should do, in words", 'Example: { "operation": "draft", "request": "every weekday at 7, get the weather for Berlin, summarise it, notify me" }');
  }
  const drafter = ctx.deps.draftChain;
  if (drafter === undefined) throw new AppError('llm_not_configured', 'drafting needs a language model, and none is available here', { hint: 'Set OPENAI_API_KEY (or OPENAI_BASE_URL for a local model), or write the definition and use create.' });
  const sampling = samplingFor(ctx);
  let d;
  try {
    d = await drafter(request, { name: args.name, llm: sampling?.llm });
  } finally {
    sampling?.close();
  }
  const problems = [...d.report.errors, ...d.report.warnings].map(problemView);
  const u = d.schedule?.understood;
  const understood = u !== undefined && u.ok ? { description: u.description, next: u.next.slice(0, 3), assumptions: u.assumptions } : undefined;
  const lines = [
    `Draft of a chain (NOT saved) for: "${request}"`,
    '```json',
    JSON.stringify(d.definition, null, 2),
    '```',
    understood !== undefined ? `Runs ${understood.description}; next ${understood.next.join(', ')}.` : '',
    d.report.ok ? 'It validates.' : `It has ${d.report.errors.length} problem(s):\n${d.report.errors.map((p) => `- ${p.path}: ${p.message}`).join('\n')}`,
    d.notes.length > 0 ? `Notes: ${d.notes.join(' ')}` : '',
    d.report.ok ? 'Show it to the user; if they agree, call chain_tool with operation "create" and this definition.' : 'Fix the problems (or ask the user) before creating it.',
  ].filter((l) => l !== '');
  return ok(lines.join('\n'), {
    operation: 'draft',
    message: d.report.ok ? 'draft ready (not saved)' : `draft has ${d.report.errors.length} problem(s) (not saved)`,
    definition: (d.definition ?? {}),
    valid: d.report.ok,
    problems,
    notes: d.notes,
    ...(understood !== undefined ? { understood } : {}),
  });
}
