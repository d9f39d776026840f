import { afterEach, expect, it } from 'vitest';
import { openDb } from '../../src/store/driver.js';
import { SCHEMA_VERSION, migrate, openStore } from '../../src/store/index.js';
import { type TempDir, chainDef, describeEachDriver, memoryStore, meta, tempDir } from './drivers.js';

let tmp: TempDir | undefined;
afterEach(() => {
  tmp?.cleanup();
  tmp = undefined;
});

describeEachDriver('migrations', (driver) => {
  it('bring a new database to the current schema', () => {
    const store = memoryStore(driver);
    expect(store.db.prepare('PRAGMA user_version').get()).toEqual({ user_version: SCHEMA_VERSION });
    const tables = store.db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all()
      .map((r) => r['name']);
    expect(tables).toEqual(
      expect.arrayContaining([
        'chain_executions',
        'chain_versions',
        'notifications',
        'step_executions',
        'task_chains',
      ]),
    );
    store.close();
  });

  it('apply once: a second open of the same file keeps its data and version', () => {
    tmp = tempDir();
    const path = tmp.file('twice.db');
    const first = openStore(path, { driver });
    const chain = first.chains.create(chainDef('Kept'), meta());
    first.close();

    const second = openStore(path, { driver });
    expect(second.db.prepare('PRAGMA user_version').get()).toEqual({ user_version: SCHEMA_VERSION });
    expect(second.chains.get('kept').id).toBe(chain.id);
    // Running them again on a current database is a no-op, not a "table already exists".
    migrate(second.db);
    migrate(second.db);
    expect(second.chains.list()).toHaveLength(1);
    second.close();
  });

  it('migrate a bare connection opened without the store', () => {
    tmp = tempDir();
    const db = openDb(tmp.file('bare.db'), { driver });
    expect(db.prepare('PRAGMA user_version').get()).toEqual({ user_version: 0 });
    migrate(db);
    expect(db.prepare('PRAGMA user_version').get()).toEqual({ user_version: SCHEMA_VERSION });
    db.close();
  });
});
