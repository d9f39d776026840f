import { describe, expect, it } from 'vitest';
import {
  LLM_ASSUMPTION,
  compileDraft,
  draftFromText,
  parseScheduleWithFallback,
  type ScheduleDraft,
  type ScheduleExtractor,
} from '../../src/schedule/index.js';

const NOW = new Date('2025-03-05T15:15:00Z');
const opts = { now: NOW, timeZone: 'America/New_York' };

/** A fake extractor: answers from a table and records what it was asked. */
function fakeExtractor(answers: Record<string, ScheduleDraft | Error>): ScheduleExtractor & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async extract(text) {
      calls.push(text);
      const a = answers[text];
      if (a === undefined) return {};
      if (a instanceof Error) throw a;
      return a;
    },
  };
}

describe('the grammar emits the same draft form an LLM fills', () => {
  it('draftFromText gives a typed draft', () => {
    expect(draftFromText('remind me every Monday at 8 to send the report')).toEqual({
      task: 'send the report',
      recurrences: [{ every: 'week', interval: 1, weekdays: [1], times: [{ hour: 8, minute: 0, am_pm_unsure: true }] }],
    });
    expect(draftFromText('in 20 minutes')).toEqual({ task: '', once: { offset: { minutes: 20 } } });
  });

  it('compileDraft turns a hand-written draft into the same result as the words', () => {
    const draft: ScheduleDraft = {
      task: 'send the report',
      recurrences: [{ every: 'week', interval: 1, weekdays: [1], times: [{ hour: 8, am_pm_unsure: true }] }],
    };
    const r = compileDraft(draft, opts);
    expect(r.ok && r.next[0]).toBe('2025-03-10T08:00:00-04:00');
  });

  it('compileDraft validates untrusted drafts', () => {
    expect(compileDraft({ recurrences: [{ every: 'hour', interval: -3 }] }, opts)).toMatchObject({ ok: false, code: 'invalid_schedule' });
    expect(compileDraft({ once: { date: { type: 'calendar', month: 2, day: 30 } } }, opts)).toMatchObject({ ok: false, code: 'invalid_schedule' });
    expect(compileDraft({ timezone: 'Nowhere/Land', once: { offset: { minutes: 5 } } }, opts)).toMatchObject({ ok: false, code: 'invalid_timezone' });
    expect(compileDraft({ needs_clarification: true, question: 'Which day?' }, opts)).toEqual({
      ok: false, code: 'needs_clarification', message: 'Which day?', question: 'Which day?',
    });
    expect(compileDraft({ reject_reason: 'that is not a date' }, opts)).toMatchObject({ ok: false, code: 'invalid_schedule' });
    expect(compileDraft({ once: { offset: { minutes: -5 } } }, opts)).toMatchObject({ ok: false, code: 'past_time' });
    expect(compileDraft({}, opts)).toMatchObject({ ok: false, code: 'no_schedule' });
    expect(compileDraft({ bogus: 1 } as unknown as ScheduleDraft, opts)).toMatchObject({ ok: false, code: 'invalid_schedule' });
  });
});

describe('parseScheduleWithFallback', () => {
  it('does not call the model when the grammar understood the text', async () => {
    const ex = fakeExtractor({});
    const r = await parseScheduleWithFallback('every day at 9am', opts, ex);
    expect(r.ok).toBe(true);
    expect(ex.calls).toEqual([]);
  });

  it('does not call the model for clarifications or rejections', async () => {
    const ex = fakeExtractor({});
    expect((await parseScheduleWithFallback('at 8', opts, ex)).ok).toBe(false);
    expect((await parseScheduleWithFallback('every 0 minutes', opts, ex)).ok).toBe(false);
    expect(ex.calls).toEqual([]);
  });

  it('asks the model when the grammar finds no schedule, and says so', async () => {
    const ex = fakeExtractor({
      'water the plants on the morrow when the sun is up': {
        task: 'water the plants',
        once: { date: { type: 'relative', days: 1 }, time_of_day: 'morning' },
      },
    });
    const r = await parseScheduleWithFallback('water the plants on the morrow when the sun is up', opts, ex);
    expect(r).toMatchObject({ ok: true, kind: 'once', task: 'water the plants', next: ['2025-03-06T09:00:00-05:00'] });
    expect(r.ok && r.assumptions[0]).toBe(LLM_ASSUMPTION);
    expect(ex.calls).toHaveLength(1);
  });

  it('keeps the grammar answer when the model fails or returns garbage', async () => {
    const ex = fakeExtractor({ 'buy milk': new Error('model down'), 'buy eggs': { bogus: true } as unknown as ScheduleDraft });
    expect(await parseScheduleWithFallback('buy milk', opts, ex)).toMatchObject({ ok: false, code: 'no_schedule' });
    expect(await parseScheduleWithFallback('buy eggs', opts, ex)).toMatchObject({ ok: false, code: 'no_schedule' });
    expect(await parseScheduleWithFallback('buy bread', opts)).toMatchObject({ ok: false, code: 'no_schedule' });
  });

  it("validates the model's draft like any other (it cannot smuggle a past time)", async () => {
    const ex = fakeExtractor({ 'the thing from before': { once: { date: { type: 'relative', days: -1 } } } });
    expect(await parseScheduleWithFallback('the thing from before', opts, ex)).toMatchObject({ ok: false, code: 'past_time' });
  });
});
