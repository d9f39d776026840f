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
}

export interface Stores {
  chains: ChainStore;
  runs: RunStore;
  notifications: NotificationStore;
}
