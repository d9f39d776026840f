import { z } from 'zod';
import { type ChainDefinition, ChainScheduleSchema } from '../domain/chain.js';
import { AppError, NonRetriableError } from '../domain/errors.js';
import type { ChainRecord, RunRecord } from '../domain/records.js';
import {
  type ScheduleExtractor,
  type ScheduleSpec,
  ScheduleSpecSchema,
  compileChainSchedule,
  computeNextRuns,
  describeSchedule,
  formatInstant,
  parseScheduleWithFallback,
} from '../schedule/index.js';
import type { Executor } from './executor.js';
import type { Clock, Logger } from './ports.js';
import type {
  RemindResult,
  ScheduleOptions,
  ScheduleRecord,
  SchedulingServices,
  TriggerRecord,
  Understood,
} from './schedule-ports.js';
import type { Scheduler } from './scheduler.js';
import type { Services } from './services.js';
import type { ScheduleRow, Stores, TriggerRow } from './store-ports.js';

export interface SchedulingDeps {
  stores: Stores;
  services: Services;
  executor: Executor;
  clock: Clock;
  log: Logger;
  /** The user's zone when none is given. */
  timeZone: string;
  /** Set when this process runs the scheduler; changes re-arm its timer at once. */
  scheduler?: Scheduler | undefined;
  /** The language model fallback for words the grammar cannot read. */
  extractor?: () => ScheduleExtractor | undefined;
  /** Title, priority and tags of a reminder from its words (an LLM, when one is configured). */
  metadata?: ((text: string) => Promise<{ title: string; priority: 'low' | 'normal' | 'high'; tags: string[] }>) | undefined;
}

