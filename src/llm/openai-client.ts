import { setTimeout as delay } from 'node:timers/promises';
import type OpenAI from 'openai';

/** The SDK, loaded on the first request: a process that never calls a model never pays for it. */
type OpenAiModule = typeof import('openai');
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import { AppError, NonRetriableError, RetryAfterError } from '../domain/errors.js';
import type { LlmClient, LlmMessage, LlmRequest, LlmResponse, LlmToolCall, Logger } from '../engine/ports.js';

/** Options for {@link createOpenAiClient}. Everything comes from the composition root, never from `process.env`. */
export interface OpenAiClientOptions {
  /** Sent as the bearer token; never logged. Local servers (Ollama, LM Studio) accept any value. */
  apiKey: string;
  /** OpenAI-compatible endpoint, e.g. `http://localhost:11434/v1`. Default: OpenAI's API. */
  baseURL?: string | undefined;
  model: string;
  /** Per attempt. Default 60 000. Timeouts are not retried here; the step's retry policy decides. */
  timeoutMs?: number | undefined;
  /** Retries after 429, 5xx and connection failures. Default 2. The SDK's own retries are off. */
  maxRetries?: number | undefined;
  /**
   * The longest Retry-After this client waits out itself (default 30 000). A longer one is thrown
   * as a `RetryAfterError` so the engine can reschedule durably instead of holding the run open.
   */
  maxRetryAfterMs?: number | undefined;
  fetch?: typeof globalThis.fetch | undefined;
  log?: Logger | undefined;
  /**
   * The field that carries `maxTokens`. OpenAI's newer models accept only `max_completion_tokens`;
   * many local servers know only `max_tokens`. Default: `max_completion_tokens` for OpenAI itself,
   * `max_tokens` when a `baseURL` is given.
   */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens' | undefined;
  /** Waits between retries; tests pass a recorder. Default: an abortable timer. */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
}

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
const BACKOFF_INITIAL_MS = 500;
const BACKOFF_MAX_MS = 8_000;

/** Sent when no key is configured but a local server is; OpenAI's SDK refuses an empty key. */
const PLACEHOLDER_KEY = 'chainloom-no-key';

export const API_KEY_HINT =
  'Set OPENAI_API_KEY to a valid key (https://platform.openai.com/api-keys), or set OPENAI_BASE_URL to a local ' +
  'OpenAI-compatible server such as Ollama (http://localhost:11434/v1) and CHAINLOOM_MODEL to one of its models.';

/**
 * An `LlmClient` over the chat-completions API of OpenAI or any compatible server (Ollama, LM Studio,
 * vLLM, OpenRouter) chosen by `baseURL`.
 *
 * Errors are `AppError`s with the codes the engine's retry policy matches on: `timeout`, `network`,
 * `http_5xx`, `rate_limited` (`RetryAfterError`), `http_4xx` (`NonRetriableError`), `cancelled`.
 * Retrying happens in exactly one layer, this one: the SDK is built with `maxRetries: 0`.
 */
export function createOpenAiClient(opts: OpenAiClientOptions): LlmClient {
  const baseURL = opts.baseURL ?? DEFAULT_BASE_URL;
  if (opts.apiKey === '' && opts.baseURL === undefined) {
    throw new NonRetriableError('llm_not_configured', 'no OpenAI API key is configured', {
      hint: API_KEY_HINT,
    });
  }
  const apiKey = opts.apiKey === '' ? PLACEHOLDER_KEY : opts.apiKey;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const maxRetries = opts.maxRetries ?? 2;
  const maxRetryAfterMs = opts.maxRetryAfterMs ?? 30_000;
  const maxTokensField =
    opts.maxTokensField ?? (opts.baseURL === undefined ? 'max_completion_tokens' : 'max_tokens');
  const sleep = opts.sleep ?? ((ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal }));
  const log = opts.log?.child({ llm: 'openai', model: opts.model, host: safeHost(baseURL) });
  const redact = (text: string): string =>
    apiKey.length >= 8 ? text.split(apiKey).join('[redacted]') : text;

  let sdk: OpenAI | undefined;
  let mod: OpenAiModule | undefined;
  const client = async (): Promise<{ sdk: OpenAI; mod: OpenAiModule }> => {
    mod ??= await import('openai');
    sdk ??= new mod.default({
      apiKey,
      baseURL,
      // Pinned so the SDK reads none of these from process.env (one composition root).
      organization: null,
      project: null,
      webhookSecret: null,
      timeout: timeoutMs,
      maxRetries: 0,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
      // The SDK's default logger is `console`, and stdout is the MCP wire.
      logLevel: log ? 'warn' : 'off',
      ...(log ? { logger: sdkLogger(log, redact) } : {}),
    });
    return { sdk, mod };
  };

  return {
    name: 'openai',
    async complete(req: LlmRequest): Promise<LlmResponse> {
      const body = toChatParams(req, opts.model, maxTokensField);
      const { sdk, mod } = await client();
      for (let attempt = 0; ; attempt++) {
        const startedMs = performance.now();
        try {
          const completion = await sdk.chat.completions.create(body, {
            timeout: timeoutMs,
            ...(req.signal ? { signal: req.signal } : {}),
          });
          const res = fromCompletion(completion);
          log?.debug(
            {
              ...res.usage,
              finishReason: res.finishReason,
              toolCalls: res.toolCalls.length,
              durationMs: Math.round(performance.now() - startedMs),
            },
            'llm completion',
          );
          return res;
        } catch (err) {
          const mapped = mapError(err, { baseURL, timeoutMs, model: opts.model, redact, sdk: mod });
          const waitMs = retryDelayMs(mapped, attempt, maxRetries, maxRetryAfterMs);
          log?.warn(
            { code: mapped.code, attempt: attempt + 1, retryInMs: waitMs ?? null, err: mapped.message },
            'llm request failed',
          );
          if (waitMs === undefined) throw mapped;
          try {
            await sleep(waitMs, req.signal);
          } catch (sleepErr) {
            throw new AppError('cancelled', 'the LLM request was cancelled while waiting to retry', {
              cause: sleepErr,
            });
          }
        }
      }
    },
  };
}

