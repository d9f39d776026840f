import { newId } from '../domain/ids.js';
import type { FireOutcome, ScheduleRow, ScheduleStore, TriggerRow } from '../engine/store-ports.js';
import type { Db } from './db.js';
import { fromJson } from './json.js';

function toSchedule(r: Record<string, unknown>): ScheduleRow {
  return {
    id: String(r['id']),
    chainId: String(r['chain_id']),
    chainName: String(r['chain_name'] ?? r['chain_id']),
    kind: r['kind'] as ScheduleRow['kind'],
    spec: fromJson<unknown>(r['spec'], null),
    timezone: String(r['timezone']),
    description: String(r['description']),
    sourceText: (r['source_text'] as string | null) ?? null,
    inputs: fromJson<Record<string, unknown>>(r['inputs'], {}),
    nextRunAtMs: r['next_run_at'] == null ? null : Number(r['next_run_at']),
    lastFiredSlotMs: r['last_fired_slot'] == null ? null : Number(r['last_fired_slot']),
    firedCount: Number(r['fired_count']),
    catchUp: r['catch_up'] as ScheduleRow['catchUp'],
    catchUpMax: Number(r['catch_up_max']),
    overlap: r['overlap'] as ScheduleRow['overlap'],
    enabled: Number(r['enabled']) === 1,
    createdAtMs: Number(r['created_at']),
  };
}

function toTrigger(r: Record<string, unknown>): TriggerRow {
  return {
    id: String(r['id']),
    chainId: String(r['chain_id']),
    chainName: String(r['chain_name'] ?? r['chain_id']),
    event: String(r['event']),
    enabled: Number(r['enabled']) === 1,
    createdAtMs: Number(r['created_at']),
  };
}

const SELECT = 'SELECT s.*, c.name AS chain_name FROM schedules s JOIN task_chains c ON c.id = s.chain_id';

