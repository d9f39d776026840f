import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type CallToolResult, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, tempDir } from '../support/cli.js';
import { WEATHER_CHAIN } from './harness.js';

/**
 * The built binary, driven the way a chat client drives it: over stdio with the SDK's Client, and
 * over Streamable HTTP with the bearer token.
 */

let tmp: ReturnType<typeof tempDir>;
let child: ChildProcess | undefined;
let client: Client | undefined;

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error('build first: npm run build (npm test does it)');
});
afterEach(async () => {
  await client?.close().catch(() => undefined);
  client = undefined;
  if (child !== undefined && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
  }
  child = undefined;
  tmp?.cleanup();
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  tmp = tempDir('chainloom-mcp-e2e-');
  const base = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
  );
  return {
    ...base,
    HOME: tmp.dir,
    CHAINLOOM_DB: join(tmp.dir, 'chainloom.db'),
    CHAINLOOM_TZ: 'UTC',
    CHAINLOOM_NOTIFY_DESKTOP: '0',
    CHAINLOOM_LOG_LEVEL: 'warn',
    OPENAI_API_KEY: '',
    OPENAI_BASE_URL: '',
    ...extra,
  };
}

type Result = CallToolResult & { structuredContent: any };
const call = async (c: Client, name: string, args: Record<string, unknown>): Promise<Result> =>
  (await c.callTool({ name, arguments: args })) as Result;
const textOf = (r: Result): string => r.content.map((x) => (x.type === 'text' ? x.text : '')).join('\n');

/** What a chat client does in a conversation; the same against either transport. */
async function conversation(c: Client): Promise<void> {
  const updated: string[] = [];
  c.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updated.push(n.params.uri));

  const tools = await c.listTools();
  expect(tools.tools.map((t) => t.name).sort()).toEqual(['chain_tool', 'inbox', 'remind']);

  const created = await call(c, 'chain_tool', { operation: 'create', definition: WEATHER_CHAIN });
  expect(created.isError).toBeFalsy();
  const chainId = created.structuredContent.chain.id as string;

  const listed = await call(c, 'chain_tool', { operation: 'list' });
  expect(listed.structuredContent.chains.map((x: { name: string }) => x.name)).toContain('Morning weather');

  const run = await call(c, 'chain_tool', { operation: 'run', name: 'Morning weather', wait_seconds: 20 });
  expect(run.structuredContent.run).toMatchObject({
    status: 'completed',
    output: { summary: 'It is 21 degrees and clear' },
  });

  const history = await call(c, 'chain_tool', { operation: 'history', chain_id: chainId });
  expect(history.structuredContent.runs).toHaveLength(1);
  const detail = await call(c, 'chain_tool', { operation: 'history', run_id: run.structuredContent.run.id });
  expect(detail.structuredContent.steps.map((s: { status: string }) => s.status)).toEqual([
    'completed',
    'completed',
  ]);

  await call(c, 'chain_tool', { operation: 'update', chain_id: chainId, description: 'second version' });
  const versions = await call(c, 'chain_tool', { operation: 'versions', chain_id: chainId });
  expect(versions.structuredContent.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);

  await c.subscribeResource({ uri: 'chainloom://inbox' });
  const remind = await call(c, 'remind', { text: 'remind me in 3 seconds to stretch' });
  expect(remind.isError).toBeFalsy();
  expect(remind.structuredContent).toMatchObject({
    status: 'scheduled',
    understood: { kind: 'once', task: 'stretch' },
  });
  expect(textOf(remind)).toContain('stretch');

  // Keep talking until the reminder shows up in a tool result, as it would in a conversation.
  let seen: Result | undefined;
  for (let i = 0; i < 40 && seen === undefined; i++) {
    await new Promise((r) => setTimeout(r, 250));
    const r = await call(c, 'chain_tool', { operation: 'list', tag: 'nothing-here' });
    if ((r.structuredContent.notifications ?? []).length > 0) seen = r;
  }
  expect(seen, 'the fired reminder reached a tool result').toBeDefined();
  expect(seen!.structuredContent.notifications[0]).toMatchObject({ kind: 'reminder', body: 'stretch' });
  expect(textOf(seen!)).toContain('While you were away');
  // Delivered once: the next result does not repeat it.
  const after = await call(c, 'chain_tool', { operation: 'list', tag: 'nothing-here' });
  expect(after.structuredContent.notifications).toBeUndefined();

  const inbox = await c.readResource({ uri: 'chainloom://inbox' });
  const body = JSON.parse((inbox.contents[0] as { text: string }).text);
  expect(body.unread.map((n: { body: string }) => n.body)).toContain('stretch');
  expect(updated).toContain('chainloom://inbox');
}

