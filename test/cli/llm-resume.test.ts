import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { waitFor } from '../support/wait.js';
import { BIN, runBin, spawnBin, tempDir } from '../support/cli.js';
import { type FakeOpenAi, startFakeOpenAi } from '../support/fake-openai.js';

let tmp: ReturnType<typeof tempDir> | undefined;
let fake: FakeOpenAi | undefined;
afterEach(async () => {
  await fake?.close();
  tmp?.cleanup();
});

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error('build first: npm run build (npm test does it)');
});


/** Like runBin, but asynchronous: the scripted LLM server lives in this process and must keep answering. */
function runBinAsync(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnBin(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const ANSWER = 'Three things today: stand-up at 9, the report, and the dentist at 3.';

describe('an LLM step is not asked again after a crash', () => {
  it('SIGKILL after the LLM step was recorded: resume finishes the run without a second chat request', async () => {
    tmp = tempDir();
    fake = await startFakeOpenAi([{ text: ANSWER, usage: { promptTokens: 120, completionTokens: 30 } }]);
    const db = join(tmp.dir, 'c.db');
    const env = {
      CHAINLOOM_DB: db,
      OPENAI_BASE_URL: fake.baseURL,
      OPENAI_API_KEY: 'test',
      CHAINLOOM_MODEL: 'fake-model',
    };
    writeFileSync(
      join(tmp.dir, 'chain.json'),
      JSON.stringify({
        name: 'plan the day',
        steps: [
          {
            name: 'ask',
            execution_mode: 'orchestrated',
            task_description: 'List three things for today.',
            output_key: 'plan',
          },
          { name: 'slow', tool: 'util', operation: 'wait', parameters: { seconds: 2 } },
          {
            name: 'deliver',
            tool: 'util',
            operation: 'echo',
            parameters: { value: '{plan}' },
            output_key: 'delivered',
          },
        ],
      }),
    );
    expect(runBin(['chain', 'create', '-f', join(tmp.dir, 'chain.json')], env).code).toBe(0);

    const child = spawnBin(['chain', 'run', 'plan the day', '--wait'], env);
    const exited = new Promise<number | null>((r) =>
      child.on('exit', (code, signal) => r(signal === 'SIGKILL' ? -9 : code)),
    );
    const store = openStore(db);
    const runId = await waitFor(() => {
      const row = store.db
        .prepare("SELECT run_id FROM step_executions WHERE step_key = 'ask' AND status = 'completed'")
        .get();
      return row === undefined ? undefined : String(row['run_id']);
    });
    child.kill('SIGKILL');
    expect(await exited).toBe(-9);
    expect(store.runs.getRun(runId)!.status).toBe('running');
    expect(fake.requests).toHaveLength(1);
    store.close();

    const resumed = await runBinAsync(['resume', '--json'], env);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toEqual({ resumed: 1 });

    // One chat request in total: the recorded answer was used, not asked for again.
    expect(fake.requests).toHaveLength(1);
    const shown = await runBinAsync(['chain', 'history', runId, '--json'], env);
    const detail = JSON.parse(shown.stdout);
    expect(detail.status).toBe('completed');
    expect(detail.output).toMatchObject({ plan: ANSWER, delivered: ANSWER });
    const ask = detail.steps.find((s: { stepKey: string }) => s.stepKey === 'ask');
    expect(ask).toMatchObject({
      status: 'completed',
      attempt: 1,
      output: ANSWER,
      promptTokens: 120,
      completionTokens: 30,
    });
    expect(ask.detail.promptVersion).toBe('orchestrated-step@1');
  });
});
