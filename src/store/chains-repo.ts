import { createHash } from 'node:crypto';
import type { ChainDefinition } from '../domain/chain.js';
import { AppError, NotFoundError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import type { ChainRecord, ChainStatus, ChainVersionRecord } from '../domain/records.js';
import type { ChainFilter, ChainStore } from '../engine/store-ports.js';
import type { Db } from './db.js';
import { fromJson, iso } from './json.js';

const nameKey = (name: string): string => name.trim().toLowerCase();

function toChain(r: Record<string, unknown>): ChainRecord {
  return {
    id: String(r['id']),
    name: String(r['name']),
    description: (r['description'] as string | null) ?? null,
    tags: fromJson<string[]>(r['tags'], []),
    status: r['status'] as ChainStatus,
    currentVersion: Number(r['current_version']),
    createdAt: iso(r['created_at']),
    updatedAt: iso(r['updated_at']),
    createdBy: String(r['created_by']),
    updatedBy: (r['updated_by'] as string | null) ?? null,
  };
}

function toVersion(r: Record<string, unknown>): ChainVersionRecord {
  return {
    chainId: String(r['chain_id']),
    version: Number(r['version']),
    definition: JSON.parse(String(r['definition'])) as ChainDefinition,
    contentHash: String(r['content_hash']),
    createdAt: iso(r['created_at']),
    createdBy: String(r['created_by']),
    note: (r['note'] as string | null) ?? null,
  };
}

/** Shared, cached definitions must never change under their readers. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const hashOf = (json: string): string => createHash('sha256').update(json).digest('hex').slice(0, 16);

export function createChainStore(db: Db): ChainStore {
  // Versions are immutable once written, so parsed definitions can be kept (runs read theirs often).
  const versions = new Map<string, ChainVersionRecord>();
  const audit = (actor: string, action: string, id: string, detail: unknown, at: number): void => {
    db.prepare('INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) VALUES (?, ?, ?, ?, ?, ?)').run(
      at,
      actor,
      action,
      'chain',
      id,
      detail === undefined ? null : JSON.stringify(detail),
    );
  };

  const findRow = (ref: string): Record<string, unknown> | undefined =>
    db.prepare('SELECT * FROM task_chains WHERE id = ? AND deleted_at IS NULL').get(ref) ??
    db.prepare('SELECT * FROM task_chains WHERE name_key = ? AND deleted_at IS NULL').get(nameKey(ref));

  const assertNameFree = (name: string, exceptId?: string): void => {
    const row = db.prepare('SELECT id FROM task_chains WHERE name_key = ? AND deleted_at IS NULL').get(nameKey(name));
    if (row !== undefined && row['id'] !== exceptId) {
      throw new AppError('name_taken', `a chain named "${name}" already exists (${String(row['id'])})`, {
        hint: 'Pick another name, update the existing chain instead, or duplicate it under a new name.',
      });
    }
  };

  const insertVersion = (
    chainId: string,
    version: number,
    def: ChainDefinition,
    actor: string,
    note: string | null,
    at: number,
  ): void => {
    const json = JSON.stringify(def);
    db.prepare(
      'INSERT INTO chain_versions (chain_id, version, definition, content_hash, created_at, created_by, note) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(chainId, version, json, hashOf(json), at, actor, note);
  };

  const store: ChainStore = {
    create(def, { actor, now, note }) {
      const at = now.getTime();
      const id = newId('chn', at);
      db.tx(() => {
        assertNameFree(def.name);
        db.prepare(
          `INSERT INTO task_chains (id, name, name_key, description, tags, status, current_version, created_at, updated_at, created_by)
           VALUES (?, ?, ?, ?, ?, 'active', 1, ?, ?, ?)`,
        ).run(id, def.name, nameKey(def.name), def.description ?? null, JSON.stringify(def.tags), at, at, actor);
        insertVersion(id, 1, def, actor, note ?? 'created', at);
        audit(actor, 'create', id, { name: def.name, version: 1 }, at);
      });
      return store.get(id);
    },

    find(ref) {
      const row = findRow(ref);
      return row === undefined ? undefined : toChain(row);
    },

    get(ref) {
      const c = store.find(ref);
      if (c === undefined) throw new NotFoundError('chain', ref);
      return c;
    },

    list(filter: ChainFilter = {}) {
      const where: string[] = ['deleted_at IS NULL'];
      const params: unknown[] = [];
      if (filter.status !== undefined) {
        where.push('status = ?');
        params.push(filter.status);
      }
      if (filter.text !== undefined && filter.text !== '') {
        where.push("(name LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\')");
        const like = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        params.push(like, like);
      }
      if (filter.tag !== undefined) {
        where.push('EXISTS (SELECT 1 FROM json_each(task_chains.tags) WHERE value = ?)');
        params.push(filter.tag);
      }
      const limit = Math.min(Math.max(filter.limit ?? 100, 1), 1000);
      const rows = db
        .prepare(`SELECT * FROM task_chains WHERE ${where.join(' AND ')} ORDER BY updated_at DESC, id LIMIT ${limit}`)
        .all(...params);
      return rows.map(toChain);
    },

    getVersion(chainId, version) {
      const key = `${chainId}:${version}`;
      const hit = versions.get(key);
      if (hit !== undefined) return hit;
      const row = db.prepare('SELECT * FROM chain_versions WHERE chain_id = ? AND version = ?').get(chainId, version);
      if (row === undefined) {
        throw new NotFoundError('chain version', `${chainId} v${version}`, 'List the versions to see which exist.');
      }
      const v = deepFreeze(toVersion(row));
      if (versions.size >= 256) versions.delete(versions.keys().next().value!);
      versions.set(key, v);
      return v;
    },

    versions(chainId) {
      return db.prepare('SELECT * FROM chain_versions WHERE chain_id = ? ORDER BY version DESC').all(chainId).map(toVersion);
    },

    update(ref, def, { actor, now, note }) {
      const at = now.getTime();
      return db.tx(() => {
        const chain = store.get(ref);
        assertNameFree(def.name, chain.id);
        const current = store.getVersion(chain.id, chain.currentVersion);
        if (JSON.stringify(current.definition) === JSON.stringify(def)) {
          return { chain, version: current, changed: false };
        }
        const version = chain.currentVersion + 1;
        insertVersion(chain.id, version, def, actor, note ?? null, at);
        db.prepare(
          `UPDATE task_chains SET name = ?, name_key = ?, description = ?, tags = ?, current_version = ?, updated_at = ?, updated_by = ? WHERE id = ?`,
        ).run(def.name, nameKey(def.name), def.description ?? null, JSON.stringify(def.tags), version, at, actor, chain.id);
        audit(actor, 'update', chain.id, { version, note }, at);
        return { chain: store.get(chain.id), version: store.getVersion(chain.id, version), changed: true };
      });
    },

    rollback(ref, toVersion, { actor, now }) {
      return db.tx(() => {
        const chain = store.get(ref);
        const target = store.getVersion(chain.id, toVersion);
        const res = store.update(chain.id, target.definition, { actor, now, note: `rollback to v${toVersion}` });
        audit(actor, 'rollback', chain.id, { to: toVersion, version: res.version.version }, now.getTime());
        return res;
      });
    },

    setStatus(ref, status, { actor, now }) {
      return db.tx(() => {
        const chain = store.get(ref);
        db.prepare('UPDATE task_chains SET status = ?, updated_at = ?, updated_by = ? WHERE id = ?').run(
          status,
          now.getTime(),
          actor,
          chain.id,
        );
        audit(actor, `status:${status}`, chain.id, undefined, now.getTime());
        return store.get(chain.id);
      });
    },

    delete(ref, { actor, now }) {
      return db.tx(() => {
        const chain = store.get(ref);
        const at = now.getTime();
        db.prepare("UPDATE task_chains SET deleted_at = ?, status = 'archived', updated_at = ?, updated_by = ? WHERE id = ?").run(
          at,
          at,
          actor,
          chain.id,
        );
        db.prepare('UPDATE schedules SET enabled = 0, updated_at = ? WHERE chain_id = ?').run(at, chain.id);
        db.prepare('UPDATE triggers SET enabled = 0 WHERE chain_id = ?').run(chain.id);
        audit(actor, 'delete', chain.id, { name: chain.name }, at);
        return chain;
      });
    },

    audit(chainId, limit = 50) {
      return db
        .prepare('SELECT * FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY at DESC, id DESC LIMIT ?')
        .all('chain', chainId, limit)
        .map((r) => ({
          at: iso(r['at']),
          actor: String(r['actor']),
          action: String(r['action']),
          detail: fromJson<unknown>(r['detail'], null),
        }));
    },

    nameOf(chainId) {
      const row = db.prepare('SELECT name FROM task_chains WHERE id = ?').get(chainId);
      return row === undefined ? chainId : String(row['name']);
    },
  };
  return store;
}
