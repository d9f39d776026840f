import type { ChainDefinition } from '../domain/chain.js';
import type {
  ChainRecord,
  ChainStatus,
  ChainVersionRecord,
  RunControl,
  RunDetail,
  RunError,
  RunRecord,
  RunStatus,
  RunTrigger,
  StepRecord,
  StepStatus,
} from '../domain/records.js';
import type { Notification, NotificationDraft } from './ports.js';

/** Store ports: what the engine needs from persistence. store/ implements them on SQLite. */

export interface WriteMeta {
  actor: string;
  now: Date;
  note?: string | undefined;
}

export interface ChainFilter {
  status?: ChainStatus | undefined;
  text?: string | undefined;
  tag?: string | undefined;
  limit?: number | undefined;
}

export interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  detail: unknown;
}

export interface ChainStore {
  create(def: ChainDefinition, meta: WriteMeta): ChainRecord;
  /** By id or by name (case-insensitive). */
  find(ref: string): ChainRecord | undefined;
  get(ref: string): ChainRecord;
  list(filter?: ChainFilter): ChainRecord[];
  getVersion(chainId: string, version: number): ChainVersionRecord;
  versions(chainId: string): ChainVersionRecord[];
  /** Makes a new immutable version unless the definition is unchanged. */
  update(
    ref: string,
    def: ChainDefinition,
    meta: WriteMeta,
  ): { chain: ChainRecord; version: ChainVersionRecord; changed: boolean };
  rollback(
    ref: string,
    toVersion: number,
    meta: WriteMeta,
  ): { chain: ChainRecord; version: ChainVersionRecord; changed: boolean };
  setStatus(ref: string, status: ChainStatus, meta: WriteMeta): ChainRecord;
  delete(ref: string, meta: WriteMeta): ChainRecord;
  audit(chainId: string, limit?: number): AuditEntry[];
  nameOf(chainId: string): string;
}

export interface NewRun {
  chainId: string;
  version: number;
  trigger: RunTrigger;
  inputs: Record<string, unknown>;
  scheduleId?: string | undefined;
  slotMs?: number | undefined;
  parentRunId?: string | undefined;
  parentStepKey?: string | undefined;
  now: Date;
}

export interface StepOutcome {
  runId: string;
  stepKey: string;
  iteration: number;
  /** Order of first start within the run (timeline). */
  seq: number;
  tool: string | null;
  status: StepStatus;
  attempt: number;
  inputs?: unknown;
  output?: unknown;
  error?: RunError | null | undefined;
  startedAtMs: number | null;
  finishedAtMs: number | null;
  promptTokens?: number | undefined;
  completionTokens?: number | undefined;
  detail?: Record<string, unknown> | undefined;
}

export interface HistoryFilter {
  chainId?: string | undefined;
  status?: RunStatus | undefined;
  sinceMs?: number | undefined;
  untilMs?: number | undefined;
  /** Matches chain name or error text. */
  text?: string | undefined;
  trigger?: RunTrigger | undefined;
  limit?: number | undefined;
  /** Keyset pagination: runs created before this run id. */
  before?: string | undefined;
}

export interface RunStats {
  chainId: string | null;
  runs: number;
  completed: number;
  failed: number;
  cancelled: number;
  running: number;
  successRate: number | null;
  avgDurationMs: number | null;
  p95DurationMs: number | null;
  failuresByStep: { stepKey: string; failures: number }[];
  lastRunAt: string | null;
}

export interface RunStore {
  /** Inserts a pending run. Returns undefined when (schedule, slot) already has one. */
  createRun(run: NewRun): RunRecord | undefined;
  getRun(runId: string): RunRecord | undefined;
  getRunDetail(runId: string): RunDetail | undefined;
  findChildRun(parentRunId: string, parentStepKey: string): RunRecord | undefined;
  /**
   * Marks a run running under this process's lease. Fails while another owner's lease is live,
   * unless that owner is `deadOwner` (known dead: taken over at once instead of after expiry).
   */
  claimRun(runId: string, owner: string, leaseMs: number, now: Date, deadOwner?: string): boolean;
  /** The current lease holder of a run, if any. */
  leaseOwner(runId: string): string | null;
  renewLeases(owner: string, leaseMs: number, now: Date): void;
  finishRun(runId: string, status: RunStatus, output: unknown, error: RunError | null, now: Date): void;
  setRunStatus(runId: string, status: RunStatus, now: Date): void;
  setControl(runId: string, control: RunControl): void;
  readControl(runId: string): RunControl;
  steps(runId: string): StepRecord[];
  /** Inserts or replaces the step's row. One write transaction. */
  recordStep(outcome: StepOutcome): void;
  /** Several outcomes in one transaction (skips after a branch, blocked dependents). */
  recordSteps(outcomes: StepOutcome[]): void;
  recordAttemptFailure(
    runId: string,
    stepKey: string,
    iteration: number,
    attempt: number,
    startedAtMs: number,
    finishedAtMs: number,
    error: RunError,
  ): void;
  /** Runs that are pending or running whose lease is free or expired (or whose owner is dead). */
  listResumable(now: Date, isOwnerAlive: (owner: string) => boolean): RunRecord[];
  history(filter: HistoryFilter): RunRecord[];
  stats(chainId: string | undefined, sinceMs: number | undefined): RunStats;
  /** Deletes finished runs older than the cutoff, in batches. Returns how many were removed. */
  prune(olderThanMs: number, batchSize?: number): number;
  /** Non-terminal runs of a schedule (for the overlap policy). */
  activeRunsOfSchedule(scheduleId: string): number;
}

