import { z } from 'zod';
import type { LlmClient, Logger } from '../engine/ports.js';
import { draftFromText } from '../schedule/index.js';
import { type PromptSource, describeNow, quoteForTag, resolvePrompt } from './schedule-extractor.js';
import { renderPrompt } from './prompts.js';
import { completeStructured } from './structured.js';

export const TITLE_MAX_CHARS = 60;
export const MAX_TAGS = 3;

const isCalendarDate = (s: string): boolean => {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
};

/**
 * What the model is asked for. Deliberately a little looser than the result (longer titles, more
 * tags): those are trimmed here instead of costing a repair round.
 */
export const ReminderMetadataAnswerSchema = z
  .object({
    task: z.string().max(2000),
    title: z.string().trim().min(1).max(300),
    priority: z.enum(['low', 'normal', 'high']),
    tags: z.array(z.string().max(50)).max(10),
    due_date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD')
      .refine(isCalendarDate, 'not a calendar date')
      .optional(),
  })
  .strict();

export interface ReminderMetadata {
  /** What to do or be reminded of, without the timing words. */
  task: string;
  /** At most {@link TITLE_MAX_CHARS} characters. */
  title: string;
  priority: 'low' | 'normal' | 'high';
  /** Lower-case single words, at most {@link MAX_TAGS}. */
  tags: string[];
  /** A deadline the words name for the task itself (not when the reminder fires). */
  due_date?: string;
  /** `llm` when the model answered; `fallback` when none is configured or it failed. */
  source: 'llm' | 'fallback';
}

export interface MetadataContext {
  /** Today, for deadlines like "by Friday". Without it the model is not told the date. */
  now?: Date | undefined;
  timeZone?: string | undefined;
  log?: Logger | undefined;
}

/**
 * Task, title, priority, tags and due date for a reminder or a chain created from words
 * (prompts/reminder-metadata.md), as structured output with one repair attempt.
 *
 * Never fails for want of a model: without one, or when the model's answer is unusable, the result
 * is the deterministic fallback (the grammar's task, a title cut from it, normal priority, no tags),
 * since metadata must not stand between a person and their reminder.
 */
export async function extractReminderMetadata(
  llm: LlmClient | undefined,
  prompt: PromptSource,
  text: string,
  ctx: MetadataContext = {},
): Promise<ReminderMetadata> {
  if (llm === undefined) return fallbackMetadata(text);
  try {
    const p = await resolvePrompt(prompt);
    const today =
      ctx.now === undefined
        ? 'Today\'s date is not known: leave "due_date" out unless the words give a full date.'
        : `Today is ${describeNow(ctx.now, ctx.timeZone ?? 'UTC')}, in ${ctx.timeZone ?? 'UTC'}.`;
    const res = await completeStructured(llm, {
      messages: [
        { role: 'system', content: renderPrompt(p, { text: quoteForTag(text, 'words') }) },
        { role: 'user', content: `${today}\nReply with the JSON object only.` },
      ],
      schema: ReminderMetadataAnswerSchema,
      name: 'reminder_metadata',
    });
    const v = res.value;
    const task = v.task.trim() === '' ? fallbackTask(text) : v.task.trim();
    return {
      task,
      title: shortTitle(v.title),
      priority: v.priority,
      tags: normalizeTags(v.tags),
      ...(v.due_date !== undefined ? { due_date: v.due_date } : {}),
      source: 'llm',
    };
  } catch (err) {
    ctx.log?.warn(
      { code: (err as { code?: unknown }).code, err: err instanceof Error ? err.message : String(err) },
      'reminder metadata: the language model gave no usable answer; using the fallback',
    );
    return fallbackMetadata(text);
  }
}

/** Without a model: the grammar's task, a title cut from it, normal priority, no tags, no due date. */
export function fallbackMetadata(text: string): ReminderMetadata {
  const task = fallbackTask(text);
  return { task, title: shortTitle(task), priority: 'normal', tags: [], source: 'fallback' };
}

const REMIND_ME = /^\s*(?:please\s+)?remind\s+me\s+(?:to|about|that|of)?\s*/i;

/** The task as the grammar reads it; the whole text (minus "remind me to") when it found no timing. */
function fallbackTask(text: string): string {
  const draft = draftFromText(text);
  if (draft !== null && draft.task !== undefined) return draft.task.trim();
  return text.replace(REMIND_ME, '').trim();
}

/** "send the weekly report to the whole team…" → "Send the weekly report to the whole team…", ≤ 60 chars. */
export function shortTitle(text: string): string {
  const clean = text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.!]+$/, '');
  if (clean === '') return 'Reminder';
  const capped = clean.charAt(0).toUpperCase() + clean.slice(1);
  if (capped.length <= TITLE_MAX_CHARS) return capped;
  const cut = capped.slice(0, TITLE_MAX_CHARS - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space >= TITLE_MAX_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

function normalizeTags(tags: string[]): string[] {
  const out = new Set<string>();
  for (const t of tags) {
    const tag = t
      .trim()
      .toLowerCase()
      .replace(/^#/, '')
      .replace(/[^\p{L}\p{N}_-]+/gu, '-')
      .replace(/^-+|-+$/g, '');
    if (tag !== '') out.add(tag);
  }
  return [...out].slice(0, MAX_TAGS);
}
