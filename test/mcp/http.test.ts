import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { nullLogger } from '../../src/engine/logger.js';
import { type HttpHandle, startHttpServer } from '../../src/mcp/http.js';
import { createServer } from '../../src/mcp/server.js';
import { TestClock } from '../support/clock.js';
import { type Harness, makeEngine } from '../support/engine.js';

let h: Harness;
let http: HttpHandle;
afterEach(async () => {
  await http?.close();
  h?.close();
});

async function start(): Promise<HttpHandle> {
  const clock = new TestClock();
  h = makeEngine({ clock });
  http = await startHttpServer({
    port: 0,
    token: 'tok',
    log: nullLogger,
    createSession: () =>
      createServer({
        services: h.services,
        log: nullLogger,
        clock,
        options: { version: 't', timeZone: 'UTC' },
      }),
  });
  return http;
}

function send(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; path?: string },
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const u = new URL(url);
  if (opts.path !== undefined) u.pathname = opts.path;
  return new Promise((resolve, reject) => {
    const req = request(
      u,
      {
        method: opts.method ?? 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...opts.headers,
        },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const auth = { authorization: 'Bearer tok' };
const init = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

describe('Streamable HTTP endpoint', () => {
  it('binds to loopback and answers each kind of bad request with a JSON-RPC error and the right status', async () => {
    const { url } = await start();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const noAuth = await send(url, { body: init });
    expect(noAuth.status).toBe(401);
    expect(noAuth.headers['www-authenticate']).toBe('Bearer realm="chainloom"');
    expect(JSON.parse(noAuth.body).error.message).toContain('Bearer');
    expect((await send(url, { body: init, headers: { ...auth, host: 'localhost:1' } })).status).toBe(403);
    expect((await send(url, { body: init, headers: { ...auth, host: 'attacker.example' } })).status).toBe(
      403,
    );
    expect(
      (await send(url, { body: init, headers: { ...auth, origin: 'https://attacker.example' } })).status,
    ).toBe(403);
    expect(
      (await send(url, { body: init, headers: { ...auth, origin: 'http://localhost:6274' } })).status,
    ).toBe(200);
    expect((await send(url, { body: init, headers: auth, path: '/other' })).status).toBe(404);
    const garbled = await send(url, { body: '{"jsonrpc": "2.0", "id": 1, "meth', headers: auth });
    expect(garbled.status).toBe(400);
    expect(JSON.parse(garbled.body).error.code).toBe(-32700);
    expect(
      (
        await send(url, {
          body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
          headers: auth,
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await send(url, {
          body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
          headers: { ...auth, 'mcp-session-id': 'nope' },
        })
      ).status,
    ).toBe(404);
    expect((await send(url, { method: 'PUT', body: init, headers: auth })).status).toBe(405);
  });

  it('keeps one MCP server per session, and keeps serving after bad requests', async () => {
    const { url } = await start();
    await send(url, { body: 'not json', headers: auth });
    const clients = [new Client({ name: 'a', version: '1' }), new Client({ name: 'b', version: '1' })];
    for (const c of clients)
      await c.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: auth } }));
    expect(http.sessions()).toHaveLength(2);
    const r = await clients[0]!.callTool({ name: 'chain_tool', arguments: { operation: 'list' } });
    expect(r.structuredContent).toMatchObject({ ok: true, chains: [] });
    for (const c of clients) await c.close();
  });
});
