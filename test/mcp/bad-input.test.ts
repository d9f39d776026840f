import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { type McpHarness, WEATHER_CHAIN, connectMcp, recordingLogger } from './harness.js';

let m: McpHarness;
afterEach(async () => {
  await m?.close();
});

const noLeaks = (text: string): void => {
  expect(text).not.toMatch(/\n\s+at /); // stack frames
  expect(text).not.toMatch(/\/(home|tmp|work|Users)\//); // file paths
};

describe('bad input answers with isError, the problem and the fix, and changes nothing', () => {
  it('an unknown operation lists the operations', async () => {
    m = await connectMcp();
    const r = await m.chainTool({ operation: 'explode' });
    expect(r.isError).toBe(true);
    expect(r.text).toContain('operation must be one of: create, list');
  });

  it('a missing chain reference says which arguments to pass', async () => {
    m = await connectMcp();
    for (const operation of ['run', 'get', 'delete', 'versions', 'visualize', 'schedule']) {
      const r = await m.chainTool({ operation });
      expect(r.isError, operation).toBe(true);
      expect(r.text).toContain(`operation '${operation}' needs chain_id or name`);
      expect(r.data).toMatchObject({ ok: false, error: { code: 'bad_arguments' } });
      expect(r.data.error.hint).toContain("operation 'list'");
    }
  });

  it('an unknown chain is not found, with a hint', async () => {
    m = await connectMcp();
    const r = await m.chainTool({ operation: 'run', name: 'does not exist' });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/"does not exist" was not found/);
    expect(r.text).toContain('Fix:');
    expect(m.h.services.history()).toEqual([]);
  });

  it('arguments of the wrong type are refused before anything runs', async () => {
    m = await connectMcp();
    const r = await m.chainTool({ operation: 'list', limit: 'ten' });
    expect(r.isError).toBe(true);
    expect(r.text).toContain('limit must be a whole number from 1 to 500');
    const w = await m.chainTool({ operation: 'history', status: 'archived' });
    expect(w.isError).toBe(true);
    expect(w.text).toContain('chain status, not a run status');
    const t = await m.chainTool({ operation: 'history', since: 'a while back' });
    expect(t.isError).toBe(true);
    expect(t.text).toContain('24h, 7d');
  });

  it('an invalid definition lists every problem and writes nothing; an invalid update keeps the version', async () => {
    m = await connectMcp();
    const r = await m.chainTool({
      operation: 'create',
      definition: { name: '', steps: [{ tool: 'util', output_key: '9x' }] },
    });
    expect(r.isError).toBe(true);
    expect(r.data.problems.map((p: { path: string }) => p.path)).toEqual(
      expect.arrayContaining(['name', 'steps[0].name', 'steps[0].output_key']),
    );
    expect(r.text).toContain('steps[0].output_key');
    expect(m.h.services.listChains()).toEqual([]);

    const ok = await m.chainTool({ operation: 'create', definition: WEATHER_CHAIN });
    const bad = await m.chainTool({ operation: 'update', chain_id: ok.data.chain.id, steps: [] });
    expect(bad.isError).toBe(true);
    expect(m.h.services.getChain(ok.data.chain.id).chain.currentVersion).toBe(1);
    const none = await m.chainTool({ operation: 'create' });
    expect(none.isError).toBe(true);
    expect(none.text).toContain('needs a definition');
  });

  it('a run missing required inputs is refused without creating a run', async () => {
    m = await connectMcp();
    await m.chainTool({
      operation: 'create',
      definition: { ...WEATHER_CHAIN, inputs: { city: { type: 'string', required: true } } },
    });
    const r = await m.chainTool({ operation: 'run', name: 'Morning weather' });
    expect(r.isError).toBe(true);
    expect(r.text).toContain('city');
    expect(m.h.services.history()).toEqual([]);
  });

  it('control operations say what they need', async () => {
    m = await connectMcp();
    const r = await m.chainTool({ operation: 'cancel' });
    expect(r.isError).toBe(true);
    expect(r.text).toContain('run_id, schedule_id, chain_id or name');
    await m.chainTool({ operation: 'create', definition: WEATHER_CHAIN });
    const c = await m.chainTool({ operation: 'cancel', name: 'Morning weather' });
    expect(c.text).toContain("'pause'");
    const e = await m.chainTool({ operation: 'emit' });
    expect(e.text).toContain('needs event');
    const rb = await m.chainTool({ operation: 'rollback', name: 'Morning weather' });
    expect(rb.text).toContain('needs version');
  });

  it('unexpected errors are logged and answered generically: no stack, no path', async () => {
    const log = recordingLogger();
    m = await connectMcp({
      deps: (h) => ({
        log,
        services: {
          ...h.services,
          listChains: () => {
            throw new Error("ENOENT: no such file or directory, open '/home/alice/.secret/chainloom.db'");
          },
          getChain: () => {
            throw new AppError('db_locked', 'the database /home/alice/data/chainloom.db is locked', {
              hint: 'Close the other process using /tmp/x.lock.',
            });
          },
        },
      }),
    });
    const r = await m.chainTool({ operation: 'list' });
    expect(r.isError).toBe(true);
    expect(r.text).toContain('unexpected internal error');
    noLeaks(r.text);
    noLeaks(JSON.stringify(r.data));
    expect(log.entries.some((e) => e.level === 'error' && JSON.stringify(e.obj).includes('ENOENT'))).toBe(
      true,
    );

    const k = await m.chainTool({ operation: 'get', name: 'x' });
    expect(k.isError).toBe(true);
    expect(k.text).toContain('the database <path> is locked');
    noLeaks(k.text);
  });

  it('without scheduling, remind and schedule explain instead of failing', async () => {
    m = await connectMcp({ withScheduling: false });
    const r = await m.call('remind', { text: 'in 5 minutes to stretch' });
    expect(r.isError).toBe(true);
    expect(r.data.error.code).toBe('scheduling_unavailable');
    const e = await m.call('remind', { text: '   ' });
    expect(e.isError).toBe(true);
    expect(e.text).toContain('text is empty');
  });
});
