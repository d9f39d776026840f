import type { ChainDefinition } from '../domain/chain.js';
import { AppError, type Problem } from '../domain/errors.js';
import type { ChainRecord, ChainStatus, ChainVersionRecord, RunDetail, RunRecord, RunStatus, RunTrigger } from '../domain/records.js';
import { type VersionDiff, diffDefinitions } from './diff.js';
import { type ExecuteOptions, Executor } from './executor.js';
import { type ValidationReport, parseDefinition, validateDefinition } from './plan.js';
import type { Clock, Logger, Notification, NotificationDraft, ToolDefinition } from './ports.js';
import type { AuditEntry, ChainFilter, RunStats, Stores } from './store-ports.js';
import { ToolRegistry } from './tools/registry.js';

export interface ServicesDeps {
  stores: Stores;
  executor: Executor;
  tools: ToolRegistry;
  clock: Clock;
  log: Logger;
  /** Who is making changes (audit log): from config, default the OS user. */
  actor: string;
  /** A throwaway store with the real schema, for dry runs. */
  openScratch: () => Stores & { close(): void };
  /** Called after a definition is saved (schedules attach here). */
  onDefinitionSaved?: (chain: ChainRecord, def: ChainDefinition, previous: ChainDefinition | undefined) => void;
}

export interface SavedChain {
  chain: ChainRecord;
  version: ChainVersionRecord;
  warnings: Problem[];
  changed: boolean;
  diff?: VersionDiff;
}

export interface HistoryQuery {
  chain?: string | undefined;
  status?: RunStatus | undefined;
  sinceMs?: number | undefined;
  untilMs?: number | undefined;
  text?: string | undefined;
  trigger?: RunTrigger | undefined;
  limit?: number | undefined;
}

export interface VersionSummary {
  version: number;
  createdAt: string;
  createdBy: string;
  note: string | null;
  current: boolean;
  changes: string;
}

