import type { LlmClient } from './ports.js';
import { AppError } from '../domain/errors.js';
import { runOrchestratedStep } from './orchestrate.js';
import type { OrchestratedRunner } from './step-runner.js';
import type { ToolRegistry } from './tools/registry.js';

export interface OrchestratedRunnerDeps {
  /** The model for this moment (an API client, or MCP sampling while a request is open). */
  llm: () => LlmClient | undefined;
  tools: ToolRegistry;
  /** Renders the system prompt from prompts/orchestrated-step.md. */
  systemPrompt: (vars: { chain_name: string; step_name: string; now: string; timezone: string }) => Promise<{ system: string; version: string }>;
  timeZone: string;
}

/** Connects LLM steps to the executor: context selection, prompt, recorded transcript and usage. */
export function createOrchestratedRunner(deps: OrchestratedRunnerDeps): OrchestratedRunner {
  return async (step, params, ctx, toolCtx, callTool) => {
    const chain = ctx['chain'] as { name?: string } | undefined;
    // Only what the step selects reaches the model: context_keys, never the whole context by default.
    const context: Record<string, unknown> = {};
    for (const k of step.def.context_keys ?? []) if (k in ctx) context[k] = ctx[k];
    const prompt = await deps.systemPrompt({
      chain_name: chain?.name ?? '',
      step_name: step.def.name,
      now: toolCtx.clock.now().toISOString(),
      timezone: deps.timeZone,
    });
    try {
      const r = await runOrchestratedStep({
        step: step.def,
        stepKey: step.key,
        parameters: params,
        context,
        llm: deps.llm(),
        tools: deps.tools,
        prompt,
        callTool,
        signal: toolCtx.signal,
      });
      return {
        output: r.output,
        promptTokens: r.usage.promptTokens,
        completionTokens: r.usage.completionTokens,
        detail: { transcript: r.transcript, promptVersion: r.promptVersion, toolCalls: r.toolCalls },
      };
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('llm_step_failed', `LLM step "${step.key}" failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  };
}
