import { AppError } from '../domain/errors.js';
import { openBetterSqlite } from './better-sqlite.js';
import type { Db, OpenOptions } from './db.js';
import { NODE_SQLITE_MIN_VERSION, loadNodeSqlite, openNodeSqlite } from './node-sqlite.js';

export type DriverName = Db['driver'];

/** `auto` (default): better-sqlite3, or node:sqlite when the native module cannot load. */
export type DriverChoice = 'auto' | DriverName;

export const DRIVER_CHOICES: readonly DriverChoice[] = ['auto', 'better-sqlite3', 'node:sqlite'];

export interface DriverOptions extends OpenOptions {
  /** Which SQLite driver to use (configured by CHAINLOOM_SQLITE_DRIVER). Default `auto`. */
  driver?: DriverChoice | undefined;
}

/** How drivers are loaded; tests replace them to reach the paths the running Node cannot. */
export interface DriverLoaders {
  openBetterSqlite: typeof openBetterSqlite;
  loadNodeSqlite: typeof loadNodeSqlite;
}

const REAL_LOADERS: DriverLoaders = { openBetterSqlite, loadNodeSqlite };

/** Whether a driver can be used on the running Node, and if not, why (one line). */
export type DriverProbe =
  { driver: DriverName; ok: true } | { driver: DriverName; ok: false; reason: string };

const firstLine = (err: unknown): string => {
  const cause = err instanceof AppError && err.cause !== undefined ? err.cause : err;
  const msg = cause instanceof Error ? cause.message : String(cause);
  return msg.split('\n')[0]!.trim();
};

/**
 * Checks a driver by opening a throwaway in-memory database. better-sqlite3 loads its native addon
 * on first use, not on import, so this is where an ABI mismatch or a missing binary shows up.
 */
export function probeDriver(driver: DriverName, loaders: DriverLoaders = REAL_LOADERS): DriverProbe {
  if (driver === 'node:sqlite') {
    const loaded = loaders.loadNodeSqlite();
    return loaded.module === undefined ? { driver, ok: false, reason: loaded.reason } : { driver, ok: true };
  }
  try {
    loaders.openBetterSqlite(':memory:').close();
    return { driver, ok: true };
  } catch (err) {
    return { driver, ok: false, reason: `better-sqlite3 failed to load: ${firstLine(err)}` };
  }
}

/** Reads a configured driver name; empty means `auto`. */
export function parseDriverChoice(value: string | undefined): DriverChoice {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '') return 'auto';
  if (v === 'node-sqlite') return 'node:sqlite';
  const choice = DRIVER_CHOICES.find((c) => c === v);
  if (choice === undefined) {
    throw new AppError('invalid_config', `unknown SQLite driver "${value}"`, {
      hint: `Set CHAINLOOM_SQLITE_DRIVER to one of: ${DRIVER_CHOICES.join(', ')}.`,
    });
  }
  return choice;
}

const REBUILD_HINT = 'rebuild the native module for this Node with `npm rebuild better-sqlite3`';

function unavailable(message: string, hint: string, cause?: unknown): AppError {
  return new AppError('sqlite_driver_unavailable', message, { hint, cause });
}

/**
 * Opens a database with the chosen driver. With `auto`, better-sqlite3 is tried first; when it
 * cannot load (not when the file is bad) node:sqlite is used if this Node has it.
 * @throws AppError `sqlite_driver_unavailable` naming what failed and what to do, or the
 *   `database_*` errors of the driver that opened the file.
 */
export function openDb(path: string, opts: DriverOptions = {}, loaders: DriverLoaders = REAL_LOADERS): Db {
  const choice = opts.driver ?? 'auto';
  if (choice === 'node:sqlite') {
    const loaded = loaders.loadNodeSqlite();
    if (loaded.module !== undefined) return openNodeSqlite(path, opts, loaded.module);
    throw unavailable(
      loaded.reason,
      `Run chainloom on Node ${NODE_SQLITE_MIN_VERSION} or later, or use CHAINLOOM_SQLITE_DRIVER=auto (better-sqlite3).`,
    );
  }

  let nativeError: unknown;
  try {
    return loaders.openBetterSqlite(path, opts);
  } catch (err) {
    // Tell a bad file from a driver that cannot load: the latter fails on :memory: too.
    const probe = probeDriver('better-sqlite3', loaders);
    if (probe.ok) throw err;
    nativeError = err;
    if (choice === 'better-sqlite3') {
      throw unavailable(
        probe.reason,
        `Use CHAINLOOM_SQLITE_DRIVER=auto (falls back to node:sqlite on Node ${NODE_SQLITE_MIN_VERSION}+), or ${REBUILD_HINT}.`,
        err,
      );
    }
  }

  const loaded = loaders.loadNodeSqlite();
  if (loaded.module !== undefined) return openNodeSqlite(path, opts, loaded.module);
  throw unavailable(
    `no SQLite driver works on Node ${process.versions.node}: better-sqlite3 failed to load (${firstLine(nativeError)}) and ${loaded.reason}`,
    `Upgrade Node.js to ${NODE_SQLITE_MIN_VERSION} or later (node:sqlite is built in), or ${REBUILD_HINT}.`,
    nativeError,
  );
}
