import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import type { Db } from '../../src/store/db.js';
import { type DriverLoaders, openDb, parseDriverChoice } from '../../src/store/driver.js';
import { SCHEMA_VERSION, openStore } from '../../src/store/index.js';
import { AVAILABLE, PROBES, type TempDir, describeEachDriver, tempDir } from './drivers.js';

const nodeVersion = process.versions.node.split('.').map(Number) as [number, number, number];
const nodeAtLeast = (major: number, minor: number): boolean =>
  nodeVersion[0] > major || (nodeVersion[0] === major && nodeVersion[1] >= minor);

function caught(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected an error');
}

let tmp: TempDir | undefined;
afterEach(() => {
  tmp?.cleanup();
  tmp = undefined;
});

describe('driver selection', () => {
  it('finds a driver on this Node, and node:sqlite wherever Node has it built in', () => {
    expect(AVAILABLE.length).toBeGreaterThan(0);
    const nodeSqlite = PROBES.find((p) => p.driver === 'node:sqlite')!;
    if (nodeAtLeast(22, 13)) expect(nodeSqlite.ok).toBe(true);
    if (!nodeAtLeast(22, 5)) expect(nodeSqlite.ok).toBe(false);
  });

  it('auto prefers better-sqlite3 and falls back to node:sqlite', () => {
    const db = openDb(':memory:');
    expect(db.driver).toBe(AVAILABLE[0]);
    db.close();
    const store = openStore(':memory:', { driver: 'auto' });
    expect(store.db.driver).toBe(AVAILABLE[0]);
    store.close();
  });

  it('keeps an injected opener working', () => {
    const calls: string[] = [];
    const store = openStore(':memory:', {
      open: (path, o) => {
        calls.push(path);
        return openDb(path, o);
      },
    });
    expect(calls).toEqual([':memory:']);
    expect(store.chains.list()).toEqual([]);
    store.close();
  });

  for (const p of PROBES) {
    it.skipIf(p.ok)(`explains an explicit choice of ${p.driver} where it cannot load`, () => {
      const err = caught(() => openDb(':memory:', { driver: p.driver }));
      expect(err.code).toBe('sqlite_driver_unavailable');
      expect(err.message).toMatch(
        p.driver === 'node:sqlite' ? /node:sqlite is not available/ : /better-sqlite3 failed to load/,
      );
      expect(err.hint).toMatch(/22\.13/);
    });
  }

  const brokenNative = (): never => {
    // What better-sqlite3 throws when its addon was built for another Node.
    throw Object.assign(
      new Error(
        "The module 'better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115.",
      ),
      { code: 'ERR_DLOPEN_FAILED' },
    );
  };

  it('says what failed and what to do when no driver loads', () => {
    const loaders: DriverLoaders = {
      openBetterSqlite: brokenNative,
      loadNodeSqlite: () => ({ module: undefined, reason: 'node:sqlite is not available on Node 20.11.0' }),
    };
    const err = caught(() => openDb(':memory:', {}, loaders));
    expect(err.code).toBe('sqlite_driver_unavailable');
    expect(err.message).toMatch(/better-sqlite3 failed to load \(The module 'better_sqlite3.node'\)/);
    expect(err.message).toContain('node:sqlite is not available on Node 20.11.0');
    expect(err.hint).toMatch(/Upgrade Node\.js to 22\.13/);
    expect(err.hint).toMatch(/npm rebuild better-sqlite3/);
    expect((err.cause as { code?: string }).code).toBe('ERR_DLOPEN_FAILED');
  });

  it('does not fall back when better-sqlite3 loads but the file is bad', () => {
    let nodeSqliteLoads = 0;
    const loaders: DriverLoaders = {
      openBetterSqlite: (path) => {
        if (path === ':memory:') return { close: () => undefined } as Db;
        throw new AppError('database_corrupt', 'not a database');
      },
      loadNodeSqlite: () => {
        nodeSqliteLoads++;
        return { module: undefined, reason: 'unused' };
      },
    };
    expect(caught(() => openDb('/some/file.db', {}, loaders)).code).toBe('database_corrupt');
    expect(caught(() => openDb('/some/file.db', { driver: 'better-sqlite3' }, loaders)).code).toBe(
      'database_corrupt',
    );
    expect(nodeSqliteLoads).toBe(0);
  });

  it.each([
    [undefined, 'auto'],
    ['', 'auto'],
    ['auto', 'auto'],
    ['better-sqlite3', 'better-sqlite3'],
    ['node:sqlite', 'node:sqlite'],
    [' Node:SQLite ', 'node:sqlite'],
    ['node-sqlite', 'node:sqlite'],
  ] as const)('parses CHAINLOOM_SQLITE_DRIVER=%j as %s', (raw, want) => {
    expect(parseDriverChoice(raw)).toBe(want);
  });

  it('rejects an unknown driver name with the valid ones in the hint', () => {
    const err = caught(() => parseDriverChoice('postgres'));
    expect(err.code).toBe('invalid_config');
    expect(err.hint).toContain('better-sqlite3');
    expect(err.hint).toContain('node:sqlite');
  });
});

