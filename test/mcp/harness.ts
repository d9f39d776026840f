import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ExecutorDeps } from '../../src/engine/executor.js';
import { nullLogger } from '../../src/engine/logger.js';
import type { Logger, ToolDefinition } from '../../src/engine/ports.js';
import { notifyRunFinished } from '../../src/engine/run-notifications.js';
import { createScheduling } from '../../src/engine/scheduling.js';
import type { McpDeps, McpOptions } from '../../src/mcp/context.js';
import { type ChainloomServer, createServer } from '../../src/mcp/server.js';
import { TestClock } from '../support/clock.js';
import { type Harness, makeEngine } from '../support/engine.js';

export interface McpHarness {
  h: Harness;
  clock: TestClock;
  client: Client;
  mcp: ChainloomServer;
  scheduling: ReturnType<typeof createScheduling>;
  /** Calls a tool; returns the raw result with typed helpers. */
  call(
    name: string,
    args?: Record<string, unknown>,
    opts?: Parameters<Client['callTool']>[2],
  ): Promise<ToolResult>;
  chainTool(args: Record<string, unknown>): Promise<ToolResult>;
  close(): Promise<void>;
}

export type ToolResult = CallToolResult & { text: string; data: any };

/** A recording logger: tests check what was logged (and that nothing leaked into results). */
export function recordingLogger(): Logger & {
  entries: { level: string; obj: object; msg?: string | undefined }[];
} {
  const entries: { level: string; obj: object; msg?: string | undefined }[] = [];
  const log = {
    entries,
    debug: (obj: object, msg?: string) => void entries.push({ level: 'debug', obj, msg }),
    info: (obj: object, msg?: string) => void entries.push({ level: 'info', obj, msg }),
    warn: (obj: object, msg?: string) => void entries.push({ level: 'warn', obj, msg }),
    error: (obj: object, msg?: string) => void entries.push({ level: 'error', obj, msg }),
    child: () => log,
  };
  return log;
}

/** A real engine on in-memory SQLite, the MCP server, and an SDK client over the in-memory transport pair. */
export async function connectMcp(
  opts: {
    clock?: TestClock;
    tools?: ToolDefinition[];
    options?: Partial<McpOptions>;
    deps?: (h: Harness) => Partial<McpDeps>;
    executor?: Partial<ExecutorDeps>;
    clientCapabilities?: Record<string, unknown>;
    withScheduling?: boolean;
  } = {},
): Promise<McpHarness> {
  const clock = opts.clock ?? new TestClock('2025-03-05T15:15:00Z');
  // Late-bound hooks, as in the composition root: the engine exists before what it calls.
  const late: {
    scheduling?: ReturnType<typeof createScheduling>;
    finished?: (run: Parameters<NonNullable<ExecutorDeps['onRunFinished']>>[0]) => void;
  } = {};
  const h = makeEngine({
    clock,
    tools: opts.tools,
    onDefinitionSaved: (c, d, p) => late.scheduling?.onDefinitionSaved(c, d, p),
    executor: { onRunFinished: (run) => late.finished?.(run), ...opts.executor },
  });
  late.finished = notifyRunFinished(h.store, clock);
  const scheduling = createScheduling({
    stores: h.store,
    services: h.services,
    executor: h.executor,
    clock,
    log: nullLogger,
    timeZone: 'UTC',
  });
  late.scheduling = scheduling;
  const mcp = createServer({
    services: h.services,
    scheduling: opts.withScheduling === false ? undefined : scheduling,
    log: nullLogger,
    clock,
    options: { version: '0.0.0-test', timeZone: 'UTC', ...opts.options },
    addNotification: (d) => h.store.notifications.add(d, clock.now()),
    definitionAt: (id, v) => h.store.chains.getVersion(id, v).definition,
    ...opts.deps?.(h),
  });
  const [clientT, serverT] = InMemoryTransport.createLinkedPair();
  const client = new Client(
    { name: 'test-client', version: '1.0.0' },
    { capabilities: opts.clientCapabilities ?? {} },
  );
  await Promise.all([mcp.server.connect(serverT), client.connect(clientT)]);
  // As chat clients do; it also makes the client check every structuredContent against the output schemas.
  await client.listTools();
  const call = async (
    name: string,
    args: Record<string, unknown> = {},
    callOpts?: Parameters<Client['callTool']>[2],
  ): Promise<ToolResult> => {
    const r = (await client.callTool({ name, arguments: args }, undefined, callOpts)) as CallToolResult;
    const text = r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
    return { ...r, text, data: r.structuredContent };
  };
  return {
    h,
    clock,
    client,
    mcp,
    scheduling,
    call,
    chainTool: (args) => call('chain_tool', args),
    close: async () => {
      await client.close();
      await mcp.close();
      await scheduling.drain();
      h.close();
    },
  };
}

export const WEATHER_CHAIN = {
  name: 'Morning weather',
  description: 'Fetches and summarises the weather',
  tags: ['daily'],
  steps: [
    {
      id: 'fetch',
      name: 'Fetch',
      tool: 'util',
      operation: 'echo',
      parameters: { value: { temp: 21, sky: 'clear' } },
      output_key: 'weather',
    },
    {
      id: 'summary',
      name: 'Summary',
      tool: 'data',
      operation: 'set',
      parameters: { value: 'It is {weather.temp} degrees and {weather.sky}' },
      output_key: 'summary',
    },
  ],
};
