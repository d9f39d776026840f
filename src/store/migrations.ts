import { AppError } from '../domain/errors.js';
import type { Db } from './db.js';

/**
 * Schema history. Append only: a released migration never changes. Timestamps are epoch
 * milliseconds (INTEGER) so range queries and ordering use plain indexes.
 */
const MIGRATIONS: readonly string[] = [
  // 1: chains, versions, runs, steps, notifications, events, audit, leases, schedules, triggers
  `
  CREATE TABLE task_chains (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    description TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'archived')),
    current_version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT,
    deleted_at INTEGER
  );
  CREATE UNIQUE INDEX task_chains_live_name ON task_chains(name_key) WHERE deleted_at IS NULL;
  CREATE INDEX task_chains_updated ON task_chains(updated_at DESC);

  CREATE TABLE chain_versions (
    chain_id TEXT NOT NULL REFERENCES task_chains(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    definition TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    note TEXT,
    PRIMARY KEY (chain_id, version)
  ) WITHOUT ROWID;

  CREATE TABLE chain_executions (
    id TEXT PRIMARY KEY,
    chain_id TEXT NOT NULL REFERENCES task_chains(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    trigger TEXT NOT NULL CHECK (trigger IN ('manual', 'schedule', 'event', 'test', 'subchain')),
    schedule_id TEXT,
    slot INTEGER,
    parent_run_id TEXT,
    parent_step_key TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'paused', 'completed', 'failed', 'cancelled')),
    control TEXT CHECK (control IN ('pause', 'cancel')),
    inputs TEXT NOT NULL DEFAULT '{}',
    output TEXT,
    error TEXT,
    error_step TEXT,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    lease_owner TEXT,
    lease_expires_at INTEGER,
    UNIQUE (schedule_id, slot)
  );
  CREATE INDEX runs_created ON chain_executions(created_at DESC, id DESC);
  CREATE INDEX runs_chain_created ON chain_executions(chain_id, created_at DESC, id DESC);
  CREATE INDEX runs_status_created ON chain_executions(status, created_at DESC, id DESC);
  CREATE INDEX runs_unfinished ON chain_executions(status) WHERE status IN ('pending', 'running');
  CREATE UNIQUE INDEX runs_child ON chain_executions(parent_run_id, parent_step_key) WHERE parent_run_id IS NOT NULL;

  CREATE TABLE step_executions (
    run_id TEXT NOT NULL REFERENCES chain_executions(id) ON DELETE CASCADE,
    step_key TEXT NOT NULL,
    iteration INTEGER NOT NULL DEFAULT 0,
    seq INTEGER NOT NULL,
    tool TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'skipped', 'blocked', 'cancelled')),
    attempt INTEGER NOT NULL DEFAULT 1,
    inputs TEXT,
    output TEXT,
    error TEXT,
    started_at INTEGER,
    finished_at INTEGER,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    detail TEXT,
    PRIMARY KEY (run_id, step_key, iteration)
  ) WITHOUT ROWID;

  CREATE TABLE step_attempts (
    run_id TEXT NOT NULL REFERENCES chain_executions(id) ON DELETE CASCADE,
    step_key TEXT NOT NULL,
    iteration INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    error TEXT NOT NULL,
    PRIMARY KEY (run_id, step_key, iteration, attempt)
  ) WITHOUT ROWID;

  CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    chain_id TEXT,
    run_id TEXT,
    due_at INTEGER,
    data TEXT,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER,
    read_at INTEGER
  );
  CREATE INDEX notifications_created ON notifications(created_at DESC);
  CREATE INDEX notifications_undelivered ON notifications(created_at) WHERE delivered_at IS NULL;
  CREATE INDEX notifications_unread ON notifications(created_at) WHERE read_at IS NULL;

  CREATE TABLE schedules (
    id TEXT PRIMARY KEY,
    chain_id TEXT NOT NULL REFERENCES task_chains(id) ON DELETE CASCADE,
    kind TEXT NOT NULL DEFAULT 'schedule' CHECK (kind IN ('schedule', 'reminder')),
    spec TEXT NOT NULL,
    timezone TEXT NOT NULL,
    description TEXT NOT NULL,
    source_text TEXT,
    inputs TEXT NOT NULL DEFAULT '{}',
    next_run_at INTEGER,
    last_fired_slot INTEGER,
    fired_count INTEGER NOT NULL DEFAULT 0,
    catch_up TEXT NOT NULL DEFAULT 'run_once' CHECK (catch_up IN ('skip', 'run_once', 'run_all')),
    catch_up_max INTEGER NOT NULL DEFAULT 10,
    overlap TEXT NOT NULL DEFAULT 'skip' CHECK (overlap IN ('skip', 'queue', 'allow')),
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX schedules_due ON schedules(next_run_at) WHERE enabled = 1 AND next_run_at IS NOT NULL;
  CREATE INDEX schedules_chain ON schedules(chain_id);

  CREATE TABLE schedule_fires (
    schedule_id TEXT NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
    slot INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    run_id TEXT,
    fired_at INTEGER NOT NULL,
    PRIMARY KEY (schedule_id, slot)
  ) WITHOUT ROWID;

  CREATE TABLE triggers (
    id TEXT PRIMARY KEY,
    chain_id TEXT NOT NULL REFERENCES task_chains(id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX triggers_event ON triggers(event) WHERE enabled = 1;

  CREATE TABLE events (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    data TEXT,
    source_run_id TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX events_created ON events(created_at DESC);

  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    detail TEXT
  );
  CREATE INDEX audit_entity ON audit_log(entity, entity_id, at DESC);

  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    acquired_at INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Applies every migration newer than the file's `user_version`, each in its own transaction. */
export function migrate(db: Db): void {
  const row = db.prepare('PRAGMA user_version').get();
  const current = Number(row?.['user_version'] ?? 0);
  if (current > MIGRATIONS.length) {
    throw new AppError(
      'database_too_new',
      `the database was written by a newer chainloom (schema ${current}, this one knows ${MIGRATIONS.length})`,
      { hint: 'Upgrade chainloom, or point CHAINLOOM_DB at another file.' },
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.tx(() => {
      // Another process may have migrated while we waited for the write lock.
      const now = Number(db.prepare('PRAGMA user_version').get()?.['user_version'] ?? 0);
      if (now > v) return;
      db.exec(MIGRATIONS[v]!);
      db.exec(`PRAGMA user_version = ${v + 1}`);
    });
  }
}