describeEachDriver('driver adapter', (driver) => {
  const opened: Db[] = [];
  const open = (path: string, opts: Omit<Parameters<typeof openDb>[1], 'driver'> = {}): Db => {
    const db = openDb(path, { ...opts, driver });
    opened.push(db);
    return db;
  };
  afterEach(() => {
    for (const db of opened.splice(0)) db.close();
  });

  it('reports its name', () => {
    const db = open(':memory:');
    expect(db.driver).toBe(driver);
  });

  it('returns plain rows, undefined for no row, and numbers for integers', () => {
    const db = open(':memory:');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, at INTEGER, name TEXT, blob BLOB)');
    const run = db.prepare('INSERT INTO t (at, name) VALUES (?, ?)').run(1_767_225_600_123, 'a');
    expect(run.changes).toBe(1);
    expect(typeof run.changes).toBe('number');
    const row = db.prepare('SELECT * FROM t WHERE name = ?').get('a')!;
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(row).toEqual({ id: 1, at: 1_767_225_600_123, name: 'a', blob: null });
    expect(typeof row['at']).toBe('number');
    expect(db.prepare('SELECT * FROM t WHERE name = ?').get('missing')).toBeUndefined();
    const agg = db.prepare('SELECT count(*) AS n, sum(at) AS s, max(at) - min(at) AS d FROM t').get()!;
    expect(agg).toEqual({ n: 1, s: 1_767_225_600_123, d: 0 });
    const rows = db.prepare('SELECT id FROM t').all();
    expect(rows.map((r) => Object.getPrototypeOf(r))).toEqual([Object.prototype]);
  });

  it('binds undefined as NULL, like better-sqlite3', () => {
    const db = open(':memory:');
    db.exec('CREATE TABLE t (x)');
    db.prepare('INSERT INTO t (x) VALUES (?)').run(undefined);
    expect(db.prepare('SELECT x FROM t').all()).toEqual([{ x: null }]);
  });

  it('commits, rolls back on a throw, and joins nested transactions', () => {
    const db = open(':memory:');
    db.exec('CREATE TABLE t (x INTEGER)');
    db.tx(() => {
      db.prepare('INSERT INTO t VALUES (?)').run(1);
      db.tx(() => db.prepare('INSERT INTO t VALUES (?)').run(2));
    });
    expect(() =>
      db.tx(() => {
        db.prepare('INSERT INTO t VALUES (?)').run(3);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(db.prepare('SELECT x FROM t ORDER BY x').all()).toEqual([{ x: 1 }, { x: 2 }]);
  });

  it('opens a file in WAL mode', () => {
    tmp = tempDir();
    const db = open(tmp.file('wal.db'));
    expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    expect(db.prepare('PRAGMA foreign_keys').get()).toEqual({ foreign_keys: 1 });
  });

  it('maps a file of garbage to database_corrupt with a hint', () => {
    tmp = tempDir();
    const path = tmp.file('garbage.db');
    writeFileSync(path, Buffer.alloc(8192, 0x5a));
    const err = caught(() => openStore(path, { driver }));
    expect(err.code).toBe('database_corrupt');
    expect(err.message).toContain(path);
    expect(err.hint).toMatch(/Move the file aside/);
  });

  it('refuses a database written by a newer schema with database_too_new', () => {
    tmp = tempDir();
    const path = tmp.file('newer.db');
    openStore(path, { driver }).close();
    const raw = openDb(path, { driver });
    raw.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    const err = caught(() => openStore(path, { driver }));
    expect(err.code).toBe('database_too_new');
    expect(err.hint).toMatch(/Upgrade chainloom/);
  });

  it('maps a file another connection holds locked to database_locked', () => {
    tmp = tempDir();
    const path = tmp.file('locked.db');
    const db = open(path);
    // Rollback-journal mode plus an exclusive transaction: switching to WAL needs the lock.
    db.exec('PRAGMA journal_mode = DELETE');
    db.exec('CREATE TABLE t (x)');
    db.exec('BEGIN EXCLUSIVE');
    const err = caught(() => openDb(path, { driver, busyTimeoutMs: 20 }));
    expect(err.code).toBe('database_locked');
    db.exec('ROLLBACK');
  });

  it('maps a path in a missing directory to database_unavailable', () => {
    tmp = tempDir();
    const path = tmp.file('no/such/dir/x.db');
    const err = caught(() => openStore(path, { driver }));
    expect(err.message).toContain(path);
    // better-sqlite3 words this "the directory does not exist", which describeOpenError does not
    // classify yet; node:sqlite says "unable to open database file".
    expect(
      driver === 'node:sqlite' ? ['database_unavailable'] : ['database_unavailable', 'database_error'],
    ).toContain(err.code);
  });
});
