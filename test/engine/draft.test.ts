import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type DraftChainDeps, draftChain, toolCatalogue } from '../../src/engine/draft.js';
import { createBuiltinRegistry } from '../../src/engine/tools/builtins.js';
import { chainDraftPrompt } from '../../src/llm/chain-drafter.js';
import { createOpenAiClient } from '../../src/llm/openai-client.js';
import { loadPrompt } from '../../src/llm/prompts.js';
import { parseScheduleWithFallback } from '../../src/schedule/index.js';
import { type FakeOpenAi, type FakeScript, startFakeOpenAi } from '../support/fake-openai.js';

const PROMPTS_DIR = fileURLToPath(new URL('../../prompts', import.meta.url));
const NOW = new Date('2025-03-03T10:00:00Z');
const REQUEST = 'every weekday at 7, get the weather for Berlin, summarise it, notify me';

let fake: FakeOpenAi | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function depsFor(script: FakeScript, over: Partial<DraftChainDeps> = {}): Promise<DraftChainDeps> {
  fake = await startFakeOpenAi(script);
  return {
    llm: createOpenAiClient({
      apiKey: 'sk-test-draft',
      baseURL: fake.baseURL,
      model: 'fake-model',
      maxRetries: 0,
    }),
    tools: createBuiltinRegistry({ net: { allowPrivate: false, allowHosts: [] }, shellEnabled: false }),
    prompt: chainDraftPrompt(() => loadPrompt('chain-draft', PROMPTS_DIR)),
    now: NOW,
    timeZone: 'Europe/Berlin',
    understand: (text, timeZone) => parseScheduleWithFallback(text, { now: NOW, timeZone }),
    ...over,
  };
}

const GOOD = {
  definition: {
    name: 'Berlin morning weather',
    description: 'Every weekday at 7am: fetch the Berlin weather, summarise it and send it to the inbox.',
    schedule: 'every weekday at 7am',
    steps: [
      {
        name: 'Get weather',
        tool: 'http',
        operation: 'request',
        parameters: {
          url: 'https://api.open-meteo.com/v1/forecast',
          query: { latitude: 52.52, longitude: 13.41, current: 'temperature_2m,weather_code' },
        },
        output_key: 'weather',
      },
      {
        name: 'Summarise',
        execution_mode: 'orchestrated',
        task_description: 'Summarise the weather in Berlin in two sentences.',
        parameters: { weather_data: '{weather.body}' },
        output_key: 'summary',
      },
      {
        name: 'Notify me',
        tool: 'notify',
        operation: 'send',
        parameters: { title: 'Berlin weather', message: '{summary}' },
      },
    ],
  },
  notes: ['Berlin is taken as latitude 52.52, longitude 13.41.'],
};

/** The seed's shape, with an invented tool, a dangling reference and schedule words the grammar cannot read. */
const BAD = {
  definition: {
    name: 'Morning Brief Generator',
    schedule: 'at the crack of dawn on workdays',
    steps: [
      {
        name: 'Get Weather',
        tool: 'weather_tool',
        operation: 'get_forecast',
        parameters: { location: 'Berlin' },
        output_key: 'weather',
      },
      {
        name: 'Generate Report',
        execution_mode: 'orchestrated',
        task_description: 'Create a weather summary',
        parameters: { weather_data: '{forecast}' },
      },
    ],
  },
  notes: [],
};

