import { McpServer, type ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js';
import { type LoggingLevel, SetLevelRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { errorMessage } from '../domain/errors.js';
import type { Notification } from '../engine/ports.js';
import { type McpPushTarget, createMcpPushNotifier } from '../notify/mcp-push.js';
import { type CallContext, type McpDeps, URI } from './context.js';
import { registerPrompts } from './prompts.js';
import { registerResources } from './resources.js';
import { type ToolOutcome, toCallToolResult, toolError } from './result.js';
import type { ToolSpec } from './tool-spec.js';
import { chainTool } from './tools/chain-tool.js';
import { inboxTool } from './tools/inbox.js';
import { remindTool } from './tools/remind.js';
import { type NotificationView, notificationView } from './views.js';

export type { McpDeps, McpOptions } from './context.js';

/** Shown to the model by clients that honour server instructions. */
export const INSTRUCTIONS = `chainloom gives the user reminders and scheduled, durable task chains.
- At the start of a conversation, call the inbox tool and tell the user about reminders that fired and runs that finished or failed.
- Any tool result may end with a "🔔 While you were away" section (also structuredContent.notifications): tell the user about those items; they are shown only once.
- For "remind me ..." call remind with the user's own words (do not compute dates yourself). Confirm back in words what was understood: the task, when it fires next, the time zone and any assumptions. If the answer is needs_clarification, ask the user the question instead of guessing.
- For multi-step or recurring work use chain_tool: validate (and test, a dry run) a definition before create; after operation 'schedule', confirm the schedule in words with the next run times.
- Runs keep going after a tool call returns; their results arrive in the inbox. Use history and stats to answer questions about past runs.`;

/** Every tool this server offers; the MCPB manifest lists the same names. */
export const TOOLS = [chainTool, remindTool, inboxTool] as const;

export interface ChainloomServer {
  server: McpServer;
  close(): Promise<void>;
  /** Sends `notifications/resources/updated` if the client subscribed to this URI. */
  notifyChanged(uri: string): void;
  /** Tells this session about a new notification (log message, inbox update, Claude Code channel). */
  pushNotification(n: Notification): Promise<void>;
  /** This session as a push target, for a fan-out across sessions. */
  pushTarget: McpPushTarget;
}

const LEVELS: LoggingLevel[] = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
];

/** Builds one MCP server (one per session) on the shared use cases. */
export function createServer(deps: McpDeps): ChainloomServer {
  const { log, services } = deps;
  const channel = deps.options.claudeChannel === true;
  const server = new McpServer(
    { name: 'chainloom', title: 'chainloom', version: deps.options.version },
    {
      instructions: INSTRUCTIONS,
      capabilities: {
        logging: {},
        resources: { subscribe: true, listChanged: true },
        prompts: {},
        tools: {},
        ...(channel ? { experimental: { 'claude/channel': {} } } : {}),
      },
    },
  );
  server.server.onerror = (err) => log.warn({ err: errorMessage(err) }, 'MCP protocol error');

  // Log messages go out only after the client asked for them with logging/setLevel.
  let logLevel: LoggingLevel | undefined;
  server.server.setRequestHandler(SetLevelRequestSchema, (req) => {
    logLevel = req.params.level;
    return {};
  });

  const subscriptions = registerResources(server, deps);
  registerPrompts(server);

  const notifyChanged = (uri: string): void => {
    if (!subscriptions.has(uri) || !server.isConnected()) return;
    server.server
      .sendResourceUpdated({ uri })
      .catch((err: unknown) => log.debug({ uri, err: errorMessage(err) }, 'resources/updated not sent'));
  };

  const register = <S extends z.ZodRawShape, A>(spec: ToolSpec<S, A>): void => {
    const output = z.object(spec.outputSchema);
    const handler: ToolCallback<z.ZodRawShape> = async (args, extra) => {
      const ctx: CallContext = {
        deps: { ...deps, clientCapabilities: () => server.server.getClientCapabilities() },
        extra,
        changed: notifyChanged,
      };
      const operation = spec.operationOf?.(args as A);
      let outcome: ToolOutcome;
      try {
        outcome = await spec.handle(ctx, args as A);
        // Checked here too, so a mismatch is answered by us (notifications intact), not by the SDK.
        const parsed = output.safeParse(outcome.structured);
        if (!parsed.success)
          throw new Error(`structured output does not match the schema: ${z.prettifyError(parsed.error)}`);
      } catch (err) {
        outcome = toolError(err, log, { tool: spec.name, operation });
      }
      let notes: NotificationView[] = [];
      try {
        notes = services.inbox.takeUndelivered(20).map(notificationView);
      } catch (err) {
        log.warn({ err: errorMessage(err) }, 'could not read the inbox');
      }
      try {
        deps.afterToolCall?.();
      } catch (err) {
        log.warn({ err: errorMessage(err) }, 'after-call hook failed');
      }
      return toCallToolResult(outcome, notes);
    };
    server.registerTool<z.ZodRawShape, z.ZodRawShape>(
      spec.name,
      {
        title: spec.title,
        description: spec.description,
        inputSchema: spec.inputSchema,
        outputSchema: spec.outputSchema,
        annotations: spec.annotations,
      },
      handler,
    );
  };
  for (const t of TOOLS) register(t as ToolSpec<z.ZodRawShape, unknown>);

  const pushTarget: McpPushTarget = {
    log: async (level, data) => {
      if (logLevel === undefined || LEVELS.indexOf(level) < LEVELS.indexOf(logLevel) || !server.isConnected())
        return;
      await server.sendLoggingMessage({ level, logger: 'chainloom', data });
    },
    resourceUpdated: async (uri) => notifyChanged(uri),
    channel: channel
      ? async (content, meta) => {
          if (!server.isConnected()) return;
          // A Claude Code extension outside the MCP schema, hence the cast.
          await server.server.notification({
            method: 'notifications/claude/channel',
            params: { content, meta },
          });
        }
      : undefined,
  };
  const push = createMcpPushNotifier(() => [pushTarget], { inboxUri: URI.inbox });

  return {
    server,
    close: () => server.close(),
    notifyChanged,
    pushNotification: (n) => push.deliver(n),
    pushTarget,
  };
}
