import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, tempDir } from '../support/cli.js';
import { type FakeOpenAi, startFakeOpenAi } from '../support/fake-openai.js';

let tmp: ReturnType<typeof tempDir>;
let fake: FakeOpenAi | undefined;
afterEach(async () => {
  tmp?.cleanup();
  await fake?.close();
  fake = undefined;
});

describe('chainloom remind', () => {
  it('says back what it understood, with the next runs and assumptions, and stores a one-step chain', async () => {
    tmp = tempDir();
    const env = { CHAINLOOM_DB: join(tmp.dir, 'c.db'), CHAINLOOM_TZ: 'America/Chicago' };
    const r = await cli(['remind', 'every Monday at 8 to send the report'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Reminder set: "send the report" — every Monday at 08:00 \(America\/Chicago\)/);
    expect(r.stdout).toMatch(/Next: \d{4}-\d\d-\d\dT08:00:00-0[56]:00/);
    expect(r.stdout).toMatch(/Assumed: "8" read as 08:00/);
    const chains = (await cli(['chain', 'list', '--json'], env)).json();
    expect(chains.map((c: { name: string; tags: string[] }) => [c.name, c.tags])).toEqual([['Reminder: send the report', ['reminder']]]);
    const schedules = (await cli(['schedule', 'list', '--json'], env)).json();
    expect(schedules[0]).toMatchObject({ kind: 'reminder', catchUp: 'run_once', sourceText: 'every Monday at 8 to send the report' });
  });

  it('asks instead of guessing, and saves nothing', async () => {
    tmp = tempDir();
    const env = { CHAINLOOM_DB: join(tmp.dir, 'c.db'), CHAINLOOM_TZ: 'Europe/Berlin' };
    const r = await cli(['remind', 'call mom at 8', '--json'], env);
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ ok: false, code: 'needs_clarification' });
    expect(r.json().question).toMatch(/am or pm/);
    expect((await cli(['chain', 'list', '--json'], env)).json()).toEqual([]);
  });

  it('adds a title, priority and tags from the language model when one is configured', async () => {
    tmp = tempDir();
    fake = await startFakeOpenAi([{ json: { task: 'renew the passport', title: 'Renew passport', priority: 'high', tags: ['travel'] } }]);
    const env = { CHAINLOOM_DB: join(tmp.dir, 'c.db'), CHAINLOOM_TZ: 'UTC', OPENAI_BASE_URL: fake.baseURL, OPENAI_API_KEY: 'test', CHAINLOOM_MODEL: 'fake' };
    const r = await cli(['remind', 'tomorrow at 9am to renew the passport, it is urgent', '--json'], env);
    expect(r.code).toBe(0);
    expect(r.json().understood.task).toBe('renew the passport, it is urgent');
    const chain = (await cli(['chain', 'show', r.json().chain.id, '--json'], env)).json();
    expect(chain.chain.name).toBe('Reminder: Renew passport');
    expect(chain.chain.tags).toEqual(['reminder', 'travel', 'priority:high']);
    expect(chain.definition.steps[0].parameters.title).toBe('Reminder (important): Renew passport');
    expect(fake.requests).toHaveLength(1);
  });
});
