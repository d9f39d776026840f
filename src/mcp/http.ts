import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  type IncomingMessage,
  type Server,
  type ServerResponse,
  createServer as createHttpServer,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { errorMessage } from '../domain/errors.js';
import type { Logger } from '../engine/ports.js';
import type { ChainloomServer } from './server.js';

export interface HttpOptions {
  /** 0 picks a free port. */
  port: number;
  /** Loopback only; other addresses are refused. */
  host?: '127.0.0.1' | '::1' | 'localhost';
  /** Every request must carry `Authorization: Bearer <token>`. */
  token: string;
  /** A fresh MCP server for each session. */
  createSession: () => ChainloomServer;
  log: Logger;
  /** Extra allowed browser origins besides loopback ones (exact, e.g. "http://localhost:6274"). */
  allowOrigins?: string[];
  maxBodyBytes?: number;
  maxSessions?: number;
}

export interface HttpHandle {
  url: string;
  port: number;
  sessions(): ChainloomServer[];
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

function jsonError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } }));
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * MCP over Streamable HTTP on a loopback address: a bearer token on every request, Host and Origin
 * checked against DNS rebinding, and one transport plus MCP server per session.
 */
export async function startHttpServer(opts: HttpOptions): Promise<HttpHandle> {
  const host = opts.host ?? '127.0.0.1';
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; mcp: ChainloomServer }>();
  const expected = digest(opts.token);
  let port = opts.port;

  const hostAllowed = (header: string | undefined): boolean => {
    if (header === undefined) return false;
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(header.trim().toLowerCase());
    return m !== null && LOOPBACK.has(m[1]!) && (m[2] === undefined || Number(m[2]) === port);
  };
  const originAllowed = (origin: string | undefined): boolean => {
    if (origin === undefined || origin === '') return true; // not a browser
    if (opts.allowOrigins?.includes(origin) === true) return true;
    try {
      const u = new URL(origin);
      return (u.protocol === 'http:' || u.protocol === 'https:') && LOOPBACK.has(u.hostname);
    } catch {
      return false;
    }
  };
  const authorized = (header: string | undefined): boolean => {
    const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
    return m !== null && timingSafeEqual(digest(m[1]!.trim()), expected);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hostAllowed(req.headers.host))
      return jsonError(res, 403, -32000, 'Forbidden: the Host header must name this loopback server');
    if (!originAllowed(req.headers.origin))
      return jsonError(res, 403, -32000, 'Forbidden: this Origin may not use the server');
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/mcp') return jsonError(res, 404, -32000, 'Not found: the MCP endpoint is /mcp');
    if (!authorized(req.headers.authorization)) {
      return jsonError(
        res,
        401,
        -32001,
        'Unauthorized: send Authorization: Bearer <token> (printed by chainloom serve --http, or CHAINLOOM_HTTP_TOKEN)',
        {
          'www-authenticate': 'Bearer realm="chainloom"',
        },
      );
    }
    const sid = req.headers['mcp-session-id'];
    const session = typeof sid === 'string' ? sessions.get(sid) : undefined;
    if (req.method === 'POST') {
      let body: unknown;
      try {
        body = JSON.parse(await readBody(req, opts.maxBodyBytes ?? 4_000_000));
      } catch (err) {
        return errorMessage(err) === 'too large'
          ? jsonError(res, 413, -32600, 'Request body too large')
          : jsonError(res, 400, -32700, 'Parse error: the body is not JSON');
      }
      if (session !== undefined) return session.transport.handleRequest(req, res, body);
      if (typeof sid === 'string')
        return jsonError(res, 404, -32001, 'Session not found: start a new session with initialize');
      if (!isInitializeRequest(body))
        return jsonError(res, 400, -32000, 'Bad request: no session; the first request must be initialize');
      if (sessions.size >= (opts.maxSessions ?? 64)) return jsonError(res, 503, -32000, 'Too many sessions');
      const mcp = opts.createSession();
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => void sessions.set(id, { transport, mcp }),
      });
      transport.onclose = () => {
        if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
        mcp.close().catch(() => undefined);
      };
      await mcp.server.connect(transport);
      return transport.handleRequest(req, res, body);
    }
    if (req.method === 'GET' || req.method === 'DELETE') {
      if (session === undefined)
        return jsonError(
          res,
          typeof sid === 'string' ? 404 : 400,
          -32000,
          'Bad request: unknown or missing Mcp-Session-Id',
        );
      return session.transport.handleRequest(req, res);
    }
    return jsonError(res, 405, -32000, 'Method not allowed', { allow: 'GET, POST, DELETE' });
  };

  const server: Server = createHttpServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      opts.log.error({ err: errorMessage(err) }, 'HTTP request failed');
      jsonError(res, 500, -32603, 'Internal error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/mcp`,
    port,
    sessions: () => [...sessions.values()].map((s) => s.mcp),
    close: async () => {
      for (const s of sessions.values()) {
        await s.transport.close().catch(() => undefined);
        await s.mcp.close().catch(() => undefined);
      }
      sessions.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
