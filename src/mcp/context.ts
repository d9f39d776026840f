import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { ChainDefinition } from '../domain/chain.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import type { ChainDraft } from '../engine/draft.js';
import type { Clock, LlmClient, Logger, Notification, NotificationDraft } from '../engine/ports.js';
import type { SchedulingServices } from '../engine/schedule-ports.js';
import type { Services } from '../engine/services.js';

/** Settings of the MCP layer (read from configuration by the composition root). */
export interface McpOptions {
  /** Reported as serverInfo.version. */
  version: string;
  /** The zone assumed when the user gives none. */
  timeZone: string;
  /** How long `run` waits by default before handing back the run id (seconds). */
  runWaitSeconds?: number;
  /** The longest wait a caller may ask for (seconds). */
  runWaitMaxSeconds?: number;
  /** Declare `experimental['claude/channel']` and push fired notifications into Claude Code sessions. */
  claudeChannel?: boolean;
}

export interface McpDeps {
  services: Services;
  /** The scheduling use cases; reminders, schedules and events answer "not available" without them. */
  scheduling?: SchedulingServices | undefined;
  log: Logger;
  clock: Clock;
  options: McpOptions;
  /**
   * Stores a notification in the inbox. Used when `run` stops waiting and the run's own
   * `notify_on` would not report its outcome, so the promised result still reaches the inbox.
   */
  addNotification?: ((draft: NotificationDraft) => Notification) | undefined;
  /** A chain's definition at a given version (older versions in get/visualize). */
  definitionAt?: ((chainId: string, version: number) => ChainDefinition) | undefined;
  /** Called after every tool call (e.g. to check for new notifications to push). */
  afterToolCall?: (() => void) | undefined;
  /** True when an API model is configured; otherwise LLM work started from chat may use sampling. */
  hasConfiguredLlm?: boolean | undefined;
  /** What the connected client declared (set by the server per session). */
  clientCapabilities?: (() => ClientCapabilities | undefined) | undefined;
  /** Runs `fn` with this model for every LLM step it starts (MCP sampling). */
  withLlm?: (<T>(llm: LlmClient, fn: () => Promise<T>) => Promise<T>) | undefined;
  /** Drafts a chain definition from words (chain_tool "draft"); saves nothing. */
  draftChain?: ((request: string, opts: { name?: string | undefined; llm?: LlmClient | undefined }) => Promise<ChainDraft>) | undefined;
}

export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** What one tool call's handler gets. */
export interface CallContext {
  deps: McpDeps;
  extra: Extra;
  /** Tells subscribed clients that a resource changed. */
  changed(uri: string): void;
}

export const DEFAULT_WAIT_SECONDS = 30;
export const MAX_WAIT_SECONDS = 120;

export const URI = {
  inbox: 'chainloom://inbox',
  chain: (id: string): string => `chainloom://chains/${id}`,
  run: (id: string): string => `chainloom://runs/${id}`,
} as const;
