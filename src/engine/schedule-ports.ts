import type { ChainRecord, RunRecord } from '../domain/records.js';

/**
 * The scheduling use cases (reminders, schedules, event triggers) as the MCP tools and the CLI see
 * them. Implemented by engine/scheduling.ts on top of schedule/ and the store.
 */

export type CatchUpPolicy = 'skip' | 'run_once' | 'run_all';
export type OverlapPolicy = 'skip' | 'queue' | 'allow';

export interface ScheduleRecord {
  id: string;
  chainId: string;
  chainName: string;
  kind: 'schedule' | 'reminder';
  /** In words, e.g. "every Monday at 08:00 (America/Chicago)". */
  description: string;
  timezone: string;
  /** What the person said, when it came from words. */
  sourceText: string | null;
  /** The typed ScheduleSpec as stored. */
  spec: unknown;
  nextRunAt: string | null;
  /** The next few instants (ISO with offset), for echoing back. */
  next: string[];
  lastFiredAt: string | null;
  firedCount: number;
  catchUp: CatchUpPolicy;
  overlap: OverlapPolicy;
  enabled: boolean;
  createdAt: string;
}

/** What was understood from words: the CLI `parse` contract. */
export type Understood =
  | {
      ok: true;
      kind: 'once' | 'recurring';
      next: string[];
      timezone: string;
      description: string;
      assumptions: string[];
      task: string;
      spec: unknown;
    }
  | { ok: false; code: string; message: string; question?: string };

export type RemindResult =
  | { ok: true; chain: ChainRecord; schedule: ScheduleRecord; understood: Extract<Understood, { ok: true }> }
  | Extract<Understood, { ok: false }>;

export interface TriggerRecord {
  id: string;
  chainId: string;
  chainName: string;
  /** A named event, or "chain.completed:<chain id>" / "chain.failed:<chain id>". */
  event: string;
  enabled: boolean;
  createdAt: string;
}

export interface ScheduleOptions {
  timezone?: string | undefined;
  catchUp?: CatchUpPolicy | undefined;
  overlap?: OverlapPolicy | undefined;
  /** Replace the chain's existing schedules instead of adding one. */
  replace?: boolean | undefined;
  inputs?: Record<string, unknown> | undefined;
}

export interface SchedulingServices {
  /** Words → schedule, without saving anything. */
  parse(text: string, timezone?: string): Promise<Understood>;
  /** "every Monday at 8 to send the report" → a one-step chain that notifies, plus its schedule. */
  remind(text: string, opts?: { timezone?: string | undefined }): Promise<RemindResult>;
  /** Attaches a schedule (words or the chain-definition schedule object) to a chain. */
  attach(chainRef: string, when: unknown, opts?: ScheduleOptions): Promise<ScheduleRecord>;
  list(filter?: { chain?: string | undefined; kind?: 'schedule' | 'reminder' | undefined; includeDisabled?: boolean }): ScheduleRecord[];
  get(scheduleId: string): ScheduleRecord;
  pause(scheduleId: string): ScheduleRecord;
  resume(scheduleId: string): ScheduleRecord;
  remove(scheduleId: string): ScheduleRecord;
  /** Runs every chain with a trigger on this event name; the payload lands in the run's inputs.event. */
  emit(name: string, data: unknown): Promise<{ event: string; runs: RunRecord[] }>;
  addTrigger(chainRef: string, event: string): TriggerRecord;
  listTriggers(chainRef?: string): TriggerRecord[];
  removeTrigger(triggerId: string): TriggerRecord;
}
