import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, tempDir } from '../support/cli.js';

let tmp: ReturnType<typeof tempDir>;
let env: Record<string, string>;
const file = (name: string, value: unknown): string => {
  const p = join(tmp.dir, name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
};

beforeEach(() => {
  tmp = tempDir();
  env = { CHAINLOOM_DB: join(tmp.dir, 'c.db'), CHAINLOOM_ACTOR: 'tester' };
});
afterEach(() => tmp.cleanup());

const greet = {
  name: 'Greeter',
  tags: ['demo'],
  inputs: { who: { type: 'string', default: 'world' } },
  steps: [{ name: 'Say hi', tool: 'util', operation: 'echo', parameters: { value: 'hello {inputs.who}' }, output_key: 'greeting' }],
};

describe('chainloom chain (CLI)', () => {
  it('creates, lists, shows and runs a chain, with inputs', async () => {
    const created = await cli(['chain', 'create', '-f', file('c.json', greet), '--json'], env);
    expect(created.code).toBe(0);
    expect(created.json().chain.name).toBe('Greeter');

    const list = await cli(['chain', 'list'], env);
    expect(list.stdout).toMatch(/Greeter\s+active\s+v1/);

    const shown = await cli(['chain', 'show', 'greeter', '--json'], env);
    expect(shown.json().definition.steps[0].output_key).toBe('greeting');

    const run = await cli(['chain', 'run', 'Greeter', '--input', 'who=Ada', '--json'], env);
    expect(run.code).toBe(0);
    expect(run.json().output).toEqual({ greeting: 'hello Ada' });
    expect(run.json().steps[0].inputs).toEqual({ value: 'hello Ada' });

    const text = await cli(['chain', 'run', 'Greeter'], env);
    expect(text.stdout).toContain('completed');
    expect(text.stdout).toContain('hello world');
  });

  it('keeps immutable versions: update, versions with a diff summary, rollback, runs pinned to their version', async () => {
    await cli(['chain', 'create', '-f', file('c.json', greet)], env);
    const first = (await cli(['chain', 'run', 'Greeter', '--json'], env)).json();
    const v2 = { ...greet, steps: [...greet.steps, { name: 'Shout', tool: 'util', operation: 'echo', parameters: { value: '{greeting | upper}' }, output_key: 'loud' }] };
    const upd = await cli(['chain', 'update', 'Greeter', '-f', file('v2.json', v2), '--note', 'add shout', '--json'], env);
    expect(upd.json().version.version).toBe(2);
    expect(upd.json().diff.summary).toBe('added shout');

    const versions = (await cli(['chain', 'versions', 'Greeter', '--json'], env)).json();
    expect(versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(versions[0].note).toBe('add shout');

    const rb = await cli(['chain', 'rollback', 'Greeter', '--to', '1', '--json'], env);
    expect(rb.json().version.version).toBe(3);
    expect(rb.json().version.definition.steps).toHaveLength(1);
    const old = (await cli(['chain', 'history', first.id, '--json'], env)).json();
    expect(old.version).toBe(1);

    const same = await cli(['chain', 'update', 'Greeter', '-f', file('v1.json', greet)], env);
    expect(same.stdout).toMatch(/No changes/);

    const audit = (await cli(['chain', 'audit', 'Greeter', '--json'], env)).json();
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['rollback', 'update', 'update', 'create']);
    expect(audit.every((e: { actor: string }) => e.actor === 'tester')).toBe(true);
  });

  it('duplicates and deletes chains, and filters history by status and age', async () => {
    await cli(['chain', 'create', '-f', file('c.json', greet)], env);
    const dup = (await cli(['chain', 'duplicate', 'Greeter', '--json'], env)).json();
    expect(dup.chain.name).toBe('Greeter (copy)');
    await cli(['chain', 'create', '-f', file('bad.json', { name: 'Broken', steps: [{ name: 'x', tool: 'util', operation: 'fail', parameters: { retriable: false, message: 'nope' } }] })], env);
    expect((await cli(['chain', 'run', 'Broken'], env)).code).toBe(1);
    await cli(['chain', 'run', 'Greeter'], env);

    const failed = (await cli(['chain', 'history', '--status', 'failed', '--since', '1h', '--json'], env)).json();
    expect(failed).toHaveLength(1);
    expect(failed[0].error.message).toBe('nope');
    expect((await cli(['chain', 'history', 'Greeter', '--json'], env)).json()).toHaveLength(1);

    const del = await cli(['chain', 'delete', 'Greeter (copy)'], env);
    expect(del.code).toBe(0);
    expect((await cli(['chain', 'list', '--json'], env)).json().map((c: { name: string }) => c.name).sort()).toEqual(['Broken', 'Greeter']);

    const stats = (await cli(['chain', 'stats', '--json'], env)).json();
    expect(stats.runs).toBe(2);
    expect(stats.failuresByStep).toEqual([{ stepKey: 'x', failures: 1 }]);
  });

  it('rejects a bad definition whole, listing every problem, and writes nothing', async () => {
    const bad = {
      name: 'Bad',
      steps: [
        { name: 'a', tool: 'util', operation: 'echo', depends_on: ['c'] },
        { name: 'b', tool: 'util', operation: 'echo', parameters: { x: '{nope.value}' }, depends_on: ['a'] },
        { name: 'c', tool: 'util', operation: 'echo', parameters: { y: '{a +}' }, depends_on: ['b'] },
      ],
    };
    const res = await cli(['chain', 'create', '-f', file('bad.json', bad), '--json'], env);
    expect(res.code).toBe(1);
    const body = res.json();
    expect(body.code).toBe('invalid_definition');
    const messages = body.problems.map((p: { path: string; message: string }) => `${p.path}: ${p.message}`).join('\n');
    expect(messages).toMatch(/cycle: .*a.*b.*c|cycle/);
    expect(messages).toMatch(/steps\[1\]\.parameters: references "nope"/);
    expect(messages).toMatch(/steps\[2\]\.parameters\.y/);
    expect((await cli(['chain', 'list', '--json'], env)).json()).toEqual([]);

    const validate = await cli(['chain', 'validate', '-f', file('bad2.json', bad)], env);
    expect(validate.code).toBe(1);
    expect(validate.stdout).toMatch(/Invalid: 3 problem/);
  });

  it('gives clear errors for bad input: missing file, broken JSON, unknown chain, oversized file, bad flags', async () => {
    const missing = await cli(['chain', 'create', '-f', join(tmp.dir, 'nope.json')], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*nope\.json/);

    const broken = await cli(['chain', 'create', '-f', file('broken.json', '{"name": ')], env);
    expect(broken.stderr).toMatch(/not valid JSON/);

    const unknown = await cli(['chain', 'run', 'ghost'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/chain "ghost" was not found/);
    expect(unknown.stderr).toMatch(/hint:/);

    const huge = await cli(['chain', 'create', '-f', file('huge.json', { name: 'big', steps: [{ name: 'a', tool: 'util', operation: 'echo', parameters: { blob: 'x'.repeat(10_000_000) } }] })], env);
    expect(huge.code).toBe(1);
    expect(huge.stderr).toMatch(/MB/);

    const flags = await cli(['chain', 'history', '--since', 'soon'], env);
    expect(flags.code).toBe(2);
    expect(flags.stderr).toMatch(/not a duration/);

    const sub = await cli(['chain', 'frobnicate'], env);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toMatch(/Subcommands:/);
  });

  it('refuses a 10,000-step chain and a template nested 1,000 deep without hanging', async () => {
    const many = { name: 'many', steps: Array.from({ length: 10_000 }, (_, i) => ({ name: `s${i}`, tool: 'util', operation: 'echo' })) };
    const a = await cli(['chain', 'create', '-f', file('many.json', many), '--json'], env);
    expect(a.code).toBe(1);
    expect(JSON.stringify(a.json().problems)).toMatch(/500/);

    const deep = { name: 'deep', steps: [{ name: 'a', tool: 'util', operation: 'echo', parameters: { v: `{${'('.repeat(1000)}1${')'.repeat(1000)}}` } }] };
    const b = await cli(['chain', 'create', '-f', file('deep.json', deep), '--json'], env);
    expect(b.code).toBe(1);
    expect(JSON.stringify(b.json().problems)).toMatch(/deep|nest/i);
  });

  it('dry-runs a chain with simulated tool outputs from a fixture file, saving nothing', async () => {
    const def = {
      name: 'Weather',
      steps: [
        { name: 'Fetch', tool: 'http', operation: 'request', parameters: { url: 'https://weather.invalid/today' }, output_key: 'weather' },
        { name: 'Tell', tool: 'notify', operation: 'send', parameters: { message: 'It is {weather.body.temp}C' } },
      ],
    };
    const res = await cli(
      ['chain', 'test', '-f', file('w.json', def), '--fixtures', file('fx.json', { fetch: { status: 200, body: { temp: 21 } } }), '--json'],
      env,
    );
    expect(res.code).toBe(0);
    const d = res.json();
    expect(d.status).toBe('completed');
    expect(d.simulated.sort()).toEqual(['fetch', 'tell']);
    expect(d.steps[1].inputs).toEqual({ message: 'It is 21C' });
    expect((await cli(['chain', 'list', '--json'], env)).json()).toEqual([]);
  });

  it('pauses, resumes and cancels runs by id', async () => {
    await cli(['chain', 'create', '-f', file('c.json', greet)], env);
    const started = (await cli(['chain', 'run', 'Greeter', '--detach', '--json'], env)).json();
    expect(started.status).toBe('pending');
    expect((await cli(['chain', 'pause', started.id, '--json'], env)).json().status).toBe('paused');
    const resumed = await cli(['chain', 'resume', started.id, '--json'], env);
    expect(resumed.json().status).toBe('completed');

    const other = (await cli(['chain', 'run', 'Greeter', '--detach', '--json'], env)).json();
    expect((await cli(['chain', 'cancel', other.id, '--json'], env)).json().status).toBe('cancelled');
    const again = await cli(['chain', 'resume', other.id], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/cancelled, not paused/);
  });

  it('prunes old finished runs', async () => {
    await cli(['chain', 'create', '-f', file('c.json', greet)], env);
    await cli(['chain', 'run', 'Greeter'], env);
    expect((await cli(['prune', '--older-than', '1d', '--json'], env)).json()).toEqual({ removed: 0 });
    expect((await cli(['prune', '--older-than', '0s', '--json'], env)).json()).toEqual({ removed: 1 });
  });
});
