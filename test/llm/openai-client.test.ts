import { afterEach, describe, expect, it } from 'vitest';
import {
  AppError,
  NonRetriableError,
  RetryAfterError,
  errorKind,
  isRetriable,
} from '../../src/domain/errors.js';
import type { LlmClient, Logger } from '../../src/engine/ports.js';
import {
  createOpenAiClient,
  isStrictCompatible,
  type OpenAiClientOptions,
} from '../../src/llm/openai-client.js';
import { startFakeOpenAi, type FakeOpenAi, type FakeScript } from '../support/fake-openai.js';

const API_KEY = 'sk-test-0123456789abcdef';

let fake: FakeOpenAi | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** A logger that keeps every line, to check what would be written. */
function recordingLogger(lines: string[] = []): Logger & { lines: string[] } {
  const at = (level: string) => (obj: object, msg?: string) =>
    void lines.push(JSON.stringify({ level, ...obj, msg }));
  const log: Logger & { lines: string[] } = {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (bindings) => {
      const child = recordingLogger(lines);
      const wrap = (level: 'debug' | 'info' | 'warn' | 'error') => (obj: object, msg?: string) =>
        child[level]({ ...bindings, ...obj }, msg);
      return { ...child, debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
    },
  };
  return log;
}

async function setup(
  script: FakeScript,
  opts: Partial<OpenAiClientOptions> = {},
): Promise<{ llm: LlmClient; fake: FakeOpenAi; waits: number[]; log: Logger & { lines: string[] } }> {
  fake = await startFakeOpenAi(script);
  const waits: number[] = [];
  const log = recordingLogger();
  const llm = createOpenAiClient({
    apiKey: API_KEY,
    baseURL: fake.baseURL,
    model: 'gpt-test',
    log,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...opts,
  });
  return { llm, fake, waits, log };
}

const hello = [{ role: 'user' as const, content: 'Say hello' }];

describe('createOpenAiClient', () => {
  it('completes a plain request and records token usage', async () => {
    const { llm, fake, log } = await setup([
      { text: 'Hello!', usage: { promptTokens: 12, completionTokens: 3 } },
    ]);
    const res = await llm.complete({
      messages: [{ role: 'system', content: 'Be brief.' }, ...hello],
      maxTokens: 50,
      temperature: 0,
    });
    expect(res).toEqual({
      content: 'Hello!',
      toolCalls: [],
      usage: { promptTokens: 12, completionTokens: 3 },
      model: 'gpt-test',
      finishReason: 'stop',
    });
    const req = fake.requests[0]!;
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.headers['authorization']).toBe(`Bearer ${API_KEY}`);
    expect(req.body).toEqual({
      model: 'gpt-test',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Say hello' },
      ],
      max_tokens: 50,
      temperature: 0,
    });
    expect(log.lines.some((l) => l.includes('"promptTokens":12') && l.includes('llm completion'))).toBe(true);
  });

  it('sends tools and tool history in OpenAI shapes and maps tool calls back', async () => {
    const { llm, fake } = await setup([
      { toolCalls: [{ id: 'call_9', name: 'weather__get', arguments: { city: 'Oslo' } }] },
    ]);
    const res = await llm.complete({
      messages: [
        ...hello,
        {
          role: 'assistant',
          content: null,
          toolCalls: [{ id: 'call_1', name: 'clock__now', arguments: '{}' }],
        },
        { role: 'tool', toolCallId: 'call_1', content: '"08:00"' },
      ],
      tools: [
        {
          name: 'weather__get',
          description: 'Weather now',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      ],
    });
    expect(res.toolCalls).toEqual([{ id: 'call_9', name: 'weather__get', arguments: '{"city":"Oslo"}' }]);
    expect(res.finishReason).toBe('tool_calls');
    const body = fake.requests[0]!.body;
    expect(body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'weather__get',
          description: 'Weather now',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ]);
    expect(body.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'clock__now', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '"08:00"' },
    ]);
    expect(body.response_format).toBeUndefined();
  });

  it('asks for structured output with response_format json_schema, strict only when the schema allows it', async () => {
    const closed = {
      type: 'object',
      properties: { a: { type: 'string' } },
      required: ['a'],
      additionalProperties: false,
    };
    const open = { type: 'object', properties: { a: { type: 'string' } } };
    const { llm, fake } = await setup([{ json: { a: 'x' } }, { json: { a: 'y' } }]);
    const first = await llm.complete({
      messages: hello,
      responseSchema: { name: 'my answer', schema: closed },
    });
    await llm.complete({ messages: hello, responseSchema: { name: 'answer', schema: open } });
    expect(first.content).toBe('{"a":"x"}');
    expect(fake.requests[0]!.body.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'my_answer', schema: closed, strict: true },
    });
    expect(fake.requests[1]!.body.response_format.json_schema.strict).toBe(false);
  });

  it('uses max_completion_tokens for OpenAI itself, max_tokens for compatible servers unless told', async () => {
    const { llm, fake } = await setup([{ text: 'a' }], { maxTokensField: 'max_completion_tokens' });
    await llm.complete({ messages: hello, maxTokens: 7 });
    expect(fake.requests[0]!.body.max_completion_tokens).toBe(7);
    expect(fake.requests[0]!.body.max_tokens).toBeUndefined();
  });

  it('retries a 429 after the Retry-After it was given, then succeeds', async () => {
    const { llm, fake, waits } = await setup([
      {
        status: 429,
        headers: { 'retry-after': '2' },
        error: { message: 'Rate limit reached', type: 'requests' },
      },
      { status: 429, headers: { 'retry-after-ms': '150' } },
      { text: 'ok' },
    ]);
    const res = await llm.complete({ messages: hello });
    expect(res.content).toBe('ok');
    expect(waits).toEqual([2000, 150]);
    expect(fake.requests).toHaveLength(3);
  });

  it('really waits a small Retry-After with the default sleep', async () => {
    const { llm, fake } = await setup([{ status: 429, headers: { 'retry-after': '0.02' } }, { text: 'ok' }], {
      sleep: undefined,
    });
    expect((await llm.complete({ messages: hello })).content).toBe('ok');
    expect(fake.requests).toHaveLength(2);
  });

  it('hands a long Retry-After to the engine as a RetryAfterError instead of waiting', async () => {
    const { llm, fake, waits } = await setup([{ status: 429, headers: { 'retry-after': '120' } }]);
    const err = await llm.complete({ messages: hello }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryAfterError);
    expect((err as RetryAfterError).retryAfterMs).toBe(120_000);
    expect(errorKind(err)).toBe('rate_limited');
    expect(waits).toEqual([]);
    expect(fake.requests).toHaveLength(1);
  });

  it('gives up on 429 after maxRetries with a RetryAfterError', async () => {
    const limited = { status: 429, headers: { 'retry-after': '1' } };
    const { llm, fake } = await setup([limited, limited], { maxRetries: 1 });
    const err = await llm.complete({ messages: hello }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryAfterError);
    expect(fake.requests).toHaveLength(2);
  });

  it('retries a 500 with backoff, then succeeds', async () => {
    const { llm, fake, waits } = await setup([{ status: 500 }, { status: 503 }, { text: 'fine' }]);
    expect((await llm.complete({ messages: hello })).content).toBe('fine');
    expect(fake.requests).toHaveLength(3);
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThan(300);
    expect(waits[0]).toBeLessThanOrEqual(500);
    expect(waits[1]).toBeGreaterThan(700);
    expect(waits[1]).toBeLessThanOrEqual(1000);
  });

  it('reports http_5xx after the retries run out, and retries in one layer only', async () => {
    const { llm, fake } = await setup([
      { status: 500 },
      { status: 500 },
      { status: 500 },
      { text: 'too late' },
    ]);
    const err = await llm.complete({ messages: hello }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('http_5xx');
    expect(isRetriable(err)).toBe(true);
    // maxRetries 2 → 3 attempts; the SDK's own retries would have made 9.
    expect(fake.requests).toHaveLength(3);
  });

  it('makes exactly one request with maxRetries 0', async () => {
    const { llm, fake } = await setup([{ status: 502 }, { text: 'x' }], { maxRetries: 0 });
    await expect(llm.complete({ messages: hello })).rejects.toMatchObject({ code: 'http_5xx' });
    expect(fake.requests).toHaveLength(1);
  });

  it('maps 401 to a non-retriable http_4xx with a hint, never echoing or logging the key', async () => {
    const { llm, fake, log } = await setup([
      {
        status: 401,
        error: {
          message: `Incorrect API key provided: ${API_KEY}.`,
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      },
    ]);
    const err = await llm.complete({ messages: hello }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonRetriableError);
    const appErr = err as NonRetriableError;
    expect(appErr.code).toBe('http_4xx');
    expect(appErr.hint).toContain('OPENAI_API_KEY');
    expect(appErr.message).toContain('401');
    expect(appErr.message).not.toContain(API_KEY);
    expect(isRetriable(err)).toBe(false);
    expect(fake.requests).toHaveLength(1);
    expect(log.lines.length).toBeGreaterThan(0);
    expect(log.lines.join('\n')).not.toContain(API_KEY);
  });

  it('maps 404 to http_4xx with a hint about the model name', async () => {
    const { llm } = await setup([
      { status: 404, error: { message: 'The model `nope` does not exist', type: 'invalid_request_error' } },
    ]);
    await expect(llm.complete({ messages: hello })).rejects.toMatchObject({
      code: 'http_4xx',
      hint: expect.stringContaining('CHAINLOOM_MODEL'),
    });
  });

  it('times out a slow answer with code "timeout" and does not retry it', async () => {
    const { llm, fake } = await setup([{ delayMs: 5_000, text: 'late' }], { timeoutMs: 100 });
    const err = await llm.complete({ messages: hello }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('timeout');
    expect(errorKind(err)).toBe('timeout');
    expect(fake.requests).toHaveLength(1);
  });

  it('reports "cancelled" when the caller aborts', async () => {
    const { llm } = await setup([{ delayMs: 5_000, text: 'late' }]);
    const controller = new AbortController();
    const pending = llm.complete({ messages: hello, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('reports "network" when the server cannot be reached, after retrying', async () => {
    const { llm, fake, waits } = await setup([]);
    await fake.close();
    const err = await llm.complete({ messages: hello }).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('network');
    expect((err as AppError).message).toContain('127.0.0.1');
    expect(waits).toHaveLength(2);
  });

  it('refuses to start without a key for OpenAI itself, but allows a keyless local server', () => {
    expect(() => createOpenAiClient({ apiKey: '', model: 'gpt-test' })).toThrow(
      expect.objectContaining({
        code: 'llm_not_configured',
        hint: expect.stringContaining('OPENAI_API_KEY'),
      }),
    );
    expect(createOpenAiClient({ apiKey: '', baseURL: 'http://127.0.0.1:1/v1', model: 'llama' }).name).toBe(
      'openai',
    );
  });
});

describe('isStrictCompatible', () => {
  it.each([
    [{ type: 'string' }, true],
    [
      { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false },
      true,
    ],
    [{ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, false],
    [
      {
        type: 'object',
        properties: { a: { type: 'string' }, b: { type: 'string' } },
        required: ['a'],
        additionalProperties: false,
      },
      false,
    ],
    [
      {
        type: 'array',
        items: {
          type: 'object',
          properties: { a: { type: 'object', properties: {} } },
          required: ['a'],
          additionalProperties: false,
        },
      },
      false,
    ],
  ])('%j → %s', (schema, expected) => {
    expect(isStrictCompatible(schema)).toBe(expected);
  });
});
