import { afterEach, describe, expect, it } from 'vitest';
import { type McpHarness, WEATHER_CHAIN, connectMcp } from './harness.js';

let m: McpHarness;
afterEach(async () => {
  await m?.close();
});

describe('chain_tool lifecycle', () => {
  it('creates, lists, gets, runs, reads history and versions, rolls back', async () => {
    m = await connectMcp();
    const created = await m.chainTool({ operation: 'create', definition: WEATHER_CHAIN });
    expect(created.isError).toBeFalsy();
    expect(created.data).toMatchObject({
      ok: true,
      operation: 'create',
      chain: { name: 'Morning weather', version: 1 },
    });
    const id = created.data.chain.id as string;

    const list = await m.chainTool({ operation: 'list' });
    expect(list.data.chains.map((c: { id: string }) => c.id)).toEqual([id]);
    expect(list.text).toContain('Morning weather');

    const got = await m.chainTool({ operation: 'get', name: 'morning weather' });
    expect(got.data.definition.steps).toHaveLength(2);

    const run = await m.chainTool({ operation: 'run', chain_id: id });
    expect(run.isError).toBeFalsy();
    expect(run.data.run.status).toBe('completed');
    expect(run.data.finished).toBe(true);
    expect(run.data.run.output).toMatchObject({ summary: 'It is 21 degrees and clear' });
    expect(run.data.steps.map((s: { step_key: string }) => s.step_key)).toEqual(['fetch', 'summary']);

    const hist = await m.chainTool({ operation: 'history', chain_id: id });
    expect(hist.data.runs).toHaveLength(1);
    const one = await m.chainTool({ operation: 'history', run_id: run.data.run.id });
    expect(one.data.steps).toHaveLength(2);
    expect(one.text).toContain('completed');

    const upd = await m.chainTool({
      operation: 'update',
      chain_id: id,
      description: 'Now with more words',
      note: 'wording',
    });
    expect(upd.data).toMatchObject({ changed: true, version: 2 });
    const vs = await m.chainTool({ operation: 'versions', chain_id: id });
    expect(vs.data.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const rb = await m.chainTool({ operation: 'rollback', chain_id: id, version: 1 });
    expect(rb.data).toMatchObject({ changed: true, version: 3 });
    const v1 = await m.chainTool({ operation: 'get', chain_id: id, version: 2 });
    expect(v1.data.definition.description).toBe('Now with more words');

    const stats = await m.chainTool({ operation: 'stats', chain_id: id });
    expect(stats.data.stats).toMatchObject({ runs: 1, completed: 1, success_rate: 1 });

    const dup = await m.chainTool({ operation: 'duplicate', chain_id: id, new_name: 'Evening weather' });
    expect(dup.data.chain.name).toBe('Evening weather');
    const del = await m.chainTool({ operation: 'delete', name: 'Evening weather' });
    expect(del.data.chain.name).toBe('Evening weather');
  });

  it('validates, dry-runs and draws a chain', async () => {
    m = await connectMcp();
    const bad = await m.chainTool({
      operation: 'validate',
      definition: { name: 'x', steps: [{ name: 'a', tool: 'util', output_key: '1bad' }, { tool: 'util' }] },
    });
    expect(bad.isError).toBeFalsy();
    expect(bad.data.valid).toBe(false);
    expect(bad.text).toContain('output_key');
    expect(bad.text).toContain('steps[1].name'); // every problem at once
    expect(bad.data.problems.length).toBe(2);
    const test = await m.chainTool({
      operation: 'test',
      definition: WEATHER_CHAIN,
      fixtures: { fetch: { temp: 5, sky: 'grey' } },
    });
    expect(test.data.run.output).toMatchObject({ summary: 'It is 5 degrees and grey' });
    expect(await m.chainTool({ operation: 'list' })).toMatchObject({ structuredContent: { chains: [] } });
    const c = await m.chainTool({ operation: 'create', definition: WEATHER_CHAIN });
    const viz = await m.chainTool({ operation: 'visualize', chain_id: c.data.chain.id });
    expect(viz.data.mermaid).toMatch(/^flowchart TD/);
    expect(viz.data.mermaid).toContain('s_fetch --> s_summary');
  });
});
