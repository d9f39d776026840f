import { newId } from '../domain/ids.js';
import type { RunControl, RunError, RunRecord, RunStatus, RunTrigger, StepRecord, StepStatus } from '../domain/records.js';
import type { HistoryFilter, RunStore, StepOutcome } from '../engine/store-ports.js';
import type { Db } from './db.js';
import { fromJson, iso, isoOrNull, toJson } from './json.js';

const RUN_COLUMNS = `r.*, c.name AS chain_name`;

function toRun(r: Record<string, unknown>): RunRecord {
  const started = r['started_at'] as number | null;
  const finished = r['finished_at'] as number | null;
  return {
    id: String(r['id']),
    chainId: String(r['chain_id']),
    chainName: String(r['chain_name'] ?? r['chain_id']),
    version: Number(r['version']),
    trigger: r['trigger'] as RunTrigger,
    scheduleId: (r['schedule_id'] as string | null) ?? null,
    slot: isoOrNull(r['slot']),
    parentRunId: (r['parent_run_id'] as string | null) ?? null,
    parentStepKey: (r['parent_step_key'] as string | null) ?? null,
    status: r['status'] as RunStatus,
    control: (r['control'] as RunControl) ?? null,
    inputs: fromJson<Record<string, unknown>>(r['inputs'], {}),
    output: fromJson<unknown>(r['output'], null),
    error: fromJson<RunError | null>(r['error'], null),
    createdAt: iso(r['created_at']),
    startedAt: isoOrNull(started),
    finishedAt: isoOrNull(finished),
    durationMs: started != null && finished != null ? Number(finished) - Number(started) : null,
  };
}

