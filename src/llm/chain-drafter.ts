import { type ChainDraft, type DraftChainDeps, type DraftChainOptions, draftChain } from '../engine/draft.js';
import type { Clock, LlmClient } from '../engine/ports.js';
import type { Understood } from '../engine/schedule-ports.js';
import type { ToolRegistry } from '../engine/tools/registry.js';
import { renderPrompt } from './prompts.js';
import { type PromptSource, describeNow, quoteForTag, resolvePrompt } from './schedule-extractor.js';

/** Renders prompts/chain-draft.md for `draftChain`: the request quoted as data, now with its weekday. */
export function chainDraftPrompt(source: PromptSource): DraftChainDeps['prompt'] {
  return async (input) => {
    const p = await resolvePrompt(source);
    return {
      system: renderPrompt(p, {
        request: quoteForTag(input.request, 'request'),
        tools: input.tools,
        now: describeNow(input.now, input.timeZone),
        timezone: input.timeZone,
      }),
      version: p.id,
    };
  };
}

export interface ChainDrafterDeps {
  /** The configured model, if any; a caller may pass another per call (MCP sampling). */
  llm: () => LlmClient | undefined;
  tools: ToolRegistry;
  /** prompts/chain-draft.md, or a loader for it. */
  prompt: PromptSource;
  clock: Clock;
  timeZone: string;
  /** The scheduling services' `parse`, so the draft's schedule is read as it will be on save. */
  understand?: ((text: string, timeZone: string) => Promise<Understood>) | undefined;
}

export interface DraftCallOptions extends DraftChainOptions {
  /** Use this model instead of the configured one (e.g. the MCP client's, through sampling). */
  llm?: LlmClient | undefined;
  signal?: AbortSignal | undefined;
}

/** Drafts a chain from words without saving it; see `draftChain`. */
export type ChainDrafter = (request: string, opts?: DraftCallOptions) => Promise<ChainDraft>;

/** `draftChain` bound to the composition root's model, tools, prompt, clock and zone. */
export function createChainDrafter(deps: ChainDrafterDeps): ChainDrafter {
  const prompt = chainDraftPrompt(deps.prompt);
  return (request, opts = {}) =>
    draftChain(
      {
        llm: opts.llm ?? deps.llm(),
        tools: deps.tools,
        prompt,
        now: deps.clock.now(),
        // The configured zone: the one the save hook reads the schedule words in.
        timeZone: deps.timeZone,
        understand: deps.understand,
        signal: opts.signal,
      },
      request,
      { name: opts.name },
    );
}
