import { AppError } from '../domain/errors.js';

/**
 * The small surface chainloom needs from a SQLite driver, so better-sqlite3 and Node's built-in
 * node:sqlite can both sit behind it. Positional `?` parameters only (both drivers agree on those).
 */
export interface Statement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): Record<string, unknown> | undefined;
  all(...params: unknown[]): Record<string, unknown>[];
}

export interface Db {
  readonly driver: 'better-sqlite3' | 'node:sqlite';
  readonly path: string;
  /** Prepared statements are cached by SQL text. */
  prepare(sql: string): Statement;
  exec(sql: string): void;
  /**
   * Runs `fn` inside BEGIN IMMEDIATE … COMMIT (rolled back if it throws). Nested calls join the
   * outer transaction. `fn` must be synchronous: no await inside a transaction.
   */
  tx<T>(fn: () => T): T;
  close(): void;
}

/** Options every driver understands. */
export interface OpenOptions {
  /** `normal` (default) survives a process crash; `full` also survives power loss, ~5× slower per write. */
  synchronous?: 'normal' | 'full';
  busyTimeoutMs?: number;
  readonly?: boolean;
}

export interface RawConnection {
  prepare(sql: string): Statement;
  exec(sql: string): void;
  close(): void;
}

/** Wraps a raw connection with statement caching, transactions and the standard pragmas. */
export function wrapConnection(
  raw: RawConnection,
  driver: Db['driver'],
  path: string,
  opts: OpenOptions,
): Db {
  const cache = new Map<string, Statement>();
  let depth = 0;
  // A lock held past the busy timeout (another program writing) becomes a clear AppError.
  const guard = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw lockedError(path, err) ?? err;
    }
  };
  const prepare = (sql: string): Statement => {
    let st = cache.get(sql);
    if (st === undefined) {
      const inner = raw.prepare(sql);
      st = {
        run: (...p) => guard(() => inner.run(...p)),
        get: (...p) => guard(() => inner.get(...p)),
        all: (...p) => guard(() => inner.all(...p)),
      };
      cache.set(sql, st);
    }
    return st;
  };
  const db: Db = {
    driver,
    path,
    prepare,
    exec: (sql) => raw.exec(sql),
    tx<T>(fn: () => T): T {
      if (depth > 0) return fn();
      guard(() => raw.exec('BEGIN IMMEDIATE'));
      depth++;
      try {
        const result = fn();
        raw.exec('COMMIT');
        return result;
      } catch (err) {
        try {
          raw.exec('ROLLBACK');
        } catch {
          // the transaction may already be gone (SQLITE_FULL etc.); the original error matters
        }
        throw err;
      } finally {
        depth--;
      }
    },
    close: () => {
      cache.clear();
      raw.close();
    },
  };
  const busy = opts.busyTimeoutMs ?? 5000;
  raw.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busy))}`);
  if (opts.readonly !== true && path !== ':memory:') {
    raw.exec('PRAGMA journal_mode = WAL');
  }
  raw.exec(`PRAGMA synchronous = ${opts.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  raw.exec('PRAGMA foreign_keys = ON');
  return db;
}

function lockedError(path: string, err: unknown): AppError | undefined {
  const msg = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: string } | null)?.code ?? '';
  if (!/SQLITE_BUSY|SQLITE_LOCKED|database is locked/i.test(`${code} ${msg}`)) return undefined;
  return new AppError('database_locked', `the database file ${path} is locked by another program`, {
    hint: 'Close the other program using it, or wait and retry. chainloom processes share the file safely; a foreign tool holding a write lock does not.',
    cause: err,
  });
}

/** Turns driver errors on open into messages a person can act on. */
export function describeOpenError(path: string, err: unknown): AppError {
  const msg = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: string } | null)?.code ?? '';
  if (/SQLITE_NOTADB|file is not a database|malformed/i.test(`${code} ${msg}`)) {
    return new AppError('database_corrupt', `the database file ${path} is not a valid chainloom database (${msg})`, {
      hint: 'Move the file aside (keep it for recovery) and start again, or point CHAINLOOM_DB at another file.',
      cause: err,
    });
  }
  if (/SQLITE_BUSY|SQLITE_LOCKED|database is locked/i.test(`${code} ${msg}`)) {
    return new AppError('database_locked', `the database file ${path} is locked by another program`, {
      hint: 'Close the other program using it, or wait and retry. chainloom processes share the file safely; a foreign tool holding a write lock does not.',
      cause: err,
    });
  }
  if (/SQLITE_CANTOPEN|unable to open|directory does not exist|EACCES|EPERM/i.test(`${code} ${msg}`)) {
    return new AppError('database_unavailable', `cannot open the database file ${path} (${msg})`, {
      hint: 'Check that the directory exists and is writable, or set CHAINLOOM_DB to a writable path.',
      cause: err,
    });
  }
  return new AppError('database_error', `cannot use the database file ${path}: ${msg}`, { cause: err });
}
