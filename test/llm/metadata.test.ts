import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { extractReminderMetadata, fallbackMetadata, shortTitle } from '../../src/llm/metadata.js';
import { createOpenAiClient } from '../../src/llm/openai-client.js';
import { loadPrompt } from '../../src/llm/prompts.js';
import { type FakeOpenAi, type FakeScript, startFakeOpenAi } from '../support/fake-openai.js';

const PROMPTS_DIR = fileURLToPath(new URL('../../prompts', import.meta.url));
const prompt = () => loadPrompt('reminder-metadata', PROMPTS_DIR);
const ctx = { now: new Date('2025-03-03T10:00:00Z'), timeZone: 'Europe/Berlin' };

let fake: FakeOpenAi | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function llmFor(script: FakeScript) {
  fake = await startFakeOpenAi(script);
  return {
    llm: createOpenAiClient({
      apiKey: 'sk-test-metadata',
      baseURL: fake.baseURL,
      model: 'fake-model',
      maxRetries: 0,
    }),
    fake,
  };
}

const TEXT = 'remind me every Monday at 8 to pay the invoice, it is due by Friday and really urgent';

describe('extractReminderMetadata with a model', () => {
  it('asks for the metadata as structured output and tidies the answer', async () => {
    const { llm, fake } = await llmFor([
      {
        json: {
          task: 'pay the invoice',
          title: 'Pay the invoice before the deadline on Friday so that the supplier keeps delivering',
          priority: 'high',
          tags: ['Finance', '#work', 'finance', 'bills', 'admin'],
          due_date: '2025-03-07',
        },
      },
    ]);
    const m = await extractReminderMetadata(llm, prompt, TEXT, ctx);
    expect(m).toEqual({
      task: 'pay the invoice',
      title: 'Pay the invoice before the deadline on Friday so that the…',
      priority: 'high',
      tags: ['finance', 'work', 'bills'],
      due_date: '2025-03-07',
      source: 'llm',
    });
    expect(m.title.length).toBeLessThanOrEqual(60);

    const body = fake.requests[0]!.body;
    expect(body.response_format.json_schema.name).toBe('reminder_metadata');
    expect(Object.keys(body.response_format.json_schema.schema.properties).sort()).toEqual([
      'due_date',
      'priority',
      'tags',
      'task',
      'title',
    ]);
    expect(body.messages[0].content).toContain(`<words>\n${TEXT}\n</words>`);
    // "by Friday" needs today's date, which only the user message carries.
    expect(body.messages[1].content).toContain('Today is 2025-03-03T11:00:00+01:00 (Monday)');
  });

  it('repairs an impossible due date once', async () => {
    const answer = { task: 'file the taxes', title: 'File the taxes', priority: 'normal', tags: [] };
    const { llm, fake } = await llmFor([
      { json: { ...answer, due_date: '2025-02-30' } },
      { json: { ...answer, due_date: '2025-02-28' } },
    ]);
    const m = await extractReminderMetadata(
      llm,
      prompt,
      'remind me tomorrow to file the taxes, due end of February',
      ctx,
    );
    expect(m).toMatchObject({ due_date: '2025-02-28', source: 'llm' });
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]!.body.messages.at(-1).content).toContain('not a calendar date');
  });

  it('leaves due_date out when there is none, and keeps an empty task from the model out', async () => {
    const { llm } = await llmFor([
      { json: { task: '', title: 'Stretch', priority: 'low', tags: ['health'] } },
    ]);
    const m = await extractReminderMetadata(llm, prompt, 'remind me every hour to stretch, no rush', ctx);
    expect(m).toEqual({
      task: 'stretch, no rush',
      title: 'Stretch',
      priority: 'low',
      tags: ['health'],
      source: 'llm',
    });
    expect('due_date' in m).toBe(false);
  });

  it('falls back when the model keeps answering outside the form, or fails', async () => {
    const { llm } = await llmFor([{ json: { priority: 'urgent' } }, { json: { priority: 'urgent!' } }]);
    expect(await extractReminderMetadata(llm, prompt, TEXT, ctx)).toMatchObject({
      source: 'fallback',
      priority: 'normal',
    });
    await fake!.close();
    const down = await llmFor([{ status: 400, error: { message: 'model not found' } }]);
    expect(await extractReminderMetadata(down.llm, prompt, TEXT, ctx)).toMatchObject({
      source: 'fallback',
      task: 'pay the invoice, it is due by Friday and really urgent',
    });
  });
});

describe('the deterministic fallback (no model configured)', () => {
  it('takes the task from the grammar, cuts a title from it, normal priority, no tags', async () => {
    const text =
      'remind me every Monday at 8 to send the weekly report with all the sales figures to the whole team';
    const m = await extractReminderMetadata(undefined, prompt, text, ctx);
    expect(m).toEqual({
      task: 'send the weekly report with all the sales figures to the whole team',
      title: 'Send the weekly report with all the sales figures to the…',
      priority: 'normal',
      tags: [],
      source: 'fallback',
    });
  });

  it.each([
    ['remind me to water the plants', 'water the plants', 'Water the plants'],
    ['Please remind me about the dentist.', 'the dentist.', 'The dentist'],
    ['every Monday at 8', '', 'Reminder'],
    ['tomorrow at 9am call mum', 'call mum', 'Call mum'],
  ])('%s → task %j, title %j', (text, task, title) => {
    expect(fallbackMetadata(text)).toMatchObject({ task, title });
  });

  it('cuts long titles at a word, and long words anywhere', () => {
    expect(shortTitle('a'.repeat(80))).toBe(`A${'a'.repeat(58)}…`);
    expect(shortTitle('  send   it.  ')).toBe('Send it');
  });
});
