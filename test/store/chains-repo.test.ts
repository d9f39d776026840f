import { afterEach, beforeEach, expect, it } from 'vitest';
import type { OpenedStore } from '../../src/store/index.js';
import { chainDef, describeEachDriver, memoryStore, meta } from './drivers.js';

describeEachDriver('chains repository', (driver) => {
  let store: OpenedStore;
  beforeEach(() => {
    store = memoryStore(driver);
  });
  afterEach(() => store.close());

  it('creates a chain and finds it by id or by name in any case', () => {
    const created = store.chains.create(chainDef('Daily Report', { tags: ['news'] }), meta());
    expect(created).toMatchObject({
      name: 'Daily Report',
      currentVersion: 1,
      status: 'active',
      tags: ['news'],
    });
    expect(created.createdAt).toBe(meta().now.toISOString());
    expect(store.chains.find(created.id)?.id).toBe(created.id);
    expect(store.chains.find('daily report')?.id).toBe(created.id);
    expect(store.chains.find('  DAILY REPORT ')?.id).toBe(created.id);
    expect(store.chains.find('weekly report')).toBeUndefined();
    expect(() => store.chains.get('weekly report')).toThrow(expect.objectContaining({ code: 'not_found' }));
  });

  it('refuses a second chain whose name differs only in case', () => {
    store.chains.create(chainDef('Daily Report'), meta());
    expect(() => store.chains.create(chainDef('daily REPORT'), meta(1000))).toThrow(
      expect.objectContaining({ code: 'name_taken' }),
    );
    expect(store.chains.list()).toHaveLength(1);
  });

  it('makes a new version on a changed update and none on an unchanged one', () => {
    const def = chainDef('Digest');
    const chain = store.chains.create(def, meta());
    const changed = store.chains.update(
      chain.id,
      chainDef('Digest', { description: 'now with text' }),
      meta(1000, 'add text'),
    );
    expect(changed.changed).toBe(true);
    expect(changed.version.version).toBe(2);
    expect(changed.version.note).toBe('add text');
    expect(changed.chain).toMatchObject({
      currentVersion: 2,
      description: 'now with text',
      updatedBy: 'tester',
    });

    const same = store.chains.update(
      'digest',
      chainDef('Digest', { description: 'now with text' }),
      meta(2000),
    );
    expect(same.changed).toBe(false);
    expect(same.version.version).toBe(2);
    expect(store.chains.versions(chain.id).map((v) => v.version)).toEqual([2, 1]);
    expect(store.chains.get(chain.id).updatedAt).toBe(meta(1000).now.toISOString());
  });

  it('rolls back by writing the old definition as a new version', () => {
    const chain = store.chains.create(chainDef('Digest', { description: 'v1' }), meta());
    store.chains.update(chain.id, chainDef('Digest', { description: 'v2' }), meta(1000));
    const res = store.chains.rollback('Digest', 1, meta(2000));
    expect(res.changed).toBe(true);
    expect(res.version.version).toBe(3);
    expect(res.version.definition.description).toBe('v1');
    expect(res.version.note).toBe('rollback to v1');
    expect(store.chains.get(chain.id)).toMatchObject({ currentVersion: 3, description: 'v1' });
    expect(store.chains.audit(chain.id).map((a) => a.action)).toEqual([
      'rollback',
      'update',
      'update',
      'create',
    ]);
    expect(() => store.chains.rollback(chain.id, 9, meta(3000))).toThrow(
      expect.objectContaining({ code: 'not_found' }),
    );
  });

  it('delete hides the chain and frees its name', () => {
    const old = store.chains.create(chainDef('Reused'), meta());
    store.chains.delete('reused', meta(1000));
    expect(store.chains.find('Reused')).toBeUndefined();
    expect(store.chains.find(old.id)).toBeUndefined();
    expect(store.chains.list()).toEqual([]);
    const fresh = store.chains.create(chainDef('REUSED'), meta(2000));
    expect(fresh.id).not.toBe(old.id);
    expect(store.chains.get('reused').id).toBe(fresh.id);
    // History still names the deleted chain.
    expect(store.chains.nameOf(old.id)).toBe('Reused');
  });

  it('lists by status, text and tag, newest update first', () => {
    const a = store.chains.create(chainDef('Alpha 100%', { tags: ['x'] }), meta());
    const b = store.chains.create(chainDef('Beta', { description: 'the 100% one' }), meta(1000));
    store.chains.setStatus(a.id, 'paused', meta(2000));
    expect(store.chains.list().map((c) => c.name)).toEqual(['Alpha 100%', 'Beta']);
    expect(store.chains.list({ status: 'active' }).map((c) => c.id)).toEqual([b.id]);
    expect(store.chains.list({ text: '100%' }).map((c) => c.id)).toEqual([a.id, b.id]);
    expect(store.chains.list({ text: '0_' })).toEqual([]);
    expect(store.chains.list({ tag: 'x' }).map((c) => c.id)).toEqual([a.id]);
  });
});
