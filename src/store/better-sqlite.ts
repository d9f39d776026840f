import Database from 'better-sqlite3';
import { type Db, type OpenOptions, describeOpenError, wrapConnection } from './db.js';

/** Opens a database file with better-sqlite3 (the default driver). */
export function openBetterSqlite(path: string, opts: OpenOptions = {}): Db {
  try {
    const raw = new Database(path, { readonly: opts.readonly ?? false, timeout: opts.busyTimeoutMs ?? 5000 });
    return wrapConnection(
      {
        prepare: (sql) => {
          const st = raw.prepare(sql);
          return {
            run: (...p) => st.run(...p),
            get: (...p) => st.get(...p) as Record<string, unknown> | undefined,
            all: (...p) => st.all(...p) as Record<string, unknown>[],
          };
        },
        exec: (sql) => void raw.exec(sql),
        close: () => raw.close(),
      },
      'better-sqlite3',
      path,
      opts,
    );
  } catch (err) {
    throw describeOpenError(path, err);
  }
}
