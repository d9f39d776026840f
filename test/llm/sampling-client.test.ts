import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CreateMessageRequestSchema,
  ErrorCode,
  McpError,
  type CreateMessageRequestParams,
  type CreateMessageResult,
  type CreateMessageResultWithTools,
} from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import type { LlmRequest } from '../../src/engine/ports.js';
import { createSamplingClient, type CreateMessageFn } from '../../src/llm/sampling-client.js';

/** A stand-in for `server.createMessage` that records what it was asked and answers from a list. */
function scripted(answers: Array<CreateMessageResult | CreateMessageResultWithTools | Error>) {
  const calls: CreateMessageRequestParams[] = [];
  const fn: CreateMessageFn = async (params) => {
    calls.push(params);
    const next = answers.shift();
    if (next === undefined) throw new Error('no more answers');
    if (next instanceof Error) throw next;
    return next;
  };
  return { fn, calls };
}

const text = (t: string, stopReason = 'endTurn'): CreateMessageResult => ({
  model: 'client-model',
  role: 'assistant',
  content: { type: 'text', text: t },
  stopReason,
});

const weatherTool = {
  name: 'weather__get',
  description: 'Weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } } },
};

describe('createSamplingClient', () => {
  it('maps messages, system prompt and maxTokens to sampling params and the result back', async () => {
    const { fn, calls } = scripted([text('Hi there')]);
    const llm = createSamplingClient(fn);
    const res = await llm.complete({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: 'Yes?' },
        { role: 'user', content: 'Greet me' },
      ],
      maxTokens: 64,
      temperature: 0.2,
    });
    expect(calls[0]).toEqual({
      messages: [
        { role: 'user', content: { type: 'text', text: 'Hello' } },
        { role: 'assistant', content: { type: 'text', text: 'Yes?' } },
        { role: 'user', content: { type: 'text', text: 'Greet me' } },
      ],
      systemPrompt: 'Be brief.',
      maxTokens: 64,
      temperature: 0.2,
      includeContext: 'none',
    });
    expect(res).toEqual({
      content: 'Hi there',
      toolCalls: [],
      usage: { promptTokens: 0, completionTokens: 0 },
      model: 'client-model',
      finishReason: 'stop',
    });
    expect(llm.name).toBe('mcp-sampling');
  });

  it('uses a default maxTokens (MCP requires one) and maps maxTokens stops to "length"', async () => {
    const { fn, calls } = scripted([text('cut', 'maxTokens')]);
    const res = await createSamplingClient(fn, { defaultMaxTokens: 300 }).complete({
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(calls[0]!.maxTokens).toBe(300);
    expect(res.finishReason).toBe('length');
  });

  it('puts a response schema into the system prompt, since sampling has no structured output', async () => {
    const { fn, calls } = scripted([text('{"a":1}')]);
    await createSamplingClient(fn).complete({
      messages: [{ role: 'user', content: 'x' }],
      responseSchema: { name: 'answer', schema: { type: 'object', properties: { a: { type: 'number' } } } },
    });
    expect(calls[0]!.systemPrompt).toContain('JSON Schema');
    expect(calls[0]!.systemPrompt).toContain('{"type":"object","properties":{"a":{"type":"number"}}}');
  });

  it('refuses a request with tools when the client cannot sample with tools, before sending anything', async () => {
    const { fn, calls } = scripted([text('never')]);
    const err = await createSamplingClient(fn)
      .complete({ messages: [{ role: 'user', content: 'x' }], tools: [weatherTool] })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'sampling_tools_unsupported',
      hint: expect.stringContaining('OPENAI_API_KEY'),
    });
    expect(calls).toHaveLength(0);
  });

  it('maps tools, tool calls and tool results when the client supports them', async () => {
    const { fn, calls } = scripted([
      {
        model: 'client-model',
        role: 'assistant',
        stopReason: 'toolUse',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'tu_1', name: 'weather__get', input: { city: 'Oslo' } },
        ],
      },
    ]);
    const llm = createSamplingClient(fn, { supportsTools: true });
    const req: LlmRequest = {
      messages: [
        { role: 'user', content: 'Weather in Oslo and Bergen?' },
        {
          role: 'assistant',
          content: null,
          toolCalls: [
            { id: 'a', name: 'weather__get', arguments: '{"city":"Oslo"}' },
            { id: 'b', name: 'weather__get', arguments: '{"city":"Bergen"}' },
          ],
        },
        { role: 'tool', toolCallId: 'a', content: '{"temp":3}' },
        { role: 'tool', toolCallId: 'b', content: '{"temp":5}' },
      ],
      tools: [weatherTool],
    };
    const res = await llm.complete(req);
    expect(res.toolCalls).toEqual([{ id: 'tu_1', name: 'weather__get', arguments: '{"city":"Oslo"}' }]);
    expect(res.content).toBe('Checking.');
    expect(res.finishReason).toBe('tool_calls');
    const sent = calls[0]!;
    expect(sent.tools).toEqual([
      { name: 'weather__get', description: 'Weather', inputSchema: weatherTool.parameters },
    ]);
    expect(sent.toolChoice).toEqual({ mode: 'auto' });
    expect(sent.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'a', name: 'weather__get', input: { city: 'Oslo' } },
          { type: 'tool_use', id: 'b', name: 'weather__get', input: { city: 'Bergen' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolUseId: 'a', content: [{ type: 'text', text: '{"temp":3}' }] },
          { type: 'tool_result', toolUseId: 'b', content: [{ type: 'text', text: '{"temp":5}' }] },
        ],
      },
    ]);
  });

  it('maps client errors: a timeout stays retriable, a refusal does not', async () => {
    const { fn } = scripted([
      new McpError(ErrorCode.RequestTimeout, 'Request timed out'),
      new McpError(-1, 'User rejected sampling request'),
    ]);
    const llm = createSamplingClient(fn);
    const msg = { messages: [{ role: 'user' as const, content: 'x' }] };
    await expect(llm.complete(msg)).rejects.toMatchObject({ code: 'timeout' });
    await expect(llm.complete(msg)).rejects.toMatchObject({
      name: 'NonRetriableError',
      code: 'sampling_failed',
    });
  });

  it('works against a real MCP client over the in-memory transport', async () => {
    const server = new Server({ name: 'chainloom-test', version: '0.0.0' }, { capabilities: {} });
    const client = new Client({ name: 'test-client', version: '0.0.0' }, { capabilities: { sampling: {} } });
    const seen: unknown[] = [];
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
      seen.push(request.params);
      return {
        model: 'host-model',
        role: 'assistant',
        content: { type: 'text', text: 'Sunny, 21°C.' },
        stopReason: 'endTurn',
      };
    });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await Promise.all([client.connect(clientTransport), server.connect(serverTransport)]);
    try {
      const llm = createSamplingClient((params, options) => server.createMessage(params, options));
      const res = await llm.complete({
        messages: [
          { role: 'system', content: 'Summarise.' },
          { role: 'user', content: '{"temp":21}' },
        ],
      });
      expect(res.content).toBe('Sunny, 21°C.');
      expect(res.model).toBe('host-model');
      expect(seen[0]).toMatchObject({ systemPrompt: 'Summarise.', maxTokens: 1024 });
    } finally {
      await client.close();
      await server.close();
    }
  });
});
