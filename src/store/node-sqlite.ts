import { createRequire } from 'node:module';
import { AppError } from '../domain/errors.js';
import { type Db, type OpenOptions, type Statement, describeOpenError, wrapConnection } from './db.js';

/**
 * The part of `node:sqlite` we use, typed by hand: @types/node 20 does not describe it, and on
 * Node 20 the module does not exist at all, so it is never imported statically.
 */
interface StatementSync {
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: unknown[]): Record<string, unknown> | undefined | null;
  all(...params: unknown[]): Record<string, unknown>[];
}

interface DatabaseSync {
  prepare(sql: string): StatementSync;
  exec(sql: string): void;
  close(): void;
}

export interface NodeSqliteModule {
  DatabaseSync: new (
    path: string,
    options?: { readOnly?: boolean; timeout?: number; enableForeignKeyConstraints?: boolean },
  ) => DatabaseSync;
}

/** The oldest Node release where `node:sqlite` loads without a flag. */
export const NODE_SQLITE_MIN_VERSION = '22.13.0';

/**
 * Loads `node:sqlite` if this Node has it (22.13+, or 22.5+ with --experimental-sqlite), else
 * returns the reason it is missing. Loading it prints Node's one-time ExperimentalWarning to stderr.
 */
export function loadNodeSqlite(): { module: NodeSqliteModule } | { module: undefined; reason: string } {
  const missing = `node:sqlite is not available on Node ${process.versions.node} (it needs Node ${NODE_SQLITE_MIN_VERSION} or later)`;
  try {
    // getBuiltinModule (Node ≥ 20.16) answers undefined for a missing builtin and keeps bundlers
    // from trying to resolve the name; createRequire covers older Node 20 releases.
    const mod =
      typeof process.getBuiltinModule === 'function'
        ? process.getBuiltinModule('node:sqlite')
        : (createRequire(import.meta.url)('node:sqlite') as unknown);
    if (mod === undefined || typeof (mod as Partial<NodeSqliteModule>).DatabaseSync !== 'function') {
      return { module: undefined, reason: missing };
    }
    return { module: mod as NodeSqliteModule };
  } catch {
    return { module: undefined, reason: missing };
  }
}

/**
 * better-sqlite3 binds `undefined` as NULL; node:sqlite refuses it. Keep the drivers alike so a
 * repository that passes an optional field unchanged works on both.
 */
const bindable = (params: unknown[]): unknown[] => params.map((p) => (p === undefined ? null : p));

/** node:sqlite rows have a null prototype; callers expect plain objects. */
const plain = (row: Record<string, unknown>): Record<string, unknown> => ({ ...row });

function wrapStatement(st: StatementSync): Statement {
  // Integers come back as JS numbers (readBigInts is off by default); a value beyond 2^53 throws
  // ERR_OUT_OF_RANGE instead of losing precision. Everything we store (epoch ms, counts) fits.
  return {
    run: (...p) => ({ changes: Number(st.run(...bindable(p)).changes) }),
    get: (...p) => {
      const row = st.get(...bindable(p));
      return row == null ? undefined : plain(row);
    },
    all: (...p) => st.all(...bindable(p)).map(plain),
  };
}

/**
 * Opens a database file with Node's built-in `node:sqlite` (the fallback driver for runtimes that
 * cannot load native modules, such as the Node bundled with Claude Desktop).
 * @throws AppError `sqlite_driver_unavailable` when this Node has no `node:sqlite`; otherwise the
 *   `database_*` errors of {@link describeOpenError}.
 */
export function openNodeSqlite(path: string, opts: OpenOptions = {}, sqlite?: NodeSqliteModule): Db {
  const mod = sqlite ?? requireNodeSqlite();
  let raw: DatabaseSync | undefined;
  try {
    raw = new mod.DatabaseSync(path, {
      readOnly: opts.readonly ?? false,
      // Honoured from Node 22.16; older releases ignore it and rely on the busy_timeout pragma below.
      timeout: opts.busyTimeoutMs ?? 5000,
    });
    const conn = raw;
    let open = true;
    return wrapConnection(
      {
        prepare: (sql) => wrapStatement(conn.prepare(sql)),
        exec: (sql) => conn.exec(sql),
        // better-sqlite3's close is idempotent; node:sqlite throws on a second call.
        close: () => {
          if (open) conn.close();
          open = false;
        },
      },
      'node:sqlite',
      path,
      opts,
    );
  } catch (err) {
    try {
      raw?.close();
    } catch {
      // already closed or never opened; the open error is what matters
    }
    throw describeOpenError(path, err);
  }
}

function requireNodeSqlite(): NodeSqliteModule {
  const loaded = loadNodeSqlite();
  if (loaded.module !== undefined) return loaded.module;
  throw new AppError('sqlite_driver_unavailable', loaded.reason, {
    hint: `Run chainloom on Node ${NODE_SQLITE_MIN_VERSION} or later, or use the better-sqlite3 driver.`,
  });
}