describe('chainloom serve over stdio (built binary)', () => {
  it(
    'creates, lists, runs, reads history and versions, and delivers a reminder fired 3 s later',
    { timeout: 60_000 },
    async () => {
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [BIN, 'serve'],
        env: env(),
        stderr: 'pipe',
      });
      client = new Client({ name: 'e2e', version: '1.0.0' });
      await client.connect(transport);
      expect(client.getInstructions()).toContain('inbox');
      await conversation(client);
    },
  );

  it('survives a malformed frame and answers the next request', { timeout: 30_000 }, async () => {
    const p = spawn(process.execPath, [BIN, 'serve'], { env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
    child = p;
    const lines: string[] = [];
    let buf = '';
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      lines.push(...parts.filter((l) => l.trim() !== ''));
    });
    const send = (o: unknown): boolean => p.stdin.write(`${typeof o === 'string' ? o : JSON.stringify(o)}\n`);
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    send('{"jsonrpc": "2.0", "id": 2, "method": "tools/list"'); // cut short
    send('not json at all');
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'chain_tool', arguments: { operation: 'list' } },
    });
    const until = Date.now() + 15_000;
    while (!lines.some((l) => l.includes('"id":3')) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 50));
    const answer = JSON.parse(lines.find((l) => l.includes('"id":3'))!);
    expect(answer.result.structuredContent).toMatchObject({ ok: true, chains: [] });
    expect(p.exitCode).toBeNull();
    p.stdin.end();
    const code = await new Promise((r) => p.once('exit', r));
    expect(code).toBe(0);
  });
});

describe('a stdio client that disconnects mid-run', () => {
  it(
    'loses nothing: the run finishes and its result waits in the inbox for the next session',
    { timeout: 60_000 },
    async () => {
      const e = env();
      const first = new Client({ name: 'leaves', version: '1' });
      await first.connect(
        new StdioClientTransport({ command: process.execPath, args: [BIN, 'serve'], env: e, stderr: 'pipe' }),
      );
      await call(first, 'chain_tool', {
        operation: 'create',
        definition: {
          name: 'nap',
          steps: [{ name: 'nap', tool: 'util', operation: 'wait', parameters: { seconds: 1.5 } }],
        },
      });
      const pending = call(first, 'chain_tool', { operation: 'run', name: 'nap', wait_seconds: 60 }).catch(
        (err: unknown) => err,
      );
      await new Promise((r) => setTimeout(r, 400));
      await first.close(); // closes stdin: the server finishes the run, then exits
      expect(await pending).toBeInstanceOf(Error);

      client = new Client({ name: 'returns', version: '1' });
      await client.connect(
        new StdioClientTransport({ command: process.execPath, args: [BIN, 'serve'], env: e, stderr: 'pipe' }),
      );
      const history = await call(client, 'chain_tool', { operation: 'history', name: 'nap' });
      expect(history.structuredContent.runs.map((r: { status: string }) => r.status)).toEqual(['completed']);
      const inbox = await call(client, 'inbox', {});
      // Delivered with the first tool result, and still unread in the inbox.
      expect(history.structuredContent.notifications).toEqual([
        expect.objectContaining({ kind: 'run_completed' }),
      ]);
      const items = inbox.structuredContent.items;
      expect(items).toEqual([
        expect.objectContaining({ kind: 'run_completed', run_id: history.structuredContent.runs[0].id }),
      ]);
    },
  );
});

/** Starts `serve --http --port 0` and reads the URL (and the generated token) from stderr. */
async function startHttp(
  extraEnv: Record<string, string> = {},
): Promise<{ url: string; token: string | undefined }> {
  const p = spawn(process.execPath, [BIN, 'serve', '--http', '--port', '0'], {
    env: env(extraEnv),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = p;
  let err = '';
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const until = Date.now() + 15_000;
  while (!/at (http:\S+)/.test(err) && Date.now() < until && p.exitCode === null)
    await new Promise((r) => setTimeout(r, 50));
  const url = /at (http:\S+)/.exec(err)?.[1];
  if (url === undefined) throw new Error(`serve --http did not start: ${err}`);
  await new Promise((r) => setTimeout(r, 100)); // the token line follows the URL line
  return { url, token: /bearer token[^:]*: (\S+)/.exec(err)?.[1] };
}

function rawPost(url: string, headers: Record<string, string>): Promise<number> {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  });
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('chainloom serve --http (built binary)', () => {
  it(
    'prints a generated token, refuses requests without it or from a foreign Host/Origin, and serves the conversation with it',
    { timeout: 60_000 },
    async () => {
      const { url, token } = await startHttp();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      expect(token).toMatch(/^[A-Za-z0-9_-]{20,}$/);

      expect(await rawPost(url, {})).toBe(401);
      expect(await rawPost(url, { authorization: 'Bearer wrong' })).toBe(401);
      expect(await rawPost(url, { authorization: `Bearer ${token}`, host: 'evil.example:80' })).toBe(403);
      expect(await rawPost(url, { authorization: `Bearer ${token}`, origin: 'http://evil.example' })).toBe(
        403,
      );

      const transport = new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      });
      client = new Client({ name: 'e2e-http', version: '1.0.0' });
      await client.connect(transport);
      await conversation(client);
    },
  );

  it('uses CHAINLOOM_HTTP_TOKEN when set and does not print it', { timeout: 30_000 }, async () => {
    const { url, token } = await startHttp({ CHAINLOOM_HTTP_TOKEN: 'configured-secret-token' });
    expect(token).toBeUndefined();
    expect(await rawPost(url, { authorization: 'Bearer configured-secret-token' })).toBe(200);
    expect(await rawPost(url, { authorization: 'Bearer configured-secret-tokeX' })).toBe(401);
  });
});
