import type { Stores } from '../engine/store-ports.js';
import { openBetterSqlite } from './better-sqlite.js';
import { createChainStore } from './chains-repo.js';
import { type Db, type OpenOptions, describeOpenError } from './db.js';
import { migrate } from './migrations.js';
import { createNotificationStore } from './notifications-repo.js';
import { createRunStore } from './runs-repo.js';

export type { Db, OpenOptions } from './db.js';
export { SCHEMA_VERSION, migrate } from './migrations.js';

export interface OpenedStore extends Stores {
  db: Db;
  close(): void;
}

/** Opens (creating if needed) and migrates a database, and builds the repositories on it. */
export function openStore(path: string, opts: OpenOptions & { open?: (path: string, o: OpenOptions) => Db } = {}): OpenedStore {
  const db = (opts.open ?? openBetterSqlite)(path, opts);
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
    close: () => db.close(),
  };
}