describe('draftChain', () => {
  it('drafts from words with the tool catalogue, validates, and reads the schedule as saving will', async () => {
    const deps = await depsFor([{ json: GOOD, usage: { promptTokens: 900, completionTokens: 300 } }]);
    const d = await draftChain(deps, REQUEST);
    expect(d.report.ok).toBe(true);
    expect(d.report.errors).toEqual([]);
    expect(d.definition).toEqual(GOOD.definition);
    expect(d.notes).toEqual(GOOD.notes);
    expect(d).toMatchObject({
      request: REQUEST,
      attempts: 1,
      promptVersion: 'chain-draft@2',
      model: 'fake-model',
      usage: { promptTokens: 900, completionTokens: 300 },
    });
    expect(d.schedule).toMatchObject({
      text: 'every weekday at 7am',
      understood: {
        ok: true,
        description: 'every weekday at 07:00 (Europe/Berlin)',
        next: expect.arrayContaining(['2025-03-04T07:00:00+01:00']),
      },
    });

    expect(fake!.requests).toHaveLength(1);
    const body = fake!.requests[0]!.body;
    expect(body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'chain_draft', strict: false },
    });
    const system: string = body.messages[0].content;
    // The catalogue: every operation, with what it does and its parameters' JSON Schema.
    expect(system).toContain(toolCatalogue(deps.tools));
    expect(system).toMatch(
      /- http\.request: HTTP requests to web APIs\..*\n {2}parameters: \{"type":"object","properties":\{"url":/,
    );
    expect(system).toContain('- notify.send:');
    expect(system).not.toContain('shell.exec');
    expect(system).toContain(`<request>\n${REQUEST}\n</request>`);
    expect(system).toContain('2025-03-03T11:00:00+01:00 (Monday)');
    expect(body.messages[1]).toMatchObject({ role: 'user' });
  });

  it('sends every problem back once and returns the repaired draft (multi-turn)', async () => {
    const deps = await depsFor([
      { json: BAD, usage: { promptTokens: 800, completionTokens: 200 } },
      { json: GOOD, usage: { promptTokens: 1200, completionTokens: 310 } },
    ]);
    const d = await draftChain(deps, REQUEST);
    expect(d.report.ok).toBe(true);
    expect(d.definition).toEqual(GOOD.definition);
    expect(d.attempts).toBe(2);
    expect(d.usage).toEqual({ promptTokens: 2000, completionTokens: 510 });

    const second = fake!.requests[1]!.body.messages;
    expect(second.map((m: { role: string }) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(JSON.parse(second[2].content)).toEqual(BAD);
    const repair: string = second[3].content;
    expect(repair).toContain('steps[0].tool: there is no tool operation "weather_tool.get_forecast"');
    expect(repair).toContain('references "forecast", which no step produces');
    expect(repair).toContain('schedule: "at the crack of dawn on workdays" cannot be read as a schedule');
    expect(repair).toContain('Use only the tools listed above');
  });

  it('a draft still wrong after the repair comes back with its problems, never as valid', async () => {
    const deps = await depsFor([{ json: BAD }, { json: BAD }]);
    const d = await draftChain(deps, REQUEST);
    expect(d.report.ok).toBe(false);
    expect(d.report.definition).toBeUndefined();
    expect(d.report.errors.map((p) => p.path)).toEqual(['steps[1].parameters', 'steps[0].tool', 'schedule']);
    // The unknown tool is an error here, so its "runs will fail" warning is not listed twice.
    expect(d.report.warnings).toEqual([]);
    expect(d.schedule?.understood).toMatchObject({ ok: false, code: 'no_schedule' });
    expect(fake!.requests).toHaveLength(2);
  });

  it('checks tool parameters and the tools an LLM step may call', async () => {
    const wrong = {
      definition: {
        name: 'Weather',
        steps: [
          { name: 'Get', tool: 'http.request', parameters: { city: 'Berlin' }, output_key: 'w' },
          {
            name: 'Sum',
            execution_mode: 'orchestrated',
            task_description: 'Summarise {w}',
            allowed_tools: ['weather.lookup'],
          },
        ],
      },
      notes: [],
    };
    const deps = await depsFor([{ json: wrong }, { json: wrong }]);
    const d = await draftChain(deps, 'get the weather for Berlin and summarise it');
    expect(d.report.errors).toEqual([
      expect.objectContaining({ path: 'steps[0].parameters.url', message: 'http.request needs "url"' }),
      expect.objectContaining({
        path: 'steps[0].parameters.city',
        message: expect.stringContaining('http.request has no parameter "city"'),
      }),
      expect.objectContaining({
        path: 'steps[1].allowed_tools[0]',
        message: expect.stringContaining('unknown tool "weather.lookup"'),
      }),
    ]);
    expect(d.schedule).toBeUndefined();
  });

  it('repairs an answer that is not JSON; a second one is an error', async () => {
    let deps = await depsFor([{ text: 'Here is your chain: three steps.' }, { json: GOOD }]);
    expect((await draftChain(deps, REQUEST)).report.ok).toBe(true);
    expect(fake!.requests[1]!.body.messages.at(-1).content).toContain('not valid JSON');
    await fake!.close();

    deps = await depsFor([{ text: 'three steps' }, { json: { steps: 'many' } }]);
    await expect(draftChain(deps, REQUEST)).rejects.toMatchObject({ code: 'invalid_llm_output' });
  });

  it("accepts a bare, fenced definition; a requested name replaces the model's", async () => {
    const deps = await depsFor([{ text: `\`\`\`json\n${JSON.stringify(GOOD.definition)}\n\`\`\`` }]);
    const d = await draftChain(deps, REQUEST, { name: 'My brief' });
    expect(d.report.ok).toBe(true);
    expect(d.definition).toMatchObject({ name: 'My brief', schedule: 'every weekday at 7am' });
    expect(d.notes).toEqual([]);
  });

  it('without a model it fails with llm_not_configured and says how to configure one; nothing is sent', async () => {
    const deps = await depsFor([], { llm: undefined });
    await expect(draftChain(deps, REQUEST)).rejects.toMatchObject({
      code: 'llm_not_configured',
      hint: expect.stringContaining('OPENAI_BASE_URL'),
    });
    await expect(draftChain(await depsFor([]), '   ')).rejects.toMatchObject({ code: 'bad_request' });
    expect(fake!.requests).toHaveLength(0);
  });
});
