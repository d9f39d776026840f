import type { z } from 'zod';

/**
 * The edges of the engine. Adapters live in store/, llm/, notify/; cli/main.ts wires them.
 * Nothing but a Clock decides what time it is for scheduling, so tests pin `now`.
 */

export interface Clock {
  now(): Date;
  /** Resolves after `ms`, or rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The subset of pino that chainloom uses; object first, message second. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

// ---------------------------------------------------------------- tools

/** What a tool operation gets besides its parameters. */
export interface ToolContext {
  runId: string;
  chainId: string;
  stepKey: string;
  iteration: number;
  attempt: number;
  /** `<run_id>:<step_key>:<iteration>`: stable across retries and restarts; send it downstream. */
  idempotencyKey: string;
  signal: AbortSignal;
  log: Logger;
  clock: Clock;
  /** Engine services a built-in tool may need (sub-chains, notifications). */
  host: ToolHost;
}

/** Engine capabilities offered to tools, so tools never reach into the store directly. */
export interface ToolHost {
  /** Runs another chain to completion as a child run; returns its outputs. */
  runChain(ref: string, inputs: Record<string, unknown>, ctx: ToolContext): Promise<unknown>;
  /** Stores a notification for the inbox (and out-of-band channels). */
  notify(n: NotificationDraft, ctx: ToolContext): Promise<{ id: string }>;
  /** Emits a named event that may trigger other chains. */
  emit(name: string, data: unknown, ctx: ToolContext): Promise<void>;
}

export interface ToolOperation {
  description: string;
  /** Validates the resolved parameters before the call; its JSON Schema is shown to LLMs. */
  parameters?: z.ZodType;
  /**
   * False for pure operations (echo, set): they only compute from recorded values, so the engine
   * records their outcome without a separate "started" write.
   */
  sideEffects: boolean;
  execute(params: Record<string, unknown>, ctx: ToolContext): Promise<unknown>;
}

export interface ToolDefinition {
  name: string;
  description: string;
  operations: Record<string, ToolOperation>;
  /** Used when a step names the tool but no operation. */
  defaultOperation?: string;
}

// ---------------------------------------------------------------- notifications

export type NotificationKind = 'reminder' | 'run_completed' | 'run_failed' | 'message';

export interface NotificationDraft {
  kind: NotificationKind;
  title: string;
  body: string;
  chainId?: string | undefined;
  runId?: string | undefined;
  /** When the thing was due (a reminder's slot); lets the inbox say "late by 3 h". */
  dueAt?: string | undefined;
  data?: unknown;
}

export interface Notification extends NotificationDraft {
  id: string;
  createdAt: string;
  deliveredAt: string | null;
  readAt: string | null;
}

/** An out-of-band delivery channel (desktop, webhook, MCP push). Failures never fail a run. */
export interface Notifier {
  readonly name: string;
  deliver(n: Notification): Promise<void>;
}

// ---------------------------------------------------------------- LLM

export interface LlmToolCall {
  id: string;
  name: string;
  /** Raw JSON text as the model produced it. */
  arguments: string;
}

export type LlmMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; toolCalls?: LlmToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

export interface LlmToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments. */
  parameters: Record<string, unknown>;
}

export interface LlmRequest {
  messages: LlmMessage[];
  tools?: LlmToolSpec[];
  /** Ask for JSON matching this schema (structured output). */
  responseSchema?: { name: string; schema: Record<string, unknown> };
  maxTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
}

export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface LlmResponse {
  content: string | null;
  toolCalls: LlmToolCall[];
  usage: LlmUsage;
  model: string;
  finishReason: string;
}

/** A chat-completion capable model: OpenAI-compatible HTTP, or MCP sampling while a request is open. */
export interface LlmClient {
  readonly name: string;
  complete(req: LlmRequest): Promise<LlmResponse>;
}
