import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../src/domain/errors.js';
import { createOpenAiClient } from '../../src/llm/openai-client.js';
import { completeStructured, parseJsonAnswer } from '../../src/llm/structured.js';
import { startFakeOpenAi, type FakeOpenAi, type FakeScript } from '../support/fake-openai.js';

const Reminder = z.object({
  title: z.string().min(1),
  tags: z.array(z.string()).max(3),
});

let fake: FakeOpenAi | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function llmFor(script: FakeScript) {
  fake = await startFakeOpenAi(script);
  return {
    llm: createOpenAiClient({ apiKey: 'sk-test-structured', baseURL: fake.baseURL, model: 'gpt-test' }),
    fake,
  };
}

const messages = [{ role: 'user' as const, content: 'Remind me to send the report' }];

describe('completeStructured', () => {
  it('returns a valid answer on the first try and sends the derived JSON Schema', async () => {
    const { llm, fake } = await llmFor([
      {
        json: { title: 'Send the report', tags: ['work'] },
        usage: { promptTokens: 20, completionTokens: 8 },
      },
    ]);
    const res = await completeStructured(llm, { messages, schema: Reminder, name: 'reminder_metadata' });
    expect(res.value).toEqual({ title: 'Send the report', tags: ['work'] });
    expect(res.attempts).toBe(1);
    expect(res.usage).toEqual({ promptTokens: 20, completionTokens: 8 });
    const format = fake.requests[0]!.body.response_format;
    expect(format.type).toBe('json_schema');
    expect(format.json_schema.name).toBe('reminder_metadata');
    expect(format.json_schema.schema).toMatchObject({
      type: 'object',
      properties: { title: { type: 'string', minLength: 1 }, tags: { type: 'array', maxItems: 3 } },
      required: ['title', 'tags'],
    });
    expect(format.json_schema.schema.$schema).toBeUndefined();
  });

  it('accepts JSON wrapped in a code fence', async () => {
    const { llm } = await llmFor([{ text: '```json\n{"title":"x","tags":[]}\n```' }]);
    const res = await completeStructured(llm, { messages, schema: Reminder, name: 'r' });
    expect(res.value).toEqual({ title: 'x', tags: [] });
  });

  it('repairs an invalid answer once, showing the model what was wrong', async () => {
    const { llm, fake } = await llmFor([
      { text: '{"title": "", "tags": ["a","b","c","d"]}', usage: { promptTokens: 10, completionTokens: 5 } },
      { json: { title: 'Send the report', tags: [] }, usage: { promptTokens: 30, completionTokens: 6 } },
    ]);
    const res = await completeStructured(llm, { messages, schema: Reminder, name: 'r' });
    expect(res.value).toEqual({ title: 'Send the report', tags: [] });
    expect(res.attempts).toBe(2);
    expect(res.usage).toEqual({ promptTokens: 40, completionTokens: 11 });
    const repair = fake.requests[1]!.body.messages;
    expect(repair).toHaveLength(3);
    expect(repair[1]).toEqual({ role: 'assistant', content: '{"title": "", "tags": ["a","b","c","d"]}' });
    expect(repair[2].role).toBe('user');
    expect(repair[2].content).toContain('title');
    expect(repair[2].content).toContain('tags');
  });

  it('repairs text that is not JSON at all', async () => {
    const { llm, fake } = await llmFor([
      { text: 'Sure! The title is "Send".' },
      { json: { title: 'Send', tags: [] } },
    ]);
    const res = await completeStructured(llm, { messages, schema: Reminder, name: 'r' });
    expect(res.value.title).toBe('Send');
    expect(fake.requests[1]!.body.messages[2].content).toContain('not valid JSON');
  });

  it('fails with invalid_llm_output after one repair attempt', async () => {
    const { llm, fake } = await llmFor([
      { text: 'nope' },
      { json: { title: 42 } },
      { json: { title: 'never asked', tags: [] } },
    ]);
    const err = await completeStructured(llm, {
      messages,
      schema: Reminder,
      name: 'reminder_metadata',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('invalid_llm_output');
    expect((err as AppError).message).toContain('reminder_metadata');
    expect((err as AppError).message).toContain('title');
    expect(fake.requests).toHaveLength(2);
  });
});

describe('parseJsonAnswer', () => {
  it.each([
    ['{"a":1}', { ok: true, value: { a: 1 } }],
    ['  [1,2]  ', { ok: true, value: [1, 2] }],
    ['```\n"x"\n```', { ok: true, value: 'x' }],
  ])('%j parses', (text, expected) => {
    expect(parseJsonAnswer(text)).toEqual(expected);
  });
  it.each([[null], [''], ['{a:1}']])('%j is rejected with a reason', (text) => {
    const r = parseJsonAnswer(text);
    expect(r.ok).toBe(false);
  });
});
