import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostname } from 'node:os';
import { systemClock } from '../engine/clock.js';
import { Executor } from '../engine/executor.js';
import type { Clock, Logger } from '../engine/ports.js';
import { type Services, createServices } from '../engine/services.js';
import { createBuiltinRegistry } from '../engine/tools/builtins.js';
import type { ToolRegistry } from '../engine/tools/registry.js';
import { type OpenedStore, openStore, parseDriverChoice } from '../store/index.js';
import type { Config } from './config.js';
import { createLogger } from './logger.js';
import { notifyRunFinished } from '../engine/run-notifications.js';
import { Scheduler } from '../engine/scheduler.js';
import { createScheduling } from '../engine/scheduling.js';
import type { SchedulingServices } from '../engine/schedule-ports.js';
import { fileURLToPath } from 'node:url';
import type { LlmClient } from '../engine/ports.js';
import { createOrchestratedRunner } from '../engine/orchestrated-runner.js';
import { createOpenAiClient } from '../llm/openai-client.js';
import { type Prompt, loadPrompt, renderPrompt } from '../llm/prompts.js';
import { createScheduleExtractor } from '../llm/schedule-extractor.js';
import { extractReminderMetadata } from '../llm/metadata.js';
import { type ChainDrafter, createChainDrafter } from '../llm/chain-drafter.js';

/** Reads prompts/<name>.md once, on first use: start-up reads no prompt it may not need. */
function promptOnce(name: string): () => Promise<Prompt> {
  let p: Promise<Prompt> | undefined;
  return () => (p ??= loadPrompt(name, PROMPTS_DIR));
}

/** prompts/ ships beside dist/ in the package. */
export const PROMPTS_DIR = fileURLToPath(new URL('../../prompts/', import.meta.url));

/** The configured API model, or undefined when none is (LLM steps then fail with a how-to). */
export function createLlm(config: Config, log: Logger): LlmClient | undefined {
  if (config.llm.apiKey === undefined && config.llm.baseURL === undefined) return undefined;
  return createOpenAiClient({
    apiKey: config.llm.apiKey ?? '',
    baseURL: config.llm.baseURL,
    model: config.llm.model,
    timeoutMs: config.llm.timeoutMs,
    log,
  });
}

export interface App {
  config: Config;
  store: OpenedStore;
  tools: ToolRegistry;
  executor: Executor;
  services: Services;
  clock: Clock;
  log: Logger;
  owner: string;
  scheduling: SchedulingServices & { drain(): Promise<void> };
  scheduler: Scheduler;
  /** Drafts chains from words (CLI `chain draft`, chain_tool "draft"); saves nothing. */
  drafter: ChainDrafter;
  /** Whether an API model is configured (OPENAI_API_KEY / OPENAI_BASE_URL). */
  hasLlm: boolean;
  /** Runs `fn` so that LLM steps it starts use `client` (MCP sampling while a request is open). */
  withLlm<T>(client: LlmClient, fn: () => Promise<T>): Promise<T>;
  /** Starts the embedded scheduler (serve, daemon). Short CLI commands do not. */
  startScheduler(): void;
  /** Waits for runs this process started in the background (scheduled, triggered). */
  drain(): Promise<void>;
  close(): void;
}

const HOST = hostname();

/** "pid@host": who holds a run lease. */
export const processOwner = (): string => `${process.pid}@${HOST}`;

