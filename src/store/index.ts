import type { Stores } from '../engine/store-ports.js';
import { createChainStore } from './chains-repo.js';
import { type Db, type OpenOptions, describeOpenError } from './db.js';
import { type DriverOptions, openDb } from './driver.js';
import { migrate } from './migrations.js';
import { createNotificationStore } from './notifications-repo.js';
import { createRunStore } from './runs-repo.js';
import { createScheduleStore } from './schedules-repo.js';

export type { Db, OpenOptions } from './db.js';
export { SCHEMA_VERSION, migrate } from './migrations.js';
export { DRIVER_CHOICES, type DriverChoice, type DriverName, parseDriverChoice } from './driver.js';

export interface OpenedStore extends Stores {
  db: Db;
  close(): void;
}

export interface OpenStoreOptions extends DriverOptions {
  /** Opens the connection instead of the `driver` choice (tests inject drivers this way). */
  open?: (path: string, o: OpenOptions) => Db;
}

/**
 * Opens (creating if needed) and migrates a database, and builds the repositories on it.
 * `driver` picks the SQLite driver (default `auto`: better-sqlite3, else node:sqlite).
 */
export function openStore(path: string, opts: OpenStoreOptions = {}): OpenedStore {
  const db = opts.open !== undefined ? opts.open(path, opts) : openDb(path, opts);
  try {
    migrate(db);
  } catch (err) {
    db.close();
    if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('database_')) throw err;
    throw describeOpenError(path, err);
  }
  return createStores(db);
}

export function createStores(db: Db): OpenedStore {
  return {
    db,
    chains: createChainStore(db),
    runs: createRunStore(db),
    notifications: createNotificationStore(db),
    schedules: createScheduleStore(db),
    close: () => db.close(),
  };
}
