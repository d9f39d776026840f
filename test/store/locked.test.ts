import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { tempDir } from '../support/cli.js';

let tmp: ReturnType<typeof tempDir>;
afterEach(() => tmp?.cleanup());

describe('a database locked by another program', () => {
  it('gives a clear database_locked error with a hint, after the busy timeout, and writes nothing', () => {
    tmp = tempDir();
    const path = join(tmp.dir, 'c.db');
    openStore(path).close();
    // Any driver this Node can load plays "another program" holding a write lock.
    const other = openStore(path);
    other.db.exec('BEGIN EXCLUSIVE');
    try {
      const store = openStore(path, { busyTimeoutMs: 50 });
      const create = () => store.chains.create({ name: 'x', tags: [], inputs: {}, variables: {}, error_policy: 'stop', concurrency: 4, notify_on: ['failure'], steps: [] } as never, { actor: 't', now: new Date() });
      expect(create).toThrow(expect.objectContaining({ code: 'database_locked', hint: expect.stringMatching(/Close the other program/) }));
      store.close();
    } finally {
      other.db.exec('ROLLBACK');
      other.close();
    }
    const again = openStore(path);
    expect(again.chains.list()).toEqual([]);
    again.close();
  });
});
