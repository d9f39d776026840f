import { z } from 'zod';
import { AppError, NonRetriableError, RetryAfterError } from '../../domain/errors.js';
import type { ToolDefinition } from '../ports.js';
import { type NetPolicy, assertUrlAllowed } from './net-guard.js';

const MAX_RESPONSE_BYTES = 5_000_000;

const RequestParams = z
  .object({
    url: z.string().url(),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
    headers: z.record(z.string(), z.string()).default({}),
    query: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    /** Objects and arrays are sent as JSON; strings as text. */
    body: z.unknown().optional(),
    /** "auto" (by content type), "json" or "text". */
    response: z.enum(['auto', 'json', 'text']).default('auto'),
    /** Treat non-2xx answers as step failures (default) or return them. */
    fail_on_status: z.boolean().default(true),
    timeout_ms: z.number().int().positive().max(600_000).default(30_000),
  })
  .strict();

function retryAfterMs(header: string | null): number {
  if (header === null) return 1000;
  const secs = Number(header);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? 1000 : Math.max(0, at - Date.now());
}

async function readLimited(res: Response): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > MAX_RESPONSE_BYTES) {
    throw new NonRetriableError('response_too_large', `response is ${declared} bytes; the limit is ${MAX_RESPONSE_BYTES}`);
  }
  if (res.body === null) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      throw new NonRetriableError('response_too_large', `response is over ${MAX_RESPONSE_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `http.request`: JSON and text, headers, query, timeout, and an Idempotency-Key on every call. */
export function httpTool(policy: NetPolicy, fetchImpl: typeof fetch = fetch): ToolDefinition {
  return {
    name: 'http',
    description: 'HTTP requests to web APIs',
    defaultOperation: 'request',
    operations: {
      request: {
        description: 'Send an HTTP request; returns { status, ok, headers, body } (body parsed as JSON when it is JSON).',
        parameters: RequestParams,
        sideEffects: true,
        async execute(raw, ctx) {
          const p = RequestParams.parse(raw);
          const url = new URL(p.url);
          for (const [k, v] of Object.entries(p.query ?? {})) url.searchParams.set(k, String(v));
          await assertUrlAllowed(url, policy);
          const headers = new Headers(p.headers);
          if (!headers.has('idempotency-key')) headers.set('Idempotency-Key', ctx.idempotencyKey);
          let body: string | undefined;
          if (p.body !== undefined && p.method !== 'GET' && p.method !== 'HEAD') {
            if (typeof p.body === 'string') body = p.body;
            else {
              body = JSON.stringify(p.body);
              if (!headers.has('content-type')) headers.set('Content-Type', 'application/json');
            }
          }
          const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(p.timeout_ms)]);
          let res: Response;
          try {
            res = await fetchImpl(url, { method: p.method, headers, body, signal, redirect: 'follow' });
          } catch (err) {
            if (ctx.signal.aborted) throw ctx.signal.reason;
            if (err instanceof Error && err.name === 'TimeoutError') {
              throw new AppError('timeout', `${p.method} ${url.host} did not answer within ${p.timeout_ms} ms`, { cause: err });
            }
            const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
            throw new AppError('network', `${p.method} ${url.host} failed${cause}`, { cause: err });
          }
          const text = await readLimited(res);
          const type = res.headers.get('content-type') ?? '';
          let parsed: unknown = text;
          if (p.response === 'json' || (p.response === 'auto' && /json/i.test(type))) {
            try {
              parsed = text === '' ? null : JSON.parse(text);
            } catch {
              if (p.response === 'json') throw new NonRetriableError('bad_json', `${url.host} answered with invalid JSON`);
            }
          }
          if (!res.ok && p.fail_on_status) {
            const snippet = text.slice(0, 200);
            if (res.status === 429) throw new RetryAfterError(`${url.host} answered 429 Too Many Requests`, retryAfterMs(res.headers.get('retry-after')));
            if (res.status >= 500) throw new AppError('http_5xx', `${url.host} answered ${res.status}: ${snippet}`);
            throw new NonRetriableError('http_4xx', `${url.host} answered ${res.status}: ${snippet}`, {
              hint: 'Check the URL, parameters and credentials; set fail_on_status=false to handle the answer in later steps.',
            });
          }
          return { status: res.status, ok: res.ok, headers: Object.fromEntries(res.headers), body: parsed };
        },
      },
    },
  };
}