/** How long to wait before the next attempt, or undefined to give up now. */
function retryDelayMs(
  err: AppError,
  attempt: number,
  maxRetries: number,
  maxRetryAfterMs: number,
): number | undefined {
  if (attempt >= maxRetries) return undefined;
  if (err instanceof RetryAfterError)
    return err.retryAfterMs <= maxRetryAfterMs ? err.retryAfterMs : undefined;
  if (err.code !== 'http_5xx' && err.code !== 'network') return undefined;
  const base = Math.min(BACKOFF_INITIAL_MS * 2 ** attempt, BACKOFF_MAX_MS);
  return Math.round(base * (1 - Math.random() * 0.25));
}

/** Maps our request to OpenAI's chat-completions body. */
export function toChatParams(
  req: LlmRequest,
  model: string,
  maxTokensField: 'max_tokens' | 'max_completion_tokens',
): ChatCompletionCreateParamsNonStreaming {
  const body: ChatCompletionCreateParamsNonStreaming = { model, messages: req.messages.map(toOpenAiMessage) };
  if (req.tools && req.tools.length > 0) {
    body.tools = req.tools.map((t) => ({
      type: 'function',
      function: { name: t.name, description: t.description, parameters: t.parameters },
    }));
  }
  if (req.responseSchema) {
    body.response_format = {
      type: 'json_schema',
      json_schema: {
        name: schemaName(req.responseSchema.name),
        schema: req.responseSchema.schema,
        strict: isStrictCompatible(req.responseSchema.schema),
      },
    };
  }
  if (req.maxTokens !== undefined) body[maxTokensField] = req.maxTokens;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  return body;
}

function toOpenAiMessage(m: LlmMessage): ChatCompletionMessageParam {
  switch (m.role) {
    case 'system':
    case 'user':
      return { role: m.role, content: m.content };
    case 'tool':
      return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
    case 'assistant':
      return {
        role: 'assistant',
        content: m.content,
        ...(m.toolCalls && m.toolCalls.length > 0
          ? {
              tool_calls: m.toolCalls.map((c) => ({
                id: c.id,
                type: 'function' as const,
                function: { name: c.name, arguments: c.arguments },
              })),
            }
          : {}),
      };
  }
}

function fromCompletion(completion: ChatCompletion): LlmResponse {
  const choice = completion.choices?.[0];
  if (choice === undefined) {
    throw new AppError('llm_bad_response', 'the LLM server answered without any choices', {
      hint: 'Check that the server at OPENAI_BASE_URL implements the chat-completions API.',
    });
  }
  const msg = choice.message;
  const toolCalls: LlmToolCall[] = [];
  for (const [i, call] of (msg.tool_calls ?? []).entries()) {
    // Some compatible servers omit `type`; anything with a `function` field is a function call.
    if (!('function' in call) || call.function === undefined) continue;
    toolCalls.push({
      id: call.id || `call_${i}`,
      name: call.function.name,
      arguments: call.function.arguments ?? '',
    });
  }
  if (msg.refusal && !msg.content && toolCalls.length === 0) {
    throw new NonRetriableError('llm_refused', `the model refused the request: ${msg.refusal}`, {
      hint: 'Rephrase the task description of the step.',
    });
  }
  return {
    content: msg.content ?? null,
    toolCalls,
    usage: {
      promptTokens: completion.usage?.prompt_tokens ?? 0,
      completionTokens: completion.usage?.completion_tokens ?? 0,
    },
    model: completion.model,
    finishReason: choice.finish_reason ?? 'stop',
  };
}

