import { newId } from '../domain/ids.js';
import type { Notification, NotificationKind } from '../engine/ports.js';
import type { NotificationStore } from '../engine/store-ports.js';
import type { Db } from './db.js';
import { fromJson, iso, isoOrNull, toJson } from './json.js';

function toNotification(r: Record<string, unknown>): Notification {
  return {
    id: String(r['id']),
    kind: r['kind'] as NotificationKind,
    title: String(r['title']),
    body: String(r['body']),
    chainId: (r['chain_id'] as string | null) ?? undefined,
    runId: (r['run_id'] as string | null) ?? undefined,
    dueAt: isoOrNull(r['due_at']) ?? undefined,
    data: fromJson<unknown>(r['data'], undefined),
    createdAt: iso(r['created_at']),
    deliveredAt: isoOrNull(r['delivered_at']),
    readAt: isoOrNull(r['read_at']),
  };
}

export function createNotificationStore(db: Db): NotificationStore {
  const listeners = new Set<(n: Notification) => void>();
  const store: NotificationStore = {
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },

    add(n, now) {
      const at = now.getTime();
      const id = newId('ntf', at);
      db.prepare(
        `INSERT INTO notifications (id, kind, title, body, chain_id, run_id, due_at, data, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        n.kind,
        n.title,
        n.body,
        n.chainId ?? null,
        n.runId ?? null,
        n.dueAt === undefined ? null : Date.parse(n.dueAt),
        toJson(n.data),
        at,
      );
      const added = store.get(id)!;
      for (const l of listeners) {
        try {
          l(added);
        } catch {
          // a listener's failure must not undo the write it observes
        }
      }
      return added;
    },

    takeUndelivered(now, limit = 20) {
      return db.tx(() => {
        const rows = db
          .prepare('SELECT * FROM notifications WHERE delivered_at IS NULL ORDER BY created_at LIMIT ?')
          .all(limit);
        if (rows.length === 0) return [];
        const at = now.getTime();
        const mark = db.prepare('UPDATE notifications SET delivered_at = ? WHERE id = ?');
        for (const r of rows) mark.run(at, r['id']);
        return rows.map((r) => ({ ...toNotification(r), deliveredAt: iso(at) }));
      });
    },

    list({ unreadOnly = false, limit = 50 }) {
      const sql = unreadOnly
        ? 'SELECT * FROM notifications WHERE read_at IS NULL ORDER BY created_at DESC LIMIT ?'
        : 'SELECT * FROM notifications ORDER BY created_at DESC LIMIT ?';
      return db.prepare(sql).all(Math.min(Math.max(limit, 1), 500)).map(toNotification);
    },

    markRead(ids, now) {
      const at = now.getTime();
      if (ids === 'all') {
        return db.prepare('UPDATE notifications SET read_at = ?, delivered_at = COALESCE(delivered_at, ?) WHERE read_at IS NULL').run(at, at)
          .changes;
      }
      return db.tx(() => {
        let n = 0;
        const st = db.prepare(
          'UPDATE notifications SET read_at = ?, delivered_at = COALESCE(delivered_at, ?) WHERE id = ? AND read_at IS NULL',
        );
        for (const id of ids) n += st.run(at, at, id).changes;
        return n;
      });
    },

    get(id) {
      const row = db.prepare('SELECT * FROM notifications WHERE id = ?').get(id);
      return row === undefined ? undefined : toNotification(row);
    },
  };
  return store;
}
