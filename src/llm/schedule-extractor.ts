import type { LlmClient, Logger } from '../engine/ports.js';
import {
  type ScheduleDraft,
  ScheduleDraftSchema,
  type ScheduleExtractor,
  formatInstant,
  resolveZoneName,
} from '../schedule/index.js';
import { type Prompt, renderPrompt } from './prompts.js';
import { completeStructured } from './structured.js';

/** A loaded prompt, or a function that loads it on first use (start-up stays free of file reads). */
export type PromptSource = Prompt | (() => Promise<Prompt>);

export async function resolvePrompt(source: PromptSource): Promise<Prompt> {
  return typeof source === 'function' ? source() : source;
}

/**
 * Makes text safe to put between `<tag>` and `</tag>` in a prompt: the person's words cannot close
 * the block early and continue as instructions.
 */
export function quoteForTag(text: string, tag: string): string {
  return text.replace(new RegExp(`<(/?)(${tag})\\b`, 'gi'), '‹$1$2');
}

export interface ScheduleExtractorOptions {
  log?: Logger | undefined;
  /**
   * Per answer. Unset by default: reasoning models spend part of the budget before answering, and a
   * cut-off answer costs a repair round.
   */
  maxTokens?: number | undefined;
}

/**
 * The language-model fallback of `parseScheduleWithFallback`: asks the model to fill the typed
 * `ScheduleDraft` form (prompts/schedule-extract.md) as strict JSON, with one repair attempt. The
 * form holds no timestamps and no cron; the caller compiles it with the grammar's own compiler and
 * marks the result as understood by the model.
 *
 * Errors propagate (the caller then answers with the grammar's own result); they are logged here
 * first because the caller does not say why the fallback gave nothing.
 */
export function createScheduleExtractor(
  llm: LlmClient,
  prompt: PromptSource,
  opts: ScheduleExtractorOptions = {},
): ScheduleExtractor {
  return {
    async extract(text, ctx): Promise<ScheduleDraft> {
      const p = await resolvePrompt(prompt);
      const system = renderPrompt(p, {
        text: quoteForTag(text, 'words'),
        now: describeNow(ctx.now, ctx.timeZone),
        timezone: ctx.timeZone,
      });
      try {
        const res = await completeStructured(llm, {
          messages: [
            { role: 'system', content: system },
            {
              role: 'user',
              content: 'Fill in the schedule form for the words above. Reply with the JSON object only.',
            },
          ],
          schema: ScheduleDraftSchema,
          name: 'schedule_draft',
          ...(opts.maxTokens !== undefined ? { maxTokens: opts.maxTokens } : {}),
        });
        opts.log?.debug(
          { prompt: p.id, attempts: res.attempts, ...res.usage },
          'schedule extracted by the language model',
        );
        return res.value;
      } catch (err) {
        opts.log?.warn(
          {
            prompt: p.id,
            code: (err as { code?: unknown }).code,
            err: err instanceof Error ? err.message : String(err),
          },
          'the language model could not fill the schedule form',
        );
        throw err;
      }
    },
  };
}

/**
 * "2025-03-03T11:00:00+01:00 (Monday)": the local time with its offset and the weekday, since models
 * get weekday arithmetic wrong less often when told what today is.
 */
export function describeNow(now: Date, timeZone: string): string {
  const zone = resolveZoneName(timeZone) ?? 'UTC';
  const weekday = new Intl.DateTimeFormat('en-US', { weekday: 'long', timeZone: zone }).format(now);
  return `${formatInstant(now.getTime(), zone)} (${weekday})`;
}
