import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { waitFor } from '../support/wait.js';
import { BIN, runBin, spawnBin, tempDir } from '../support/cli.js';

let tmp: ReturnType<typeof tempDir>;
afterEach(() => tmp?.cleanup());

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error('build first: npm run build (npm test does it)');
});


describe('a run killed with SIGKILL mid-chain', () => {
  it('resumes at the first unrecorded step and never re-runs a completed one', async () => {
    tmp = tempDir();
    const db = join(tmp.dir, 'c.db');
    const log = join(tmp.dir, 'side-effects.log');
    const env = { CHAINLOOM_DB: db, CHAINLOOM_SHELL: '1' };
    const append = (label: string) => ({
      name: label,
      tool: 'shell',
      operation: 'exec',
      parameters: { command: 'sh', args: ['-c', `echo ${label} >> "$0"`, log] },
    });
    writeFileSync(
      join(tmp.dir, 'chain.json'),
      JSON.stringify({
        name: 'durable',
        steps: [append('one'), append('two'), { name: 'slow', tool: 'util', operation: 'wait', parameters: { seconds: 2 } }, append('four')],
      }),
    );
    expect(runBin(['chain', 'create', '-f', join(tmp.dir, 'chain.json')], env).code).toBe(0);

    const child = spawnBin(['chain', 'run', 'durable', '--wait'], env);
    const exited = new Promise<number | null>((r) => child.on('exit', (_code, signal) => r(signal === 'SIGKILL' ? -9 : _code)));
    // Kill it once "slow" is in flight: two side effects done, the third step not recorded.
    const store = openStore(db);
    const runId = await waitFor(() => {
      const row = store.db.prepare("SELECT run_id FROM step_executions WHERE step_key = 'two' AND status = 'completed'").get();
      return row === undefined ? undefined : String(row['run_id']);
    });
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGKILL');
    expect(await exited).toBe(-9);
    expect(store.runs.getRun(runId)!.status).toBe('running');
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['one', 'two']);
    store.close();

    const resumed = runBin(['resume', '--json'], env);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toEqual({ resumed: 1 });

    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['one', 'two', 'four']);
    const shown = runBin(['chain', 'history', runId, '--json'], env);
    const detail = JSON.parse(shown.stdout);
    expect(detail.status).toBe('completed');
    const byKey = Object.fromEntries(detail.steps.map((s: { stepKey: string; attempt: number; status: string }) => [s.stepKey, s]));
    expect(byKey.one.attempt).toBe(1);
    expect(byKey.two.attempt).toBe(1);
    expect(byKey.four.status).toBe('completed');
  });
});
