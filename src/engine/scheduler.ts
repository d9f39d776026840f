import { errorMessage } from '../domain/errors.js';
import { ScheduleSpecSchema, type ScheduleSpec, nextRunAfter } from '../schedule/index.js';
import type { Executor } from './executor.js';
import type { Clock, Logger } from './ports.js';
import type { ScheduleRow, SlotDecision, Stores } from './store-ports.js';

export interface SchedulerDeps {
  stores: Stores;
  executor: Executor;
  clock: Clock;
  log: Logger;
  owner: string;
  isOwnerAlive?: (owner: string) => boolean;
  /** How long the scheduler lease lasts without renewal (default 15 s). */
  leaseMs?: number;
  /** A slot later than this is "missed" (catch-up policy applies) rather than just late (default 60 s). */
  graceMs?: number;
  /** Called with the runs each fire created (after they were started). */
  onFired?: (scheduleId: string, runIds: string[]) => void;
}

const LEASE = 'scheduler';
/** Longest single sleep: a guard against suspended laptops and clock changes. */
const MAX_SLEEP_MS = 60 * 60 * 1000;
/** Most slots looked at for one schedule in one tick (catch-up after long downtime). */
const MAX_SLOTS_SCANNED = 10_000;

/**
 * The embedded scheduler. Schedules are rows with a `next_run_at`; one timer waits for the earliest.
 * Firing is a compare-and-swap on that row plus UNIQUE(schedule, slot) in one transaction, so a slot
 * runs exactly once however many processes share the database. One process holds the scheduler
 * lease and fires; the others stand by and take over when its lease lapses or its process dies.
 */
export class Scheduler {
  private wakeTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private leader = false;
  private closed = true;
  private ticking: Promise<number> | undefined;
  private lastDataVersion = -1;
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly leaseMs: number;
  private readonly graceMs: number;
  /** Validated specs by schedule id: a schedule's spec never changes (a new schedule replaces it). */
  private readonly specs = new Map<string, ScheduleSpec | null>();

  constructor(private readonly deps: SchedulerDeps) {
    this.leaseMs = deps.leaseMs ?? 15_000;
    this.graceMs = deps.graceMs ?? 60_000;
  }