export function createScheduleStore(db: Db): ScheduleStore {
  const store: ScheduleStore = {
    insert(s) {
      const at = s.now.getTime();
      const id = newId('sch', at);
      db.prepare(
        `INSERT INTO schedules (id, chain_id, kind, spec, timezone, description, source_text, inputs, next_run_at,
           catch_up, catch_up_max, overlap, enabled, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
      ).run(
        id,
        s.chainId,
        s.kind,
        JSON.stringify(s.spec),
        s.timezone,
        s.description,
        s.sourceText,
        JSON.stringify(s.inputs),
        s.nextRunAtMs,
        s.catchUp,
        s.catchUpMax,
        s.overlap,
        at,
        at,
      );
      return store.get(id)!;
    },

    get(id) {
      const row = db.prepare(`${SELECT} WHERE s.id = ?`).get(id);
      return row === undefined ? undefined : toSchedule(row);
    },

    list(filter) {
      const where: string[] = ['c.deleted_at IS NULL'];
      const params: unknown[] = [];
      if (filter.chainId !== undefined) {
        where.push('s.chain_id = ?');
        params.push(filter.chainId);
      }
      if (filter.kind !== undefined) {
        where.push('s.kind = ?');
        params.push(filter.kind);
      }
      if (filter.includeDisabled !== true) where.push('s.enabled = 1');
      return db
        .prepare(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY s.next_run_at IS NULL, s.next_run_at, s.created_at LIMIT 1000`)
        .all(...params)
        .map(toSchedule);
    },

    setEnabled(id, enabled, nextRunAtMs, now) {
      db.prepare('UPDATE schedules SET enabled = ?, next_run_at = ?, updated_at = ? WHERE id = ?').run(
        enabled ? 1 : 0,
        nextRunAtMs,
        now.getTime(),
        id,
      );
    },

    disableForChain(chainId, now) {
      db.prepare('UPDATE schedules SET enabled = 0, updated_at = ? WHERE chain_id = ?').run(now.getTime(), chainId);
    },

    earliestDue() {
      // Schedules of paused or deleted chains wait; they are not due until the chain is active again.
      const row = db
        .prepare(
          `SELECT min(s.next_run_at) AS t FROM schedules s JOIN task_chains c ON c.id = s.chain_id
           WHERE s.enabled = 1 AND s.next_run_at IS NOT NULL AND c.status = 'active' AND c.deleted_at IS NULL`,
        )
        .get();
      return row?.['t'] == null ? null : Number(row['t']);
    },

    due(nowMs, limit) {
      return db
        .prepare(
          `${SELECT} WHERE s.enabled = 1 AND s.next_run_at IS NOT NULL AND s.next_run_at <= ?
             AND c.status = 'active' AND c.deleted_at IS NULL ORDER BY s.next_run_at LIMIT ?`,
        )
        .all(nowMs, limit)
        .map(toSchedule);
    },

    fire(req) {
      const at = req.now.getTime();
      return db.tx(() => {
        const started = req.slots.filter((s) => s.outcome === 'started' || s.outcome === 'queued');
        const last = req.slots.reduce((m, s) => Math.max(m, s.slotMs), req.schedule.lastFiredSlotMs ?? 0);
        const moved = db
          .prepare(
            `UPDATE schedules SET next_run_at = ?, last_fired_slot = ?, fired_count = fired_count + ?, updated_at = ?
             WHERE id = ? AND enabled = 1 AND next_run_at = ?`,
          )
          .run(req.newNextRunAtMs, last, req.slots.length, at, req.schedule.id, req.expectedNextRunAtMs);
        if (moved.changes === 0) return undefined;
        const runIds: string[] = [];
        const version = Number(db.prepare('SELECT current_version AS v FROM task_chains WHERE id = ?').get(req.schedule.chainId)?.['v']);
        for (const slot of req.slots) {
          let runId: string | null = null;
          if (started.includes(slot)) {
            runId = newId('run', at);
            const ins = db
              .prepare(
                `INSERT INTO chain_executions (id, chain_id, version, trigger, schedule_id, slot, status, inputs, created_at)
                 VALUES (?, ?, ?, 'schedule', ?, ?, 'pending', ?, ?) ON CONFLICT DO NOTHING`,
              )
              .run(runId, req.schedule.chainId, version, req.schedule.id, slot.slotMs, JSON.stringify(req.schedule.inputs), at);
            if (ins.changes === 0) runId = null;
            else runIds.push(runId);
          }
          db.prepare(
            'INSERT INTO schedule_fires (schedule_id, slot, outcome, run_id, fired_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
          ).run(req.schedule.id, slot.slotMs, slot.outcome, runId, at);
        }
        return { runIds };
      });
    },

    transaction: (fn) => db.tx(fn),

    dataVersion() {
      return Number(db.prepare('PRAGMA data_version').get()?.['data_version'] ?? 0);
    },

    fires(scheduleId, limit = 50) {
      return db
        .prepare('SELECT * FROM schedule_fires WHERE schedule_id = ? ORDER BY slot DESC LIMIT ?')
        .all(scheduleId, limit)
        .map((r) => ({
          slotMs: Number(r['slot']),
          outcome: r['outcome'] as FireOutcome,
          runId: (r['run_id'] as string | null) ?? null,
          firedAtMs: Number(r['fired_at']),
        }));
    },

    addTrigger(chainId, event, now) {
      const id = newId('trg', now.getTime());
      db.prepare('INSERT INTO triggers (id, chain_id, event, enabled, created_at) VALUES (?, ?, ?, 1, ?)').run(id, chainId, event, now.getTime());
      return store.getTrigger(id)!;
    },

    listTriggers(filter) {
      const where = ['t.enabled = 1', 'c.deleted_at IS NULL'];
      const params: unknown[] = [];
      if (filter.chainId !== undefined) {
        where.push('t.chain_id = ?');
        params.push(filter.chainId);
      }
      if (filter.event !== undefined) {
        where.push('t.event = ?');
        params.push(filter.event);
      }
      return db
        .prepare(`SELECT t.*, c.name AS chain_name FROM triggers t JOIN task_chains c ON c.id = t.chain_id WHERE ${where.join(' AND ')} ORDER BY t.created_at`)
        .all(...params)
        .map(toTrigger);
    },

    getTrigger(id) {
      const row = db.prepare('SELECT t.*, c.name AS chain_name FROM triggers t JOIN task_chains c ON c.id = t.chain_id WHERE t.id = ?').get(id);
      return row === undefined ? undefined : toTrigger(row);
    },

    removeTrigger(id) {
      db.prepare('UPDATE triggers SET enabled = 0 WHERE id = ?').run(id);
    },

    recordEvent(name, data, sourceRunId, now) {
      const id = newId('evt', now.getTime());
      db.prepare('INSERT INTO events (id, name, data, source_run_id, created_at) VALUES (?, ?, ?, ?, ?)').run(
        id,
        name,
        data === undefined ? null : JSON.stringify(data),
        sourceRunId,
        now.getTime(),
      );
      return id;
    },

    acquireLease(name, owner, ttlMs, now, deadOwner) {
      const at = now.getTime();
      const res = db
        .prepare(
          `INSERT INTO leases (name, owner, expires_at, acquired_at) VALUES (?, ?, ?, ?)
           ON CONFLICT(name) DO UPDATE SET
             owner = excluded.owner,
             expires_at = excluded.expires_at,
             acquired_at = CASE WHEN leases.owner = excluded.owner THEN leases.acquired_at ELSE excluded.acquired_at END
           WHERE leases.owner = excluded.owner OR leases.expires_at < ? OR leases.owner = ?`,
        )
        .run(name, owner, at + ttlMs, at, at, deadOwner ?? null);
      return res.changes === 1;
    },

    releaseLease(name, owner) {
      db.prepare('DELETE FROM leases WHERE name = ? AND owner = ?').run(name, owner);
    },

    leaseHolder(name) {
      const row = db.prepare('SELECT owner, expires_at FROM leases WHERE name = ?').get(name);
      return row === undefined ? undefined : { owner: String(row['owner']), expiresAtMs: Number(row['expires_at']) };
    },
  };
  return store;
}