export interface NotificationStore {
  add(n: NotificationDraft, now: Date): Notification;
  /** Not yet returned in any tool result; marks them delivered in the same transaction. */
  takeUndelivered(now: Date, limit?: number): Notification[];
  list(opts: { unreadOnly?: boolean; limit?: number }): Notification[];
  markRead(ids: string[] | 'all', now: Date): number;
  get(id: string): Notification | undefined;
  /** Hears every notification this process adds (push channels); returns an unsubscribe. */
  subscribe(listener: (n: Notification) => void): () => void;
}

export interface Stores {
  chains: ChainStore;
  runs: RunStore;
  notifications: NotificationStore;
  schedules: ScheduleStore;
}

// ---------------------------------------------------------------- schedules

export interface ScheduleRow {
  id: string;
  chainId: string;
  chainName: string;
  kind: 'schedule' | 'reminder';
  spec: unknown;
  timezone: string;
  description: string;
  sourceText: string | null;
  inputs: Record<string, unknown>;
  nextRunAtMs: number | null;
  lastFiredSlotMs: number | null;
  firedCount: number;
  catchUp: 'skip' | 'run_once' | 'run_all';
  catchUpMax: number;
  overlap: 'skip' | 'queue' | 'allow';
  enabled: boolean;
  createdAtMs: number;
}

export type NewSchedule = Omit<ScheduleRow, 'id' | 'chainName' | 'lastFiredSlotMs' | 'firedCount' | 'enabled' | 'createdAtMs'> & {
  now: Date;
};

export type FireOutcome = 'started' | 'queued' | 'skipped_missed' | 'skipped_overlap';

export interface SlotDecision {
  slotMs: number;
  outcome: FireOutcome;
}

export interface FireRequest {
  schedule: ScheduleRow;
  /** The schedule's next_run_at as read: the compare-and-swap guard against a second firer. */
  expectedNextRunAtMs: number;
  slots: SlotDecision[];
  newNextRunAtMs: number | null;
  now: Date;
}

export interface TriggerRow {
  id: string;
  chainId: string;
  chainName: string;
  event: string;
  enabled: boolean;
  createdAtMs: number;
}

export interface ScheduleStore {
  insert(s: NewSchedule): ScheduleRow;
  get(id: string): ScheduleRow | undefined;
  list(filter: { chainId?: string | undefined; kind?: 'schedule' | 'reminder' | undefined; includeDisabled?: boolean }): ScheduleRow[];
  /** Enables or disables; a re-enabled schedule gets a fresh next run. */
  setEnabled(id: string, enabled: boolean, nextRunAtMs: number | null, now: Date): void;
  disableForChain(chainId: string, now: Date): void;
  /** Earliest next_run_at of an enabled schedule, or null. */
  earliestDue(): number | null;
  /** Enabled schedules due at or before `nowMs`, oldest first. */
  due(nowMs: number, limit: number): ScheduleRow[];
  /**
   * Fires in one transaction: advances the schedule only if its next_run_at is still the one read
   * (else returns undefined: another process fired), records each slot once, and creates a pending
   * run for each started/queued slot (UNIQUE(schedule, slot) makes a double fire impossible).
   */
  fire(req: FireRequest): { runIds: string[] } | undefined;
  /** Runs `fn` in one write transaction (fires of one tick commit together). */
  transaction<T>(fn: () => T): T;
  /** Changes whenever another connection commits (PRAGMA data_version). */
  dataVersion(): number;
  fires(scheduleId: string, limit?: number): { slotMs: number; outcome: FireOutcome; runId: string | null; firedAtMs: number }[];

  addTrigger(chainId: string, event: string, now: Date): TriggerRow;
  listTriggers(filter: { chainId?: string | undefined; event?: string | undefined }): TriggerRow[];
  getTrigger(id: string): TriggerRow | undefined;
  removeTrigger(id: string): void;
  recordEvent(name: string, data: unknown, sourceRunId: string | null, now: Date): string;

  /** Takes or renews a named lease; true while this owner holds it. */
  acquireLease(name: string, owner: string, ttlMs: number, now: Date, deadOwner?: string): boolean;
  releaseLease(name: string, owner: string): void;
  leaseHolder(name: string): { owner: string; expiresAtMs: number } | undefined;
}