  get isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    if (!this.closed) return;
    this.closed = false;
    this.beat();
    // Not unref'd: a started scheduler keeps its process alive (daemon standby included) until stop().
    this.heartbeat = setInterval(() => this.beat(), Math.max(200, Math.floor(this.leaseMs / 3)));
  }

  /** Stops firing and gives up the lease so another process can take over at once. */
  stop(): void {
    this.closed = true;
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    if (this.wakeTimer !== undefined) clearTimeout(this.wakeTimer);
    this.heartbeat = this.wakeTimer = undefined;
    if (this.leader) {
      try {
        this.deps.stores.schedules.releaseLease(LEASE, this.deps.owner);
      } catch {
        // the database may already be closed
      }
    }
    this.leader = false;
  }

  /** Waits for the runs this scheduler started. */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** A schedule changed in this process: re-arm the timer for the new earliest due time. */
  poke(): void {
    if (this.leader && !this.closed) this.arm();
  }

  /** Lease upkeep, and noticing what other processes wrote. Cheap: two small queries. */
  private beat(): void {
    if (this.closed) return;
    try {
      const { schedules } = this.deps.stores;
      const now = this.deps.clock.now();
      const holder = schedules.leaseHolder(LEASE);
      const dead = holder !== undefined && holder.owner !== this.deps.owner && this.deps.isOwnerAlive?.(holder.owner) === false ? holder.owner : undefined;
      const lead = schedules.acquireLease(LEASE, this.deps.owner, this.leaseMs, now, dead);
      if (lead && !this.leader) {
        this.leader = true;
        this.deps.log.info({ owner: this.deps.owner }, 'scheduler lease acquired');
        this.pickUpOrphans();
        this.arm();
      } else if (!lead && this.leader) {
        this.leader = false;
        if (this.wakeTimer !== undefined) clearTimeout(this.wakeTimer);
        this.deps.log.warn({ owner: this.deps.owner }, 'scheduler lease lost');
      }
      const version = schedules.dataVersion();
      if (this.leader && version !== this.lastDataVersion) {
        this.lastDataVersion = version;
        this.pickUpOrphans();
        this.arm();
      }
    } catch (err) {
      this.deps.log.warn({ err: errorMessage(err) }, 'scheduler heartbeat failed');
    }
  }

  private arm(): void {
    if (this.wakeTimer !== undefined) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    if (this.closed || !this.leader) return;
    const earliest = this.deps.stores.schedules.earliestDue();
    if (earliest === null) return;
    const delay = Math.min(MAX_SLEEP_MS, Math.max(0, earliest - this.deps.clock.now().getTime()));
    // While waiting, validate what is about to fire, so a burst of schedules due together does only
    // the firing itself when the timer wakes.
    if (delay > 20) for (const s of this.deps.stores.schedules.due(earliest, 1000)) this.specOf(s);
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.tick()
        .catch((err: unknown) => this.deps.log.error({ err: errorMessage(err) }, 'scheduler tick failed'))
        .finally(() => this.arm());
    }, delay);
  }

  /** Runs left pending or orphaned (created elsewhere, or owned by a dead process). */
  private pickUpOrphans(): void {
    for (const run of this.deps.executor.resumable()) {
      if (this.deps.executor.isActive(run.id)) continue;
      this.track(run.scheduleId ?? run.id, run.id, false);
    }
  }

  /** Fires everything due now. Exposed for tests and the CLI; the timer calls it otherwise. */
  tick(): Promise<number> {
    this.ticking ??= this.fireDue().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async fireDue(): Promise<number> {
    if (this.closed || !this.leader) return 0;
    let fired = 0;
    for (;;) {
      const now = this.deps.clock.now();
      const { schedules } = this.deps.stores;
      // One transaction per batch: a burst of schedules due together commits once, not once each.
      const batch = schedules.transaction(() => schedules.due(now.getTime(), 200).map((s) => this.fireOne(s, now)));
      for (const f of batch) {
        if (f === undefined) continue;
        for (const runId of f.runIds) this.track(f.scheduleId, runId, f.serial);
        if (f.runIds.length > 0) this.deps.onFired?.(f.scheduleId, f.runIds);
        fired += f.runIds.length;
      }
      if (batch.length < 200) break;
    }
    return fired;
  }

  private fireOne(s: ScheduleRow, now: Date): { scheduleId: string; runIds: string[]; serial: boolean } | undefined {
    const { schedules, runs } = this.deps.stores;
    const spec = this.specOf(s);
    if (spec === null || s.nextRunAtMs === null) {
      this.deps.log.error({ scheduleId: s.id }, 'schedule has an unreadable spec; disabling it');
      schedules.setEnabled(s.id, false, null, now);
      return undefined;
    }
    const nowMs = now.getTime();
    const slots = [s.nextRunAtMs];
    let next: number | null = null;
    for (;;) {
      const n = nextRunAfter(spec, new Date(slots[slots.length - 1]!), s.firedCount + slots.length);
      if (n === null) break;
      if (n.getTime() > nowMs || slots.length >= MAX_SLOTS_SCANNED) {
        next = n.getTime();
        break;
      }
      slots.push(n.getTime());
    }
    // Only the overlap policies that look at running runs need to count them.
    const active = s.overlap === 'allow' ? 0 : runs.activeRunsOfSchedule(s.id);
    const decisions = this.decide(s, slots, nowMs, active);
    const res = schedules.fire({ schedule: s, expectedNextRunAtMs: s.nextRunAtMs, slots: decisions, newNextRunAtMs: next, now });
    if (res === undefined) return undefined; // another process fired it first
    const skipped = decisions.filter((d) => d.outcome.startsWith('skipped'));
    if (skipped.length > 0) this.deps.log.info({ scheduleId: s.id, skipped: skipped.length }, 'slots skipped by policy');
    return { scheduleId: s.id, runIds: res.runIds, serial: s.overlap !== 'allow' || res.runIds.length > 1 };
  }

  /** The schedule's validated spec (null when unreadable), validated once per schedule. */
  private specOf(s: ScheduleRow): ScheduleSpec | null {
    let spec = this.specs.get(s.id);
    if (spec === undefined) {
      const parsed = ScheduleSpecSchema.safeParse(s.spec);
      spec = parsed.success ? parsed.data : null;
      if (this.specs.size >= 50_000) this.specs.clear();
      this.specs.set(s.id, spec);
    }
    return spec;
  }

  /** Applies the catch-up and overlap policies to the due slots. */
  private decide(s: ScheduleRow, slots: number[], nowMs: number, active: number): SlotDecision[] {
    const missed = (slot: number): boolean => nowMs - slot > this.graceMs;
    const run = new Set<number>();
    const current = slots.filter((x) => !missed(x));
    const late = slots.filter(missed);
    if (s.catchUp === 'run_all') {
      for (const x of slots.slice(-Math.max(1, s.catchUpMax))) run.add(x);
    } else if (current.length > 0) {
      for (const x of current) run.add(x);
    } else if (s.catchUp === 'run_once' && late.length > 0) {
      run.add(late[late.length - 1]!);
    }
    return slots.map((slotMs) => {
      if (!run.has(slotMs)) return { slotMs, outcome: 'skipped_missed' };
      if (active > 0 && s.overlap === 'skip') return { slotMs, outcome: 'skipped_overlap' };
      if (active > 0 && s.overlap === 'queue') return { slotMs, outcome: 'queued' };
      return { slotMs, outcome: 'started' };
    });
  }

  /** Executes a run; `serial` runs wait for the schedule's previous run in this process. */
  private track(key: string, runId: string, serial: boolean): void {
    const exec = async (): Promise<void> => {
      if (this.closed) return;
      try {
        await this.deps.executor.execute(runId);
      } catch (err) {
        this.deps.log.warn({ runId, err: errorMessage(err) }, 'scheduled run did not execute');
      }
    };
    const prev = serial ? this.chains.get(key) : undefined;
    const p = (prev ?? Promise.resolve()).then(exec);
    if (serial) this.chains.set(key, p);
    this.inflight.add(p);
    void p.finally(() => {
      this.inflight.delete(p);
      if (this.chains.get(key) === p) this.chains.delete(key);
    });
  }
}