/** A lease owner on this host is alive if its pid answers signal 0; other hosts are trusted until the lease expires. */
export function isOwnerAlive(owner: string): boolean {
  const at = owner.lastIndexOf('@');
  const pid = Number(owner.slice(0, at));
  if (at < 0 || owner.slice(at + 1) !== HOST || !Number.isInteger(pid) || pid <= 0) return true;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The composition root: wires the store, tools, executor and services from configuration. */
export function createApp(config: Config, opts: { log?: Logger; clock?: Clock; llm?: LlmClient } = {}): App {
  const log = opts.log ?? createLogger(config.logLevel);
  const clock = opts.clock ?? systemClock;
  if (config.dbPath !== ':memory:') mkdirSync(dirname(config.dbPath), { recursive: true });
  const store = openStore(config.dbPath, { synchronous: config.synchronous, driver: parseDriverChoice(config.sqliteDriver) });
  log.debug({ driver: store.db.driver, db: config.dbPath }, 'database opened');
  const tools = createBuiltinRegistry({ net: config.http, shellEnabled: config.shellEnabled });
  const owner = processOwner();
  const llm = opts.llm ?? createLlm(config, log);
  const stepPrompt = promptOnce('orchestrated-step');
  // A model for one async scope: MCP sampling lends the chat client's model to runs a tool call starts.
  const llmScope = new AsyncLocalStorage<LlmClient>();
  const orchestrate = createOrchestratedRunner({
    llm: () => llmScope.getStore() ?? llm,
    tools,
    timeZone: config.timeZone,
    systemPrompt: async (vars) => {
      const p = await stepPrompt();
      return { system: renderPrompt(p, vars), version: p.id };
    },
  });
  const extractor = llm === undefined ? undefined : createScheduleExtractor(llm, promptOnce('schedule-extract'), { log });
  const reminderPrompt = promptOnce('reminder-metadata');
  const leaseMs = config.leaseMs;
  // Late-bound: the executor's hooks reach the scheduling services built just below.
  const late: { scheduling?: ReturnType<typeof createScheduling> } = {};
  const notifyFinished = notifyRunFinished(store, clock);
  const executor = new Executor({
    stores: store,
    tools,
    clock,
    log,
    owner,
    isOwnerAlive,
    orchestrate,
    leaseMs,
    onRunFinished: (run) => {
      notifyFinished(run);
      late.scheduling?.onRunFinished(run);
    },
    emit: async (name, data) => {
      await late.scheduling?.emit(name, data);
    },
  });
  const services = createServices({
    stores: store,
    executor,
    tools,
    clock,
    log,
    actor: config.actor,
    openScratch: () => openStore(':memory:'),
    onDefinitionSaved: (chain, def, previous) => late.scheduling?.onDefinitionSaved(chain, def, previous),
  });
  const scheduler = new Scheduler({ stores: store, executor, clock, log, owner, isOwnerAlive, leaseMs });
  const sched = createScheduling({
    stores: store,
    services,
    executor,
    clock,
    log,
    timeZone: config.timeZone,
    scheduler,
    extractor: () => extractor,
    metadata:
      llm === undefined
        ? undefined
        : (text) => extractReminderMetadata(llm, reminderPrompt, text, { now: clock.now(), timeZone: config.timeZone, log }),
  });
  late.scheduling = sched;
  // Retention: finished runs older than CHAINLOOM_RETENTION_DAYS go, and the WAL is folded back,
  // shortly after start and then daily, only in long-lived processes (serve, daemon).
  let maintenance: NodeJS.Timeout | undefined;
  const maintain = (): void => {
    try {
      if (!scheduler.isLeader) return;
      const { removed } = services.prune(config.retentionDays * 86_400_000);
      store.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      log.info({ removed, retentionDays: config.retentionDays }, 'history pruned');
    } catch (err) {
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'pruning failed');
    }
  };
  const startMaintenance = (): NodeJS.Timeout => {
    setTimeout(maintain, 60_000).unref();
    const t = setInterval(maintain, 86_400_000);
    t.unref();
    return t;
  };
  const drafter = createChainDrafter({
    llm: () => llm,
    tools,
    prompt: promptOnce('chain-draft'),
    clock,
    timeZone: config.timeZone,
    understand: (text, timeZone) => sched.parse(text, timeZone),
  });
  return {
    config,
    store,
    tools,
    executor,
    services,
    scheduling: sched,
    scheduler,
    drafter,
    hasLlm: llm !== undefined,
    withLlm: (client, fn) => llmScope.run(client, fn),
    clock,
    log,
    owner,
    startScheduler: () => {
      scheduler.start();
      maintenance ??= startMaintenance();
    },
    drain: async () => {
      await Promise.all([scheduler.drain(), sched.drain()]);
    },
    close: () => {
      if (maintenance !== undefined) clearInterval(maintenance);
      scheduler.stop();
      executor.close();
      store.close();
    },
  };
}
