import {
  ErrorCode,
  McpError,
  type CreateMessageRequestParams,
  type CreateMessageResult,
  type CreateMessageResultWithTools,
  type SamplingMessage,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { AppError, NonRetriableError } from '../domain/errors.js';
import type { LlmClient, LlmMessage, LlmRequest, LlmResponse, LlmToolCall } from '../engine/ports.js';

/** Sends one `sampling/createMessage` request; usually `(p, o) => server.server.createMessage(p, o)`. */
export type CreateMessageFn = (
  params: CreateMessageRequestParams,
  options: { signal?: AbortSignal },
) => Promise<CreateMessageResult | CreateMessageResultWithTools>;

export interface SamplingClientOptions {
  /**
   * True when the client declared `capabilities.sampling.tools` (spec 2025-11-25). Without it, a
   * request that offers tools fails with `sampling_tools_unsupported` before anything is sent.
   */
  supportsTools?: boolean;
  /** `maxTokens` is required by MCP; used when the request names none. Default 1024. */
  defaultMaxTokens?: number;
}

export const SAMPLING_TOOLS_HINT =
  'Configure a model chainloom can call directly (OPENAI_API_KEY, or OPENAI_BASE_URL for a local server, ' +
  'plus CHAINLOOM_MODEL), use an MCP client whose sampling supports tools, or remove allowed_tools from the step.';

/**
 * An `LlmClient` that borrows the MCP client's model through `sampling/createMessage`.
 *
 * Only usable while a client request is open and only when the client declared the `sampling`
 * capability (SEP-2260; Claude Desktop and Claude Code declare none). The MCP layer decides when
 * that holds and builds one of these per request; scheduled runs use the OpenAI adapter instead.
 *
 * Sampling reports no token counts, so `usage` is always zero. Structured output has no sampling
 * equivalent: the schema is put into the system prompt and the caller's own validation (with its
 * repair attempt) does the rest.
 */
export function createSamplingClient(
  createMessage: CreateMessageFn,
  opts: SamplingClientOptions = {},
): LlmClient {
  const supportsTools = opts.supportsTools ?? false;
  return {
    name: 'mcp-sampling',
    async complete(req: LlmRequest): Promise<LlmResponse> {
      const params = toSamplingParams(req, supportsTools, opts.defaultMaxTokens ?? 1024);
      let result: CreateMessageResult | CreateMessageResultWithTools;
      try {
        result = await createMessage(params, req.signal ? { signal: req.signal } : {});
      } catch (err) {
        throw mapSamplingError(err, req.signal);
      }
      return fromSamplingResult(result);
    },
  };
}

/** Maps our request to `sampling/createMessage` params. */
export function toSamplingParams(
  req: LlmRequest,
  supportsTools: boolean,
  defaultMaxTokens: number,
): CreateMessageRequestParams {
  const wantsTools = (req.tools?.length ?? 0) > 0 || req.messages.some((m) => m.role === 'tool');
  if (wantsTools && !supportsTools) {
    throw new NonRetriableError(
      'sampling_tools_unsupported',
      "this step needs tools, but the MCP client's sampling does not support tool use",
      {
        hint: SAMPLING_TOOLS_HINT,
      },
    );
  }
  const system: string[] = [];
  const messages: SamplingMessage[] = [];
  for (const m of req.messages) {
    if (m.role === 'system') system.push(m.content);
    else appendMessage(messages, m);
  }
  if (req.responseSchema) {
    system.push(
      `Reply with only a JSON value that matches this JSON Schema ("${req.responseSchema.name}"), ` +
        `with no prose and no code fences:\n${JSON.stringify(req.responseSchema.schema)}`,
    );
  }
  const params: CreateMessageRequestParams = {
    messages,
    maxTokens: req.maxTokens ?? defaultMaxTokens,
    includeContext: 'none',
  };
  if (system.length > 0) params.systemPrompt = system.join('\n\n');
  if (req.temperature !== undefined) params.temperature = req.temperature;
  if (req.tools && req.tools.length > 0) {
    params.tools = req.tools.map((t): Tool => ({
      name: t.name,
      description: t.description,
      inputSchema: { ...t.parameters, type: 'object' },
    }));
    params.toolChoice = { mode: 'auto' };
  }
  return params;
}

/** Tool results travel as `tool_result` blocks in a user message; consecutive ones share a message. */
function appendMessage(out: SamplingMessage[], m: LlmMessage): void {
  if (m.role === 'tool') {
    const block = {
      type: 'tool_result' as const,
      toolUseId: m.toolCallId,
      content: [{ type: 'text' as const, text: m.content }],
    };
    const last = out.at(-1);
    if (
      last?.role === 'user' &&
      Array.isArray(last.content) &&
      last.content.every((b) => b.type === 'tool_result')
    ) {
      last.content.push(block);
    } else {
      out.push({ role: 'user', content: [block] });
    }
  } else if (m.role === 'assistant') {
    const calls = m.toolCalls ?? [];
    if (calls.length === 0) {
      out.push({ role: 'assistant', content: { type: 'text', text: m.content ?? '' } });
      return;
    }
    out.push({
      role: 'assistant',
      content: [
        ...(m.content ? [{ type: 'text' as const, text: m.content }] : []),
        ...calls.map((c) => ({
          type: 'tool_use' as const,
          id: c.id,
          name: c.name,
          input: parseArguments(c.arguments),
        })),
      ],
    });
  } else if (m.role === 'user') {
    out.push({ role: 'user', content: { type: 'text', text: m.content } });
  }
  // system messages travel in systemPrompt
}

function parseArguments(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text === '' ? '{}' : text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : { value };
  } catch {
    return { raw: text };
  }
}

/** Maps a sampling result back; text blocks are joined, `tool_use` blocks become tool calls. */
export function fromSamplingResult(result: CreateMessageResult | CreateMessageResultWithTools): LlmResponse {
  const blocks = Array.isArray(result.content) ? result.content : [result.content];
  const texts: string[] = [];
  const toolCalls: LlmToolCall[] = [];
  for (const block of blocks) {
    if (block.type === 'text') texts.push(block.text);
    else if (block.type === 'tool_use')
      toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input) });
  }
  return {
    content: texts.length > 0 ? texts.join('\n') : null,
    toolCalls,
    usage: { promptTokens: 0, completionTokens: 0 },
    model: result.model,
    finishReason: finishReason(result.stopReason, toolCalls.length > 0),
  };
}

function finishReason(stopReason: string | undefined, hasToolCalls: boolean): string {
  if (stopReason === 'toolUse' || (stopReason === undefined && hasToolCalls)) return 'tool_calls';
  if (stopReason === 'maxTokens') return 'length';
  if (stopReason === undefined || stopReason === 'endTurn' || stopReason === 'stopSequence') return 'stop';
  return stopReason;
}

function mapSamplingError(err: unknown, signal: AbortSignal | undefined): AppError {
  if (err instanceof AppError) return err;
  if (signal?.aborted) return new AppError('cancelled', 'the sampling request was cancelled', { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof McpError && err.code === (ErrorCode.RequestTimeout as number)) {
    return new AppError('timeout', `the MCP client did not answer the sampling request in time: ${message}`, {
      cause: err,
    });
  }
  return new NonRetriableError(
    'sampling_failed',
    `the MCP client could not complete the sampling request: ${message}`,
    {
      hint:
        'The user may have declined it, or the client may not support sampling. To run without the client, configure ' +
        'OPENAI_API_KEY (or OPENAI_BASE_URL for a local server) and CHAINLOOM_MODEL.',
      cause: err,
    },
  );
}
