import { AsyncLocalStorage } from 'node:async_hooks';
import { fileURLToPath } from 'node:url';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestratedRunner } from '../../src/engine/orchestrated-runner.js';
import type { LlmClient } from '../../src/engine/ports.js';
import { createBuiltinRegistry } from '../../src/engine/tools/builtins.js';
import { createChainDrafter } from '../../src/llm/chain-drafter.js';
import { createOpenAiClient } from '../../src/llm/openai-client.js';
import { loadPrompt } from '../../src/llm/prompts.js';
import { type FakeOpenAi, startFakeOpenAi } from '../support/fake-openai.js';
import { type McpHarness, connectMcp } from './harness.js';

const PROMPTS_DIR = fileURLToPath(new URL('../../prompts', import.meta.url));
let m: McpHarness | undefined;
let fake: FakeOpenAi | undefined;
afterEach(async () => {
  await m?.close();
  await fake?.close();
  m = undefined;
  fake = undefined;
});

/** An MCP server whose engine runs LLM steps with whatever model the current scope lends it. */
async function withSamplingEngine(clientCapabilities: Record<string, unknown>): Promise<McpHarness> {
  const scope = new AsyncLocalStorage<LlmClient>();
  const orchestrate = createOrchestratedRunner({
    llm: () => scope.getStore(),
    tools: createBuiltinRegistry({ net: { allowPrivate: false, allowHosts: [] }, shellEnabled: false }),
    timeZone: 'UTC',
    systemPrompt: async () => ({ system: 'You do one step of a chain.', version: 'test@1' }),
  });
  return connectMcp({
    clientCapabilities,
    executor: { orchestrate },
    deps: () => ({ hasConfiguredLlm: false, withLlm: (client, fn) => scope.run(client, fn) }),
  });
}

const summarise = {
  name: 'Summary',
  steps: [
    { name: 'Data', tool: 'data', operation: 'set', parameters: { value: { temp: 21, sky: 'sunny' } }, output_key: 'weather' },
    { name: 'Summarise', execution_mode: 'orchestrated', task_description: 'One line on the weather', parameters: { w: '{weather}' }, output_key: 'summary' },
  ],
};

describe('LLM steps through MCP sampling', () => {
  it("uses the chat client's model for a run started from a tool call when no API model is configured", async () => {
    m = await withSamplingEngine({ sampling: {} });
    const asked: unknown[] = [];
    m.client.setRequestHandler(CreateMessageRequestSchema, async (req) => {
      asked.push(req.params);
      return { model: 'client-model', role: 'assistant', content: { type: 'text', text: 'Sunny and 21 degrees.' } };
    });
    await m.chainTool({ operation: 'create', definition: summarise });
    const r = await m.chainTool({ operation: 'run', chain_id: 'Summary', wait_seconds: 10 });
    expect(r.isError).toBeFalsy();
    expect(r.data.run.status).toBe('completed');
    expect(r.data.run.output).toEqual({ weather: { temp: 21, sky: 'sunny' }, summary: 'Sunny and 21 degrees.' });
    expect(asked).toHaveLength(1);
    expect(JSON.stringify(asked[0])).toContain('sunny');
  });

  it('fails the LLM step with how to configure a model when the client offers no sampling', async () => {
    m = await withSamplingEngine({});
    await m.chainTool({ operation: 'create', definition: summarise });
    const r = await m.chainTool({ operation: 'run', chain_id: 'Summary', wait_seconds: 10 });
    expect(r.data.run.status).toBe('failed');
    expect(r.text).toMatch(/OPENAI_API_KEY/);
  });
});

describe('chain_tool draft', () => {
  it('drafts a definition from words, validated, and saves nothing', async () => {
    fake = await startFakeOpenAi([
      {
        json: {
          definition: {
            name: 'Berlin weather',
            schedule: 'every weekday at 7am',
            steps: [
              { name: 'Get weather', tool: 'http', operation: 'request', parameters: { url: 'https://api.open-meteo.com/v1/forecast' }, output_key: 'weather' },
              { name: 'Tell me', tool: 'notify', operation: 'send', parameters: { message: '{weather.body}' } },
            ],
          },
          notes: ['Uses Open-Meteo for Berlin.'],
        },
      },
    ]);
    const llm = createOpenAiClient({ apiKey: 'sk-test', baseURL: fake.baseURL, model: 'fake-model', maxRetries: 0 });
    const tools = createBuiltinRegistry({ net: { allowPrivate: false, allowHosts: [] }, shellEnabled: false });
    m = await connectMcp({
      deps: (h) => {
        const drafter = createChainDrafter({
          llm: () => llm,
          tools,
          prompt: () => loadPrompt('chain-draft', PROMPTS_DIR),
          clock: h.clock,
          timeZone: 'UTC',
        });
        return { draftChain: (request, opts) => drafter(request, opts), hasConfiguredLlm: true };
      },
    });
    const r = await m.chainTool({ operation: 'draft', request: 'every weekday at 7 get the weather for Berlin and tell me' });
    expect(r.isError).toBeFalsy();
    expect(r.data.valid).toBe(true);
    expect(r.data.definition.name).toBe('Berlin weather');
    expect(r.data.notes).toEqual(['Uses Open-Meteo for Berlin.']);
    expect(r.text).toMatch(/NOT saved/);
    expect((await m.chainTool({ operation: 'list' })).data.chains).toEqual([]);
    expect(fake.requests).toHaveLength(1);
  });

  it('asks for the words when "request" is missing', async () => {
    m = await connectMcp();
    const r = await m.chainTool({ operation: 'draft' });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/needs "request"/);
  });
});
