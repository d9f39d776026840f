import { afterEach, describe, expect, it } from 'vitest';
import { ChainDefinitionSchema } from '../../src/domain/chain.js';
import { PROMPTS, renderPrompt } from '../../src/mcp/prompts.js';
import { chainFlowchart } from '../../src/mcp/visualize.js';
import { type McpHarness, connectMcp } from './harness.js';

let m: McpHarness | undefined;
afterEach(async () => {
  await m?.close();
  m = undefined;
});

describe('prompts', () => {
  it('lists the conversation starters and fills their arguments (or defaults)', async () => {
    m = await connectMcp();
    const list = await m.client.listPrompts();
    expect(list.prompts.map((p) => p.name)).toEqual([
      'daily_briefing_chain',
      'weekly_report',
      'review_failed_runs',
      'check_inbox',
    ]);
    const daily = list.prompts.find((p) => p.name === 'daily_briefing_chain')!;
    expect(daily.arguments?.map((a) => a.name)).toEqual(['time', 'topics']);

    const got = await m.client.getPrompt({
      name: 'daily_briefing_chain',
      arguments: { time: 'weekdays at 6:45', topics: 'weather in Oslo' },
    });
    const text = (got.messages[0]!.content as { text: string }).text;
    expect(text).toContain('Schedule: weekdays at 6:45. Topics: weather in Oslo.');
    expect(text).not.toContain('${');
    const review = await m.client.getPrompt({ name: 'review_failed_runs', arguments: {} });
    expect((review.messages[0]!.content as { text: string }).text).toContain("since '7d'");
  });

  it('renders placeholders from arguments, defaults for missing or blank ones', () => {
    const p = PROMPTS.find((x) => x.name === 'weekly_report')!;
    expect(renderPrompt(p, { topic: 'sales', when: '  ' })).toContain(
      'about: sales. It should run every Friday at 16:00.',
    );
  });
});

const def = (input: unknown) => ChainDefinitionSchema.parse(input);

describe('visualize (Mermaid)', () => {
  it('draws a sequential chain with branches, conditions and a fallback', () => {
    const chart = chainFlowchart(
      def({
        name: 'Triage "urgent" <mail>',
        steps: [
          {
            id: 'fetch',
            name: 'Fetch mail',
            tool: 'http',
            operation: 'request',
            alternative_step: 'cached',
            error_policy: 'alternative',
          },
          {
            id: 'check',
            name: 'Check',
            tool: 'data',
            operation: 'set',
            next_step_logic: {
              branches: [
                { if: 'result.urgent', goto: 'alert' },
                { if: 'result.spam', end: true },
              ],
            },
          },
          { id: 'file', name: 'File it', tool: 'util', operation: 'echo' },
          { id: 'alert', name: 'Alert', tool: 'notify', condition: 'inputs.loud' },
          { id: 'cached', name: 'Use cache', tool: 'util', operation: 'echo' },
        ],
      }),
    );
    expect(chart.split('\n')[0]).toBe('flowchart TD');
    expect(chart).toContain('start(["Start: Triage #quot;urgent#quot; #lt;mail#gt;"])');
    expect(chart).toContain('s_check -- "if result.urgent" --> s_alert');
    expect(chart).toContain('s_check -- "if result.spam" --> finish');
    expect(chart).toContain('s_check -- "else" --> s_file');
    expect(chart).toContain('s_alert{{"Alert<br/>notify"}}');
    expect(chart).toContain('s_fetch -. "on failure" .-> s_cached');
    expect(chart).not.toContain('s_alert --> s_cached'); // the fallback is not in the normal flow
  });

  it('draws a DAG from depends_on and colours a run by step status', () => {
    const d = def({
      name: 'fan out',
      steps: [
        { id: 'a', name: 'A', tool: 'util' },
        { id: 'b', name: 'B', tool: 'util', depends_on: ['a'] },
        { id: 'c', name: 'C', tool: 'util', depends_on: ['a'] },
        { id: 'd', name: 'D', tool: 'util', depends_on: ['b', 'c'] },
      ],
    });
    const statuses = new Map([
      ['a', { status: 'completed', durationMs: 5 }],
      ['b', { status: 'failed', durationMs: 5 }],
      ['c', { status: 'completed', durationMs: 5 }],
      ['d', { status: 'blocked', durationMs: null }],
    ]);
    const chart = chainFlowchart(d, statuses, 'failed');
    for (const e of [
      'start --> s_a',
      's_a --> s_b',
      's_a --> s_c',
      's_b --> s_d',
      's_c --> s_d',
      's_d --> finish',
    ])
      expect(chart).toContain(e);
    expect(chart).toContain('class s_b failed');
    expect(chart).toContain('class s_d skipped');
    expect(chart).toContain('✗ failed');
    expect(chart).toContain('finish(["End: failed"])');
  });
});