/** The use cases the MCP tools and the CLI call. Validation always happens before any write. */
export function createServices(deps: ServicesDeps) {
  const { stores, executor, clock } = deps;
  const meta = (note?: string) => ({ actor: deps.actor, now: clock.now(), note });

  const saved = (chain: ChainRecord, def: ChainDefinition, previous?: ChainDefinition): void =>
    deps.onDefinitionSaved?.(chain, def, previous);

  const services = {
    tools: deps.tools,

    validate(input: unknown): ValidationReport {
      return validateDefinition(input, deps.tools);
    },

    createChain(input: unknown, note?: string): SavedChain {
      const { definition, warnings } = parseDefinition(input, deps.tools);
      const chain = stores.chains.create(definition, meta(note));
      saved(chain, definition);
      return { chain, version: stores.chains.getVersion(chain.id, 1), warnings, changed: true };
    },

    updateChain(ref: string, input: unknown, note?: string): SavedChain {
      const { definition, warnings } = parseDefinition(input, deps.tools);
      const before = stores.chains.get(ref);
      const previous = stores.chains.getVersion(before.id, before.currentVersion).definition;
      const res = stores.chains.update(before.id, definition, meta(note));
      if (res.changed) saved(res.chain, definition, previous);
      return { ...res, warnings, diff: diffDefinitions(previous, definition) };
    },

    /** A chain and its definition (the current version, or the one asked for). */
    getChain(ref: string, version?: number): { chain: ChainRecord; definition: ChainDefinition; versions: number } {
      const chain = stores.chains.get(ref);
      return { chain, definition: stores.chains.getVersion(chain.id, version ?? chain.currentVersion).definition, versions: chain.currentVersion };
    },

    listChains(filter: ChainFilter = {}): ChainRecord[] {
      return stores.chains.list(filter);
    },

    deleteChain(ref: string): ChainRecord {
      return stores.chains.delete(ref, meta());
    },

    duplicateChain(ref: string, newName?: string): SavedChain {
      const { chain, definition } = services.getChain(ref);
      let name = newName ?? `${chain.name} (copy)`;
      for (let n = 2; newName === undefined && stores.chains.find(name) !== undefined; n++) name = `${chain.name} (copy ${n})`;
      return services.createChain({ ...definition, name }, `duplicated from ${chain.name} v${chain.currentVersion}`);
    },

    setChainStatus(ref: string, status: ChainStatus): ChainRecord {
      return stores.chains.setStatus(ref, status, meta());
    },

    versions(ref: string): VersionSummary[] {
      const chain = stores.chains.get(ref);
      const all = stores.chains.versions(chain.id);
      return all.map((v, i) => {
        const older = all[i + 1];
        return {
          version: v.version,
          createdAt: v.createdAt,
          createdBy: v.createdBy,
          note: v.note,
          current: v.version === chain.currentVersion,
          changes: older === undefined ? 'first version' : diffDefinitions(older.definition, v.definition).summary,
        };
      });
    },

    diffVersions(ref: string, from: number, to: number): VersionDiff {
      const chain = stores.chains.get(ref);
      return diffDefinitions(stores.chains.getVersion(chain.id, from).definition, stores.chains.getVersion(chain.id, to).definition);
    },

    rollback(ref: string, toVersion: number): SavedChain {
      const chain = stores.chains.get(ref);
      const previous = stores.chains.getVersion(chain.id, chain.currentVersion).definition;
      const res = stores.chains.rollback(chain.id, toVersion, meta());
      if (res.changed) saved(res.chain, res.version.definition, previous);
      return { ...res, warnings: [], diff: diffDefinitions(previous, res.version.definition) };
    },

    audit(ref: string): AuditEntry[] {
      return stores.chains.audit(stores.chains.get(ref).id);
    },

    /** Creates a pending run without executing it. */
    startRun(ref: string, inputs: Record<string, unknown> = {}, trigger: RunTrigger = 'manual'): RunRecord {
      const chain = stores.chains.get(ref);
      if (chain.status === 'archived') {
        throw new AppError('chain_archived', `chain "${chain.name}" is archived`, { hint: 'Restore it with resume before running.' });
      }
      return executor.createRun(chain.id, { inputs, trigger });
    },

    executeRun(runId: string, opts?: ExecuteOptions): Promise<RunRecord> {
      return executor.execute(runId, opts);
    },

    async runChain(ref: string, inputs: Record<string, unknown> = {}, opts?: ExecuteOptions): Promise<RunRecord> {
      const run = services.startRun(ref, inputs);
      return executor.execute(run.id, opts);
    },

    getRun(runId: string): RunDetail {
      const d = stores.runs.getRunDetail(runId);
      if (d === undefined) throw new AppError('not_found', `run "${runId}" was not found`, { hint: 'Use history to list runs and their ids.' });
      return d;
    },

    history(q: HistoryQuery = {}): RunRecord[] {
      const chainId = q.chain === undefined ? undefined : stores.chains.get(q.chain).id;
      return stores.runs.history({ ...q, chainId });
    },

    stats(ref?: string, sinceMs?: number): RunStats {
      return stores.runs.stats(ref === undefined ? undefined : stores.chains.get(ref).id, sinceMs);
    },

    cancelRun: (runId: string): RunRecord => executor.cancel(runId),
    pauseRun: (runId: string): RunRecord => executor.pause(runId),
    resumeRun: (runId: string): RunRecord => executor.resume(runId),

    prune(olderThanMs: number): { removed: number } {
      return { removed: stores.runs.prune(clock.now().getTime() - olderThanMs) };
    },

    /**
     * Runs a chain (saved, or a definition not yet saved) in a scratch database: steps with side
     * effects return the fixture given for their step key, "tool.operation" or tool, or null.
     * Nothing is written to the real database and no request leaves the machine.
     */
    async dryRun(
      source: { ref: string } | { definition: unknown },
      fixtures: Record<string, unknown> = {},
      inputs: Record<string, unknown> = {},
    ): Promise<RunDetail & { simulated: string[] }> {
      const definition =
        'ref' in source ? services.getChain(source.ref).definition : parseDefinition(source.definition, deps.tools).definition;
      const scratch = deps.openScratch();
      const simulated: string[] = [];
      try {
        const tools = new ToolRegistry();
        for (const t of deps.tools.list()) tools.register(simulatedTool(t, fixtures, simulated));
        const dry = new Executor({
          stores: scratch,
          tools,
          clock,
          log: deps.log,
          owner: 'dry-run',
          // LLM steps answer from the fixture too: a dry run never calls a model.
          orchestrate: async (step) => {
            simulated.push(step.key);
            const output = step.key in fixtures ? fixtures[step.key] : `[simulated answer of ${step.key}]`;
            return { output, promptTokens: 0, completionTokens: 0, detail: { simulated: true } };
          },
        });
        const chain = scratch.chains.create(definition, meta('dry run'));
        const run = dry.createRun(chain.id, { inputs, trigger: 'test' });
        await dry.execute(run.id);
        return { ...scratch.runs.getRunDetail(run.id)!, simulated };
      } finally {
        scratch.close();
      }
    },

    inbox: {
      takeUndelivered: (limit?: number): Notification[] => stores.notifications.takeUndelivered(clock.now(), limit),
      list: (unreadOnly = true, limit = 50): Notification[] => stores.notifications.list({ unreadOnly, limit }),
      markRead: (ids: string[] | 'all'): number => stores.notifications.markRead(ids, clock.now()),
      add: (draft: NotificationDraft): Notification => stores.notifications.add(draft, clock.now()),
    },
  };
  return services;
}

export type Services = ReturnType<typeof createServices>;

/** Wraps a tool so side-effecting operations answer from fixtures instead of acting. */
function simulatedTool(tool: ToolDefinition, fixtures: Record<string, unknown>, simulated: string[]): ToolDefinition {
  const operations: ToolDefinition['operations'] = {};
  for (const [name, op] of Object.entries(tool.operations)) {
    const qualified = `${tool.name}.${name}`;
    operations[name] = {
      ...op,
      execute: async (params, ctx) => {
        for (const key of [ctx.stepKey, qualified, tool.name]) {
          if (key in fixtures) {
            simulated.push(ctx.stepKey);
            const value = fixtures[key];
            if (value !== null && typeof value === 'object' && 'error' in value && Object.keys(value).length === 1) {
              throw new AppError('simulated_error', String((value).error));
            }
            return value;
          }
        }
        if (qualified === 'util.wait') return { waited_ms: 0, simulated: true };
        if (!op.sideEffects) return op.execute(params, ctx);
        simulated.push(ctx.stepKey);
        return null;
      },
    };
  }
  return { ...tool, operations };
}
