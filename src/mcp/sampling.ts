import { CreateMessageResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { LlmClient } from '../engine/ports.js';
import { createSamplingClient } from '../llm/sampling-client.js';
import type { CallContext } from './context.js';

/**
 * The chat client's own model through MCP sampling, for LLM steps started from a tool call when no
 * API model is configured. Only while this request is open: once the tool call has answered (the
 * run goes on in the background), requests fail with a hint instead of reaching a closed request.
 */
export function samplingFor(ctx: CallContext): { llm: LlmClient; close(): void } | undefined {
  if (ctx.deps.hasConfiguredLlm === true) return undefined;
  const caps = ctx.deps.clientCapabilities?.();
  if (caps?.sampling === undefined) return undefined;
  let open = true;
  const llm = createSamplingClient(
    async (params, options) => {
      if (!open) {
        throw new Error(
          'the chat request that started this run has ended, so its model cannot be asked; set OPENAI_API_KEY (or OPENAI_BASE_URL) for runs that outlive the chat',
        );
      }
      return ctx.extra.sendRequest({ method: 'sampling/createMessage', params }, CreateMessageResultSchema, {
        signal: options.signal,
      });
    },
    { supportsTools: (caps.sampling as { tools?: unknown }).tools !== undefined },
  );
  return { llm, close: () => void (open = false) };
}
