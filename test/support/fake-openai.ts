import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A scripted OpenAI-compatible HTTP server for tests.
 *
 * It speaks `POST /v1/chat/completions` (and `/chat/completions`) on 127.0.0.1 with a random port,
 * answers each request with the next entry of a script, and records every request it receives.
 * Point the real `openai` client (or chainloom's `createOpenAiClient`, or the CLI through
 * `OPENAI_BASE_URL`) at `baseURL`.
 *
 * ```ts
 * const fake = await startFakeOpenAi([
 *   { toolCalls: [{ name: 'weather__get', arguments: { city: 'Oslo' } }] },
 *   { text: 'It is sunny in Oslo.' },
 * ]);
 * // ... run the code under test with baseURL: fake.baseURL ...
 * expect(fake.requests[1]?.body.messages.at(-1).role).toBe('tool');
 * await fake.close();
 * ```
 *
 * A script is an array (one entry per request, in order) or one function called for every request.
 * Array entries may themselves be functions of the request. When an array runs out the server answers
 * 400 with `type: "fake_script_exhausted"`, so a test that asks more often than expected fails loudly
 * and without retries. `GET /v1/models` lists one model, for clients that probe the server first.
 */

/** One tool call the fake model makes; `arguments` objects are JSON-encoded for you. */
export interface FakeToolCall {
  name: string;
  arguments?: Record<string, unknown> | string;
  /** Defaults to `call_<request>_<index>`. */
  id?: string;
}

/** What the server answers to one request. Fields combine: e.g. `{ delayMs: 50, text: 'hi' }`. */
export interface FakeReply {
  /** Assistant text content. */
  text?: string;
  /** Assistant content as `JSON.stringify(json)` (structured output). */
  json?: unknown;
  /** Function tool calls; `finish_reason` becomes `tool_calls`. */
  toolCalls?: FakeToolCall[];
  /** HTTP status; anything other than 2xx answers with an OpenAI-style error body. Default 200. */
  status?: number;
  /** Error body for a non-2xx status; a generic message is used when absent. */
  error?: { message: string; type?: string; code?: string | null };
  /** Extra response headers, e.g. `{ 'retry-after': '1' }`. */
  headers?: Record<string, string>;
  /** Wait this long before answering (for timeout tests); cut short when the client disconnects. */
  delayMs?: number;
  /** Token counts to report; defaults to rough estimates (characters / 4). */
  usage?: { promptTokens: number; completionTokens: number };
  model?: string;
  finishReason?: string;
  /** Send exactly this body (objects are JSON-encoded, strings sent as is), ignoring the fields above. */
  body?: unknown;
}

/** A request the server received. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** The parsed JSON body (`undefined` when the body was not JSON). */
  body: any;
  rawBody: string;
}

export type FakeResponder = (request: RecordedRequest, index: number) => FakeReply | Promise<FakeReply>;
export type FakeScript = Array<FakeReply | FakeResponder> | FakeResponder;

export interface FakeOpenAi {
  /** e.g. `http://127.0.0.1:54321/v1`: what `OPENAI_BASE_URL` / `baseURL` should be. */
  baseURL: string;
  /** Chat-completion requests in arrival order (model listings are not recorded). */
  requests: RecordedRequest[];
  /** Stops the server, dropping open connections and pending delays. Safe to call twice. */
  close(): Promise<void>;
}

const DEFAULT_MODEL = 'fake-model';

export async function startFakeOpenAi(script: FakeScript): Promise<FakeOpenAi> {
  const requests: RecordedRequest[] = [];
  const pendingTimers = new Set<NodeJS.Timeout>();

  const nextReply = async (req: RecordedRequest, index: number): Promise<FakeReply> => {
    if (typeof script === 'function') return script(req, index);
    const entry = script[index];
    if (entry === undefined) {
      return {
        status: 400,
        error: {
          message: `fake-openai: script exhausted (request ${index + 1}, script has ${script.length} entries)`,
          type: 'fake_script_exhausted',
        },
      };
    }
    return typeof entry === 'function' ? entry(req, index) : entry;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const rawBody = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && (path === '/v1/models' || path === '/models')) {
      send(res, 200, {
        object: 'list',
        data: [{ id: DEFAULT_MODEL, object: 'model', created: 0, owned_by: 'fake' }],
      });
      return;
    }
    if (req.method !== 'POST' || (path !== '/v1/chat/completions' && path !== '/chat/completions')) {
      send(res, 404, errorBody(`fake-openai: no route for ${req.method ?? '?'} ${path}`, 'not_found'));
      return;
    }
    const recorded: RecordedRequest = {
      method: req.method,
      path,
      headers: flattenHeaders(req),
      body: parseJson(rawBody),
      rawBody,
    };
    const index = requests.length;
    requests.push(recorded);
    if (recorded.body?.stream === true) {
      send(res, 400, errorBody('fake-openai: streaming is not supported', 'invalid_request_error'));
      return;
    }
    const reply = await nextReply(recorded, index);
    if (reply.delayMs !== undefined && reply.delayMs > 0) {
      const stillOpen = await wait(reply.delayMs, res, pendingTimers);
      if (!stillOpen) return;
    }
    answer(res, reply, recorded, index);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        send(res, 500, errorBody(`fake-openai: responder threw: ${String(err)}`, 'server_error'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: async () => {
      if (!server.listening) return;
      for (const t of pendingTimers) clearTimeout(t);
      pendingTimers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

function answer(res: ServerResponse, reply: FakeReply, req: RecordedRequest, index: number): void {
  const status = reply.status ?? 200;
  const headers = reply.headers ?? {};
  if (reply.body !== undefined) {
    send(res, status, reply.body, headers);
    return;
  }
  if (status < 200 || status > 299) {
    const error = reply.error ?? { message: `fake-openai: scripted HTTP ${status}`, type: 'fake_error' };
    send(res, status, errorBody(error.message, error.type ?? 'fake_error', error.code ?? null), headers);
    return;
  }
  const content = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? null);
  const toolCalls = reply.toolCalls?.map((c, i) => ({
    id: c.id ?? `call_${index}_${i}`,
    type: 'function',
    function: {
      name: c.name,
      arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments ?? {}),
    },
  }));
  const promptTokens =
    reply.usage?.promptTokens ?? Math.ceil(JSON.stringify(req.body?.messages ?? []).length / 4);
  const completionTokens =
    reply.usage?.completionTokens ??
    Math.ceil(((content ?? '').length + JSON.stringify(toolCalls ?? []).length) / 4);
  send(
    res,
    status,
    {
      id: `chatcmpl-fake-${index}`,
      object: 'chat.completion',
      created: 1_700_000_000,
      model: reply.model ?? (typeof req.body?.model === 'string' ? req.body.model : DEFAULT_MODEL),
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content,
            refusal: null,
            ...(toolCalls ? { tool_calls: toolCalls } : {}),
          },
          finish_reason: reply.finishReason ?? (toolCalls && toolCalls.length > 0 ? 'tool_calls' : 'stop'),
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    },
    headers,
  );
}

function errorBody(message: string, type: string, code: string | null = null): unknown {
  return { error: { message, type, param: null, code } };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

/** Resolves true after `ms`, or false as soon as the client goes away. */
function wait(ms: number, res: ServerResponse, timers: Set<NodeJS.Timeout>): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      res.off('close', onClose);
      resolve(true);
    }, ms);
    const onClose = (): void => {
      clearTimeout(timer);
      timers.delete(timer);
      resolve(false);
    };
    timers.add(timer);
    res.once('close', onClose);
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}