function toStep(r: Record<string, unknown>): StepRecord {
  const started = r['started_at'] as number | null;
  const finished = r['finished_at'] as number | null;
  return {
    runId: String(r['run_id']),
    stepKey: String(r['step_key']),
    iteration: Number(r['iteration']),
    seq: Number(r['seq']),
    tool: (r['tool'] as string | null) ?? null,
    status: r['status'] as StepStatus,
    attempt: Number(r['attempt']),
    inputs: fromJson<unknown>(r['inputs'], null),
    output: fromJson<unknown>(r['output'], null),
    error: fromJson<RunError | null>(r['error'], null),
    startedAt: isoOrNull(started),
    finishedAt: isoOrNull(finished),
    durationMs: started != null && finished != null ? Number(finished) - Number(started) : null,
    promptTokens: (r['prompt_tokens'] as number | null) ?? null,
    completionTokens: (r['completion_tokens'] as number | null) ?? null,
    detail: fromJson<Record<string, unknown> | null>(r['detail'], null),
  };
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export function createRunStore(db: Db): RunStore {
  const insertStep = (o: StepOutcome): void => {
    db.prepare(
      `INSERT OR REPLACE INTO step_executions
        (run_id, step_key, iteration, seq, tool, status, attempt, inputs, output, error, started_at, finished_at, prompt_tokens, completion_tokens, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      o.runId,
      o.stepKey,
      o.iteration,
      o.seq,
      o.tool,
      o.status,
      o.attempt,
      toJson(o.inputs),
      toJson(o.output),
      o.error == null ? null : JSON.stringify(o.error),
      o.startedAtMs,
      o.finishedAtMs,
      o.promptTokens ?? null,
      o.completionTokens ?? null,
      toJson(o.detail),
    );
  };

  const store: RunStore = {
    createRun(run) {
      const at = run.now.getTime();
      const id = newId('run', at);
      const res = db
        .prepare(
          `INSERT INTO chain_executions (id, chain_id, version, trigger, schedule_id, slot, parent_run_id, parent_step_key, status, inputs, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)
           ON CONFLICT DO NOTHING`,
        )
        .run(
          id,
          run.chainId,
          run.version,
          run.trigger,
          run.scheduleId ?? null,
          run.slotMs ?? null,
          run.parentRunId ?? null,
          run.parentStepKey ?? null,
          JSON.stringify(run.inputs),
          at,
        );
      return res.changes === 0 ? undefined : store.getRun(id);
    },

    getRun(runId) {
      const row = db
        .prepare(`SELECT ${RUN_COLUMNS} FROM chain_executions r JOIN task_chains c ON c.id = r.chain_id WHERE r.id = ?`)
        .get(runId);
      return row === undefined ? undefined : toRun(row);
    },

    getRunDetail(runId) {
      const run = store.getRun(runId);
      if (run === undefined) return undefined;
      const attempts = db
        .prepare('SELECT * FROM step_attempts WHERE run_id = ? ORDER BY started_at, step_key, iteration, attempt')
        .all(runId)
        .map((r) => ({
          runId,
          stepKey: String(r['step_key']),
          iteration: Number(r['iteration']),
          attempt: Number(r['attempt']),
          startedAt: iso(r['started_at']),
          finishedAt: iso(r['finished_at']),
          error: fromJson<RunError>(r['error'], { message: 'unknown', code: 'unknown' }),
        }));
      return { ...run, steps: store.steps(runId), attempts };
    },

    findChildRun(parentRunId, parentStepKey) {
      const row = db
        .prepare(
          `SELECT ${RUN_COLUMNS} FROM chain_executions r JOIN task_chains c ON c.id = r.chain_id WHERE r.parent_run_id = ? AND r.parent_step_key = ?`,
        )
        .get(parentRunId, parentStepKey);
      return row === undefined ? undefined : toRun(row);
    },

    claimRun(runId, owner, leaseMs, now, deadOwner) {
      const at = now.getTime();
      const res = db
        .prepare(
          `UPDATE chain_executions
             SET status = 'running', lease_owner = ?, lease_expires_at = ?, started_at = COALESCE(started_at, ?)
           WHERE id = ? AND status IN ('pending', 'running')
             AND (lease_owner IS NULL OR lease_owner = ? OR lease_expires_at < ? OR lease_owner = ?)`,
        )
        .run(owner, at + leaseMs, at, runId, owner, at, deadOwner ?? null);
      return res.changes === 1;
    },

    leaseOwner(runId) {
      const row = db.prepare('SELECT lease_owner FROM chain_executions WHERE id = ?').get(runId);
      return (row?.['lease_owner'] as string | null | undefined) ?? null;
    },

    renewLeases(owner, leaseMs, now) {
      db.prepare(
        "UPDATE chain_executions SET lease_expires_at = ? WHERE lease_owner = ? AND status = 'running'",
      ).run(now.getTime() + leaseMs, owner);
    },

    finishRun(runId, status, output, error, now) {
      db.prepare(
        `UPDATE chain_executions SET status = ?, output = ?, error = ?, error_step = ?, finished_at = ?, control = NULL,
           lease_owner = NULL, lease_expires_at = NULL WHERE id = ?`,
      ).run(status, toJson(output), error === null ? null : JSON.stringify(error), error?.stepKey ?? null, now.getTime(), runId);
    },

    setRunStatus(runId, status, now) {
      db.prepare(
        `UPDATE chain_executions SET status = ?, control = NULL, lease_owner = NULL, lease_expires_at = NULL,
           finished_at = CASE WHEN ? IN ('completed', 'failed', 'cancelled') THEN ? ELSE finished_at END WHERE id = ?`,
      ).run(status, status, now.getTime(), runId);
    },

    setControl(runId, control) {
      db.prepare('UPDATE chain_executions SET control = ? WHERE id = ?').run(control, runId);
    },

    readControl(runId) {
      const row = db.prepare('SELECT control FROM chain_executions WHERE id = ?').get(runId);
      return (row?.['control'] as RunControl | undefined) ?? null;
    },

    steps(runId) {
      return db.prepare('SELECT * FROM step_executions WHERE run_id = ? ORDER BY seq, iteration').all(runId).map(toStep);
    },

    recordStep(outcome) {
      insertStep(outcome);
    },

    recordSteps(outcomes) {
      if (outcomes.length === 0) return;
      db.tx(() => {
        for (const o of outcomes) insertStep(o);
      });
    },

    recordAttemptFailure(runId, stepKey, iteration, attempt, startedAtMs, finishedAtMs, error) {
      db.prepare(
        'INSERT OR REPLACE INTO step_attempts (run_id, step_key, iteration, attempt, started_at, finished_at, error) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(runId, stepKey, iteration, attempt, startedAtMs, finishedAtMs, JSON.stringify(error));
    },

    listResumable(now, isOwnerAlive) {
      const rows = db
        .prepare(
          `SELECT ${RUN_COLUMNS} FROM chain_executions r JOIN task_chains c ON c.id = r.chain_id
           WHERE r.status IN ('pending', 'running') AND r.parent_run_id IS NULL ORDER BY r.created_at`,
        )
        .all();
      const at = now.getTime();
      return rows
        .filter((r) => {
          const owner = r['lease_owner'] as string | null;
          if (owner === null) return true;
          if (Number(r['lease_expires_at'] ?? 0) < at) return true;
          return !isOwnerAlive(owner);
        })
        .map(toRun);
    },

    history(filter: HistoryFilter) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.chainId !== undefined) {
        where.push('r.chain_id = ?');
        params.push(filter.chainId);
      }
      if (filter.status !== undefined) {
        where.push('r.status = ?');
        params.push(filter.status);
      }
      if (filter.trigger !== undefined) {
        where.push('r.trigger = ?');
        params.push(filter.trigger);
      }
      if (filter.sinceMs !== undefined) {
        where.push('r.created_at >= ?');
        params.push(filter.sinceMs);
      }
      if (filter.untilMs !== undefined) {
        where.push('r.created_at < ?');
        params.push(filter.untilMs);
      }
      if (filter.before !== undefined) {
        where.push('r.id < ?');
        params.push(filter.before);
      }
      if (filter.text !== undefined && filter.text !== '') {
        const like = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        where.push("(c.name LIKE ? ESCAPE '\\' OR r.error LIKE ? ESCAPE '\\')");
        params.push(like, like);
      }
      const limit = Math.min(Math.max(filter.limit ?? 20, 1), 500);
      const sql = `SELECT ${RUN_COLUMNS} FROM chain_executions r JOIN task_chains c ON c.id = r.chain_id
        ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY r.created_at DESC, r.id DESC LIMIT ${limit}`;
      return db.prepare(sql).all(...params).map(toRun);
    },

    stats(chainId, sinceMs) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (chainId !== undefined) {
        where.push('chain_id = ?');
        params.push(chainId);
      }
      if (sinceMs !== undefined) {
        where.push('created_at >= ?');
        params.push(sinceMs);
      }
      const w = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
      const counts = db
        .prepare(
          `SELECT count(*) AS runs,
             sum(status = 'completed') AS completed, sum(status = 'failed') AS failed,
             sum(status = 'cancelled') AS cancelled, sum(status IN ('pending', 'running', 'paused')) AS running,
             max(created_at) AS last_run
           FROM chain_executions ${w}`,
        )
        .get(...params)!;
      const durations = db
        .prepare(
          `SELECT finished_at - started_at AS d FROM chain_executions ${w}${w === '' ? 'WHERE' : ' AND'}
             status = 'completed' AND started_at IS NOT NULL AND finished_at IS NOT NULL ORDER BY d LIMIT 100000`,
        )
        .all(...params)
        .map((r) => Number(r['d']));
      const byStep = db
        .prepare(
          `SELECT error_step AS step, count(*) AS n FROM chain_executions ${w}${w === '' ? 'WHERE' : ' AND'}
             status = 'failed' AND error_step IS NOT NULL GROUP BY error_step ORDER BY n DESC LIMIT 20`,
        )
        .all(...params);
      const completed = Number(counts['completed'] ?? 0);
      const failed = Number(counts['failed'] ?? 0);
      const finished = completed + failed;
      return {
        chainId: chainId ?? null,
        runs: Number(counts['runs'] ?? 0),
        completed,
        failed,
        cancelled: Number(counts['cancelled'] ?? 0),
        running: Number(counts['running'] ?? 0),
        successRate: finished === 0 ? null : completed / finished,
        avgDurationMs: durations.length === 0 ? null : Math.round(durations.reduce((a, b) => a + b, 0) / durations.length),
        p95DurationMs: percentile(durations, 95),
        failuresByStep: byStep.map((r) => ({ stepKey: String(r['step']), failures: Number(r['n']) })),
        lastRunAt: isoOrNull(counts['last_run']),
      };
    },

    prune(olderThanMs, batchSize = 500) {
      let total = 0;
      for (;;) {
        const n = db.tx(() => {
          const ids = db
            .prepare(
              `SELECT id FROM chain_executions WHERE status IN ('completed', 'failed', 'cancelled') AND created_at < ?
               ORDER BY created_at LIMIT ?`,
            )
            .all(olderThanMs, batchSize)
            .map((r) => r['id']);
          if (ids.length === 0) return 0;
          const marks = ids.map(() => '?').join(',');
          db.prepare(`DELETE FROM step_attempts WHERE run_id IN (${marks})`).run(...ids);
          db.prepare(`DELETE FROM step_executions WHERE run_id IN (${marks})`).run(...ids);
          db.prepare(`DELETE FROM chain_executions WHERE id IN (${marks})`).run(...ids);
          return ids.length;
        });
        total += n;
        if (n < batchSize) break;
      }
      db.prepare('DELETE FROM notifications WHERE created_at < ? AND read_at IS NOT NULL').run(olderThanMs);
      db.prepare('DELETE FROM events WHERE created_at < ?').run(olderThanMs);
      db.prepare('DELETE FROM schedule_fires WHERE fired_at < ?').run(olderThanMs);
      return total;
    },

    activeRunsOfSchedule(scheduleId) {
      const row = db
        .prepare("SELECT count(*) AS n FROM chain_executions WHERE schedule_id = ? AND status IN ('pending', 'running', 'paused')")
        .get(scheduleId);
      return Number(row?.['n'] ?? 0);
    },
  };
  return store;
}