interface ErrorContext {
  /** The loaded SDK, whose error classes are matched. */
  sdk: OpenAiModule;
  baseURL: string;
  timeoutMs: number;
  model: string;
  redact: (text: string) => string;
}

/** Turns whatever the SDK threw into an AppError with a code the engine's retry policy understands. */
export function mapError(err: unknown, ctx: ErrorContext): AppError {
  const { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } = ctx.sdk;
  if (err instanceof AppError) return err;
  if (err instanceof APIUserAbortError) return new AppError('cancelled', 'the LLM request was cancelled');
  if (err instanceof APIConnectionTimeoutError) {
    return new AppError('timeout', `the LLM server did not answer within ${ctx.timeoutMs} ms`, {
      hint: 'The model may be slow or overloaded; raise the LLM timeout or the step timeout, or try again later.',
    });
  }
  if (err instanceof APIConnectionError) {
    return new AppError('network', `could not reach the LLM server at ${safeHost(ctx.baseURL)}`, {
      hint: 'Check the network and OPENAI_BASE_URL; for a local server, check that it is running.',
      cause: err.cause,
    });
  }
  if (err instanceof APIError && typeof err.status === 'number') {
    const detail = ctx.redact(apiMessage(err));
    const message = `the LLM server answered HTTP ${err.status}: ${detail}`;
    if (err.status === 429) {
      return new RetryAfterError(message, retryAfterFrom(err.headers) ?? BACKOFF_INITIAL_MS, {
        hint: 'The provider is rate-limiting requests; the step will be retried later.',
      });
    }
    if (err.status === 408) return new AppError('timeout', message);
    if (err.status >= 500)
      return new AppError('http_5xx', message, {
        hint: 'The LLM provider had a server error; retrying later usually helps.',
      });
    return new NonRetriableError('http_4xx', message, { hint: hintFor4xx(err.status, ctx) });
  }
  const text = err instanceof Error ? err.message : String(err);
  return new AppError('llm_error', `the LLM request failed: ${ctx.redact(text)}`);
}

function hintFor4xx(status: number, ctx: ErrorContext): string {
  if (status === 401) return `The API key was rejected. ${API_KEY_HINT}`;
  if (status === 403)
    return `The API key may not have access to model "${ctx.model}". Check the key's project and permissions, or choose another model with CHAINLOOM_MODEL.`;
  if (status === 404) {
    return `Model "${ctx.model}" or the endpoint was not found at ${safeHost(ctx.baseURL)}. Check CHAINLOOM_MODEL, and that OPENAI_BASE_URL ends in /v1 for compatible servers.`;
  }
  return 'The LLM server rejected the request. If it is not OpenAI itself, it may not support tool calls or JSON-schema output for this model.';
}

function apiMessage(err: InstanceType<OpenAiModule['APIError']>): string {
  const body: unknown = err.error;
  if (typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string')
    return body.message;
  return err.message;
}

/** Retry-After as milliseconds: `retry-after-ms`, then `retry-after` in seconds or as an HTTP date. */
export function retryAfterFrom(headers: Headers | undefined): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms) {
    const n = Number.parseFloat(ms);
    if (Number.isFinite(n) && n >= 0) return Math.round(n);
  }
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * OpenAI's strict mode needs every object closed (`additionalProperties: false`) with all its
 * properties required; schemas that are not get `strict: false` rather than a 400.
 */
export function isStrictCompatible(schema: unknown): boolean {
  if (!isRecord(schema)) return true;
  const props = isRecord(schema['properties']) ? schema['properties'] : undefined;
  const types = Array.isArray(schema['type']) ? (schema['type'] as unknown[]) : [schema['type']];
  if (props !== undefined || types.includes('object')) {
    if (schema['additionalProperties'] !== false) return false;
    const required = Array.isArray(schema['required']) ? (schema['required'] as unknown[]) : [];
    if (props !== undefined && !Object.keys(props).every((k) => required.includes(k))) return false;
  }
  const children: unknown[] = [...Object.values(props ?? {}), schema['items']];
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    if (Array.isArray(schema[key])) children.push(...(schema[key] as unknown[]));
  }
  for (const key of ['$defs', 'definitions']) {
    const defs = schema[key];
    if (isRecord(defs)) children.push(...Object.values(defs));
  }
  return children.every(isStrictCompatible);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** OpenAI requires `^[a-zA-Z0-9_-]{1,64}$`. */
function schemaName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_-]+/g, '_').slice(0, 64);
  return cleaned === '' ? 'output' : cleaned;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the configured URL';
  }
}

function sdkLogger(
  log: Logger,
  redact: (s: string) => string,
): NonNullable<ConstructorParameters<typeof OpenAI>[0]>['logger'] {
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string) =>
    log[level]({ source: 'openai-sdk' }, redact(message));
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