const toIso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Reminders, schedules and event triggers: the scheduling use cases. */
export function createScheduling(deps: SchedulingDeps): SchedulingServices & {
  /** Attaches the `schedule` of a saved definition (services' onDefinitionSaved hook). */
  onDefinitionSaved(chain: ChainRecord, def: ChainDefinition, previous: ChainDefinition | undefined): void;
  /** Fires chain.completed / chain.failed triggers for a finished run. */
  onRunFinished(run: RunRecord): void;
  /** Waits for event-triggered runs started by this process. */
  drain(): Promise<void>;
} {
  const { stores, clock } = deps;
  const inflight = new Set<Promise<unknown>>();

  const view = (row: ScheduleRow): ScheduleRecord => {
    const spec = ScheduleSpecSchema.safeParse(row.spec);
    const next =
      spec.success && row.nextRunAtMs !== null
        ? [new Date(row.nextRunAtMs), ...computeNextRuns(spec.data, { after: new Date(row.nextRunAtMs), limit: 4, firedCount: row.firedCount + 1 })]
        : [];
    return {
      id: row.id,
      chainId: row.chainId,
      chainName: row.chainName,
      kind: row.kind,
      description: row.description,
      timezone: row.timezone,
      sourceText: row.sourceText,
      spec: row.spec,
      nextRunAt: toIso(row.nextRunAtMs),
      next: next.map((d) => formatInstant(d.getTime(), row.timezone)),
      lastFiredAt: toIso(row.lastFiredSlotMs),
      firedCount: row.firedCount,
      catchUp: row.catchUp,
      overlap: row.overlap,
      enabled: row.enabled,
      createdAt: new Date(row.createdAtMs).toISOString(),
    };
  };

  const triggerView = (t: TriggerRow): TriggerRecord => ({
    id: t.id,
    chainId: t.chainId,
    chainName: t.chainName,
    event: t.event,
    enabled: t.enabled,
    createdAt: new Date(t.createdAtMs).toISOString(),
  });

  const mustSchedule = (id: string): ScheduleRow => {
    const row = stores.schedules.get(id);
    if (row === undefined) throw new AppError('not_found', `schedule "${id}" was not found`, { hint: 'List schedules to see their ids.' });
    return row;
  };

  const changed = (): void => deps.scheduler?.poke();

  const understand = async (text: string, timezone: string | undefined): Promise<Understood> => {
    const zone = timezone ?? deps.timeZone;
    return parseScheduleWithFallback(text, { now: clock.now(), timeZone: zone }, deps.extractor?.());
  };

  const insert = (
    chain: ChainRecord,
    spec: ScheduleSpec,
    description: string,
    sourceText: string | null,
    kind: 'schedule' | 'reminder',
    opts: ScheduleOptions,
  ): ScheduleRow => {
    const now = clock.now();
    const first = computeNextRuns(spec, { after: now, limit: 1 })[0];
    if (first === undefined) {
      throw new NonRetriableError('invalid_schedule', `"${description}" has no future run`, { hint: 'Pick a time in the future.' });
    }
    const row = stores.schedules.insert({
      chainId: chain.id,
      kind,
      spec,
      timezone: spec.timezone,
      description,
      sourceText,
      inputs: opts.inputs ?? {},
      nextRunAtMs: first.getTime(),
      catchUp: opts.catchUp ?? 'run_once',
      catchUpMax: 10,
      overlap: opts.overlap ?? 'skip',
      now,
    });
    return row;
  };

  /** Turns what a chain or a person gave into a spec: words, the seed object, or a ScheduleSpec. */
  const compile = async (when: unknown, timezone: string | undefined): Promise<{ spec: ScheduleSpec; description: string; source: string | null }> => {
    const zone = timezone ?? deps.timeZone;
    const asSpec = ScheduleSpecSchema.safeParse(when);
    if (asSpec.success) return { spec: asSpec.data, description: describeSchedule(asSpec.data), source: null };
    if (typeof when === 'string') {
      const u = await understand(when, zone);
      if (!u.ok) throw new NonRetriableError(u.code, u.message, { hint: u.question ?? 'Say it another way, e.g. "every weekday at 7am".' });
      return { spec: u.spec as ScheduleSpec, description: u.description, source: when };
    }
    const shape = ChainScheduleSchema.safeParse(when);
    if (!shape.success) {
      throw new NonRetriableError('invalid_schedule', `not a schedule: ${z.prettifyError(shape.error)}`, {
        hint: 'Give words ("every weekday at 7am"), or { frequency, time, timezone }, { cron, timezone } or { every_seconds }.',
      });
    }
    const c = compileChainSchedule(shape.data, { now: clock.now(), timeZone: zone });
    return { spec: c.spec, description: c.description, source: null };
  };

  const api = {
    parse: (text: string, timezone?: string) => understand(text, timezone),

    async remind(text: string, opts: { timezone?: string | undefined } = {}): Promise<RemindResult> {
      const u = await understand(text, opts.timezone);
      if (!u.ok) return u;
      const task = u.task.trim() === '' ? 'Reminder' : u.task.trim();
      // The grammar's task text stays authoritative; the model only adds a title, priority and tags.
      const meta = await deps.metadata?.(text).catch((err: unknown) => {
        deps.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'reminder metadata unavailable');
        return undefined;
      });
      const title = meta?.title.trim() || task;
      const tags = ['reminder', ...(meta?.tags ?? []), ...(meta !== undefined && meta.priority !== 'normal' ? [`priority:${meta.priority}`] : [])];
      const base = `Reminder: ${title}`.slice(0, 150);
      let name = base;
      for (let n = 2; stores.chains.find(name) !== undefined; n++) name = `${base} (${n})`;
      const saved = deps.services.createChain(
        {
          name,
          description: `${text} — ${u.description}`,
          tags: [...new Set(tags)].slice(0, 20),
          notify_on: ['failure'],
          steps: [
            {
              id: 'notify',
              name: 'Notify',
              tool: 'notify',
              operation: 'send',
              parameters: {
                title: meta?.priority === 'high' ? `Reminder (important): ${title}` : `Reminder: ${title}`,
                message: task,
                kind: 'reminder',
                due_at: '{run.slot}',
              },
            },
          ],
        },
        'reminder',
      );
      const row = insert(saved.chain, u.spec as ScheduleSpec, u.description, text, 'reminder', { catchUp: 'run_once', overlap: 'allow' });
      changed();
      return { ok: true, chain: saved.chain, schedule: view(stores.schedules.get(row.id)!), understood: u };
    },

    async attach(chainRef: string, when: unknown, opts: ScheduleOptions = {}): Promise<ScheduleRecord> {
      const chain = stores.chains.get(chainRef);
      const { spec, description, source } = await compile(when, opts.timezone);
      if (opts.replace === true) {
        for (const old of stores.schedules.list({ chainId: chain.id, kind: 'schedule' })) stores.schedules.setEnabled(old.id, false, null, clock.now());
      }
      const row = insert(chain, spec, description, source, 'schedule', opts);
      changed();
      return view(stores.schedules.get(row.id)!);
    },

    list(filter: { chain?: string | undefined; kind?: 'schedule' | 'reminder' | undefined; includeDisabled?: boolean } = {}): ScheduleRecord[] {
      const chainId = filter.chain === undefined ? undefined : stores.chains.get(filter.chain).id;
      return stores.schedules.list({ chainId, kind: filter.kind, includeDisabled: filter.includeDisabled }).map(view);
    },

    get: (id: string): ScheduleRecord => view(mustSchedule(id)),

    pause(id: string): ScheduleRecord {
      const row = mustSchedule(id);
      stores.schedules.setEnabled(row.id, false, row.nextRunAtMs, clock.now());
      changed();
      return view(mustSchedule(id));
    },

    resume(id: string): ScheduleRecord {
      const row = mustSchedule(id);
      const spec = ScheduleSpecSchema.parse(row.spec);
      // Resuming starts from now: slots that passed while paused are not caught up.
      const next = computeNextRuns(spec, { after: clock.now(), limit: 1, firedCount: row.firedCount })[0];
      stores.schedules.setEnabled(row.id, true, next === undefined ? null : next.getTime(), clock.now());
      changed();
      return view(mustSchedule(id));
    },

    remove(id: string): ScheduleRecord {
      const row = mustSchedule(id);
      stores.schedules.setEnabled(row.id, false, null, clock.now());
      changed();
      return { ...view(mustSchedule(id)), enabled: false };
    },

    async emit(name: string, data: unknown): Promise<{ event: string; runs: RunRecord[] }> {
      if (name.trim() === '' || name.length > 200) throw new NonRetriableError('bad_event', 'an event needs a name of 1 to 200 characters');
      const event = stores.schedules.recordEvent(name, data, null, clock.now());
      const runs = startTriggered(name, { name, data: data ?? null, event_id: event });
      return { event, runs };
    },

    addTrigger(chainRef: string, event: string): TriggerRecord {
      const chain = stores.chains.get(chainRef);
      const normalized = normalizeEvent(event);
      return triggerView(stores.schedules.addTrigger(chain.id, normalized, clock.now()));
    },

    listTriggers(chainRef?: string): TriggerRecord[] {
      const chainId = chainRef === undefined ? undefined : stores.chains.get(chainRef).id;
      return stores.schedules.listTriggers({ chainId }).map(triggerView);
    },

    removeTrigger(id: string): TriggerRecord {
      const t = stores.schedules.getTrigger(id);
      if (t === undefined) throw new AppError('not_found', `trigger "${id}" was not found`);
      stores.schedules.removeTrigger(id);
      return { ...triggerView(t), enabled: false };
    },

    onDefinitionSaved(chain: ChainRecord, def: ChainDefinition, previous: ChainDefinition | undefined): void {
      if (def.schedule === undefined || JSON.stringify(def.schedule) === JSON.stringify(previous?.schedule)) return;
      const p = api.attach(chain.id, def.schedule, { replace: true }).catch((err: unknown) => {
        deps.log.warn({ chainId: chain.id, err: err instanceof Error ? err.message : String(err) }, 'could not attach the definition schedule');
      });
      // drain() waits for it, so a short CLI command does not close the store under it.
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    },

    onRunFinished(run: RunRecord): void {
      if (run.status !== 'completed' && run.status !== 'failed') return;
      const name = `chain.${run.status}:${run.chainId}`;
      if (stores.schedules.listTriggers({ event: name }).length === 0) return;
      stores.schedules.recordEvent(name, { run_id: run.id, status: run.status }, run.id, clock.now());
      startTriggered(name, { name, run_id: run.id, chain: run.chainName, status: run.status, output: run.output, error: run.error });
    },

    async drain(): Promise<void> {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
  };

  /** Creates and starts a run for every chain listening on this event. */
  function startTriggered(name: string, event: Record<string, unknown>): RunRecord[] {
    const started: RunRecord[] = [];
    for (const t of stores.schedules.listTriggers({ event: name })) {
      // A paused chain ignores its triggers, as its schedules do not fire.
      if (stores.chains.find(t.chainId)?.status !== 'active') continue;
      try {
        const run = deps.executor.createRun(t.chainId, { inputs: { event }, trigger: 'event' });
        started.push(run);
        const p = deps.executor.execute(run.id).catch((err: unknown) => deps.log.warn({ runId: run.id, err: String(err) }, 'triggered run failed to start'));
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      } catch (err) {
        deps.log.warn({ triggerId: t.id, err: err instanceof Error ? err.message : String(err) }, 'could not start a triggered run');
      }
    }
    return started;
  }

  /** "after <chain> completes" style names are stored by chain id so renames keep working. */
  function normalizeEvent(event: string): string {
    const m = /^chain\.(completed|failed):(.+)$/.exec(event.trim());
    if (m === null) return event.trim();
    return `chain.${m[1]}:${stores.chains.get(m[2]!).id}`;
  }

  return api;
}
