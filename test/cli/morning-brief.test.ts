import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/cli/app.js';
import { parseArgs } from '../../src/cli/args.js';
import { draftCommand } from '../../src/cli/commands/draft.js';
import { loadConfig } from '../../src/cli/config.js';
import type { Io } from '../../src/cli/io.js';
import { cli, tempDir } from '../support/cli.js';
import { type FakeOpenAi, type FakeScript, startFakeOpenAi } from '../support/fake-openai.js';

/** A weather-like JSON API on 127.0.0.1 that records what it was asked. */
async function startWeatherServer(): Promise<{
  base: string;
  requests: { url: string; idempotencyKey: string | undefined }[];
  close(): Promise<void>;
}> {
  const requests: { url: string; idempotencyKey: string | undefined }[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://weather.test');
    requests.push({
      url: `${url.pathname}${url.search}`,
      idempotencyKey: req.headers['idempotency-key'] as string | undefined,
    });
    const city = url.searchParams.get('city') ?? '?';
    const body =
      url.pathname === '/forecast'
        ? { city, temperature_c: 21, condition: 'sunny', wind_kph: 12 }
        : url.pathname === '/alerts'
          ? { city, alerts: ['UV index high after 11:00'] }
          : { error: 'not found' };
    res.writeHead(url.pathname === '/forecast' || url.pathname === '/alerts' ? 200 : 404, {
      'content-type': 'application/json',
    });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let tmp: ReturnType<typeof tempDir>;
let weather: Awaited<ReturnType<typeof startWeatherServer>>;
let fake: FakeOpenAi | undefined;
let env: Record<string, string>;

beforeEach(async () => {
  tmp = tempDir();
  weather = await startWeatherServer();
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  await weather.close();
  tmp.cleanup();
});

async function withLlm(script: FakeScript): Promise<FakeOpenAi> {
  fake = await startFakeOpenAi(script);
  env = {
    CHAINLOOM_DB: join(tmp.dir, 'c.db'),
    CHAINLOOM_TZ: 'Europe/Berlin',
    CHAINLOOM_HTTP_ALLOW_PRIVATE: '1',
    OPENAI_BASE_URL: fake.baseURL,
    OPENAI_API_KEY: 'test',
    CHAINLOOM_MODEL: 'fake-model',
  };
  return fake;
}

const REPORT =
  'Good morning! Berlin is sunny at 21 °C with a light wind. UV index high after 11:00: take sunscreen.';

describe("the seed's Morning Brief Generator, end to end against the scripted model", () => {
  it('fetches the weather over HTTP, the LLM step writes the report with one more tool call, and the run records it all', async () => {
    const llm = await withLlm([
      {
        toolCalls: [{ name: 'http__request', arguments: { url: `${weather.base}/alerts?city=Berlin` } }],
        usage: { promptTokens: 410, completionTokens: 25 },
      },
      { text: REPORT, usage: { promptTokens: 530, completionTokens: 40 } },
    ]);
    // The seed's JSON, with the weather tool made an HTTP call and a private variable the model must not see.
    const chain = {
      name: 'Morning Brief Generator',
      description: 'Creates a daily morning briefing',
      schedule: { frequency: 'daily', time: '05:00:00', timezone: 'America/New_York' },
      error_policy: 'continue',
      timeout: 1800,
      variables: { private_note: 'PRIVATE-NOTE-4711' },
      steps: [
        {
          name: 'Get Weather',
          tool: 'http',
          operation: 'request',
          parameters: { url: `${weather.base}/forecast`, query: { city: 'Berlin' } },
          output_key: 'weather',
        },
        {
          name: 'Generate Report',
          execution_mode: 'orchestrated',
          task_description: 'Create a weather summary. Check for weather alerts first.',
          parameters: { weather_data: '{weather.body}' },
          allowed_tools: ['http.request'],
          output_key: 'report',
        },
      ],
    };
    const file = join(tmp.dir, 'brief.json');
    writeFileSync(file, JSON.stringify(chain));
    expect((await cli(['chain', 'create', '-f', file], env)).code).toBe(0);

    const run = await cli(['chain', 'run', 'Morning Brief Generator', '--json'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const detail = run.json();
    expect(detail.status).toBe('completed');
    expect(detail.output.report).toBe(REPORT);
    expect(detail.output.weather.body).toEqual({
      city: 'Berlin',
      temperature_c: 21,
      condition: 'sunny',
      wind_kph: 12,
    });

    // The model was asked twice (tool call, then the answer), with the weather data and nothing else from the run.
    expect(llm.requests).toHaveLength(2);
    const first = llm.requests[0]!.body;
    expect(first.model).toBe('fake-model');
    expect(first.tools.map((t: { function: { name: string } }) => t.function.name)).toEqual([
      'http__request',
    ]);
    const task: string = first.messages[1].content;
    expect(task).toContain('Create a weather summary');
    expect(task).toContain('"weather_data": {');
    expect(task).toContain('"temperature_c": 21');
    expect(task).not.toContain('Context (outputs of earlier steps');
    expect(llm.requests.map((r) => r.rawBody).join('\n')).not.toContain('PRIVATE-NOTE-4711');
    expect(llm.requests[0]!.rawBody).not.toContain('content-type'); // the weather response's headers stayed out
    const toolResult = llm.requests[1]!.body.messages.at(-1);
    expect(toolResult.role).toBe('tool');
    expect(toolResult.content).toContain('UV index high after 11:00');

    // Both HTTP calls reached the weather server, each with its idempotency key.
    expect(weather.requests.map((r) => r.url)).toEqual(['/forecast?city=Berlin', '/alerts?city=Berlin']);
    expect(weather.requests[1]!.idempotencyKey).toBe(`${detail.id}:generate_report/call-1.0:0`);

    // History shows tokens, the transcript, the prompt version and the tool call as a child step.
    const history = await cli(['chain', 'history', detail.id, '--json'], env);
    const steps = history.json().steps as Array<Record<string, any>>;
    const report = steps.find((s) => s.stepKey === 'generate_report')!;
    expect(report.status).toBe('completed');
    expect(report.promptTokens).toBe(940);
    expect(report.completionTokens).toBe(65);
    expect(report.detail.promptVersion).toBe('orchestrated-step@1');
    expect(report.detail.toolCalls).toBe(1);
    const transcript = report.detail.transcript;
    expect(transcript.promptVersion).toBe('orchestrated-step@1');
    expect(transcript.offeredTools).toEqual(['http__request']);
    expect(transcript.messages.map((m: { role: string }) => m.role)).toEqual([
      'system',
      'user',
      'assistant',
      'tool',
      'assistant',
    ]);
    expect(transcript.messages.at(-1).content).toBe(REPORT);
    expect(transcript.toolCalls).toEqual([
      { round: 1, index: 0, name: 'http__request', qualifiedName: 'http.request', status: 'ok' },
    ]);
    const call = steps.find((s) => s.stepKey === 'generate_report/call-1.0')!;
    expect(call).toMatchObject({ status: 'completed', tool: 'http.request' });
    expect(call.output.body.alerts).toEqual(['UV index high after 11:00']);
  });
});

// ---------------------------------------------------------------------------------------------
// The same chain drafted from words: `chainloom chain draft "<words>" [--save] [--yes] [--json]`.

const WORDS = 'every weekday at 7, get the weather for Berlin, summarise it, notify me';

function draftAnswer(base: string) {
  return {
    definition: {
      name: 'Berlin morning brief',
      description: 'Every weekday at 7am: the Berlin weather, summarised, in the inbox.',
      schedule: 'every weekday at 7am',
      steps: [
        {
          name: 'Get weather',
          tool: 'http',
          operation: 'request',
          parameters: { url: `${base}/forecast`, query: { city: 'Berlin' } },
          output_key: 'weather',
        },
        {
          name: 'Summarise',
          execution_mode: 'orchestrated',
          task_description: 'Summarise the weather for Berlin in two sentences.',
          parameters: { weather_data: '{weather.body}' },
          output_key: 'summary',
        },
        {
          name: 'Notify me',
          tool: 'notify',
          operation: 'send',
          parameters: { title: 'Morning brief', message: '{summary}' },
        },
      ],
    },
    notes: ['The weather service URL is an assumption; check it.'],
  };
}

function memoryIo(stdinText = '', stdinIsTTY = false): Io & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const stdin = Readable.from([stdinText]) as Readable & { isTTY?: boolean };
  if (stdinIsTTY) stdin.isTTY = true;
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    stdin,
    stderrIsTTY: false,
    out: () => out,
    err: () => err,
  };
}

async function draft(argv: string[], io = memoryIo()): Promise<{ code: number; io: typeof io; app: App }> {
  const app = createApp(loadConfig({ HOME: tmpdir(), ...env }));
  try {
    return { code: await draftCommand(app, io, parseArgs(argv)), io, app };
  } finally {
    app.close();
  }
}

describe('chainloom chain draft: the morning brief from words', () => {
  it('--save drafts, validates, shows the schedule in words, saves with the schedule attached, and the chain runs', async () => {
    const llm = await withLlm([{ json: draftAnswer(weather.base) }, { text: REPORT }]);
    const { code, io } = await draft([WORDS, '--save']);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const out = io.out();
    expect(out).toContain(`Draft for: "${WORDS}"`);
    expect(out).toContain('"name": "Berlin morning brief"');
    expect(out).toContain('Schedule: "every weekday at 7am" → every weekday at 07:00 (Europe/Berlin)');
    expect(out).toContain('Validation: valid.');
    expect(out).toContain('  - The weather service URL is an assumption; check it.');
    expect(out).toContain('prompt chain-draft@2');
    expect(out).toMatch(
      /Saved chain "Berlin morning brief" \(\S+\), version 1\.\nScheduled every weekday at 07:00 \(Europe\/Berlin\); next runs /,
    );
    expect(llm.requests).toHaveLength(1);

    const schedules = (await cli(['schedule', 'list', '--json'], env)).json();
    expect(schedules).toEqual([
      expect.objectContaining({
        chainName: 'Berlin morning brief',
        description: 'every weekday at 07:00 (Europe/Berlin)',
        sourceText: 'every weekday at 7am',
      }),
    ]);

    const run = await cli(['chain', 'run', 'Berlin morning brief', '--json'], env);
    expect(run.json()).toMatchObject({ status: 'completed', output: { summary: REPORT } });
    expect(
      run.json().steps.map((s: { stepKey: string; status: string }) => `${s.stepKey}:${s.status}`),
    ).toEqual(['get_weather:completed', 'summarise:completed', 'notify_me:completed']);
  });

  it('without --save it shows the draft and saves nothing', async () => {
    await withLlm([{ json: draftAnswer(weather.base) }]);
    const { code, io } = await draft([WORDS]);
    expect(code).toBe(0);
    expect(io.out()).toContain('Not saved. Run again with --save');
    expect((await cli(['chain', 'list', '--json'], env)).json()).toEqual([]);
  });

  it('asks y/N on a terminal: "n" saves nothing, "y" saves', async () => {
    await withLlm([{ json: draftAnswer(weather.base) }, { json: draftAnswer(weather.base) }]);
    const no = await draft([WORDS], memoryIo('n\n', true));
    expect(no.io.err()).toBe('Save this chain? [y/N] ');
    expect(no.io.out()).toMatch(/\nNot saved\.\n$/);
    expect((await cli(['chain', 'list', '--json'], env)).json()).toEqual([]);

    const yes = await draft([WORDS, '--name', 'Brief from the terminal'], memoryIo('y\n', true));
    expect(yes.code).toBe(0);
    expect(yes.io.out()).toContain('Saved chain "Brief from the terminal"');
    expect((await cli(['chain', 'list', '--json'], env)).json().map((c: { name: string }) => c.name)).toEqual(
      ['Brief from the terminal'],
    );
  });

  it('never saves a draft that is still invalid after the repair round, even with --save --yes', async () => {
    const bad = {
      definition: {
        name: 'Brief',
        schedule: 'at the crack of dawn on workdays',
        steps: [{ name: 'Get', tool: 'weather_tool', operation: 'get_forecast' }],
      },
      notes: [],
    };
    // Drafting requests get the bad definition; the schedule-words fallback (the grammar cannot read
    // "the crack of dawn") is asked too, and gives up.
    const isExtract = (r: { body: any }) => JSON.stringify(r.body?.messages ?? '').includes('structured schedule form');
    const llm = await withLlm((req) => (isExtract(req) ? { status: 400, error: { message: 'no schedule here' } } : { json: bad }));
    const { code, io } = await draft([WORDS, '--save', '--yes']);
    expect(code).toBe(1);
    expect(io.out()).toContain('Validation: 2 problem(s):');
    expect(io.out()).toContain(
      'error   steps[0].tool: there is no tool operation "weather_tool.get_forecast"',
    );
    expect(io.out()).toContain('Schedule: "at the crack of dawn on workdays" could not be read');
    expect(io.out()).toContain('Not saved: the draft has 2 problem(s).');
    expect(llm.requests.filter((r) => !isExtract(r))).toHaveLength(2);
    expect(llm.requests.some(isExtract)).toBe(true);
    expect((await cli(['chain', 'list', '--json'], env)).json()).toEqual([]);
  });

  it('--json prints one machine-readable object', async () => {
    await withLlm([
      { json: draftAnswer(weather.base), usage: { promptTokens: 1000, completionTokens: 200 } },
    ]);
    const { code, io } = await draft([WORDS, '--json', '--yes']);
    expect(code).toBe(0);
    const res = JSON.parse(io.out());
    expect(res).toMatchObject({
      ok: true,
      saved: true,
      request: WORDS,
      definition: { name: 'Berlin morning brief' },
      validation: { ok: true, errors: [] },
      schedule: {
        text: 'every weekday at 7am',
        understood: { ok: true, description: 'every weekday at 07:00 (Europe/Berlin)' },
      },
      usage: { promptTokens: 1000, completionTokens: 200 },
      attempts: 1,
      model: 'fake-model',
      promptVersion: 'chain-draft@2',
      chain: { name: 'Berlin morning brief' },
      version: 1,
      schedules: [expect.objectContaining({ description: 'every weekday at 07:00 (Europe/Berlin)' })],
    });
  });

  it('without a model configured: llm_not_configured with how to set one up', async () => {
    env = { CHAINLOOM_DB: join(tmp.dir, 'c.db') };
    await expect(draft([WORDS])).rejects.toMatchObject({
      code: 'llm_not_configured',
      hint: expect.stringContaining('OPENAI_API_KEY'),
    });
  });
});
