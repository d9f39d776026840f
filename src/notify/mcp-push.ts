import type { Notification, Notifier } from '../engine/ports.js';
import { notificationText } from './fan-out.js';

/** What one connected MCP session can be told; implemented by mcp/server.ts. */
export interface McpPushTarget {
  /** `notifications/message`, sent only when the client asked for log messages at this level. */
  log(level: 'notice' | 'warning', data: Record<string, unknown>): Promise<void>;
  /** `notifications/resources/updated`, sent only when the client subscribed to the URI. */
  resourceUpdated(uri: string): Promise<void>;
  /** `notifications/claude/channel`: present only when the opt-in flag is on. */
  channel?: ((content: string, meta: Record<string, string>) => Promise<void>) | undefined;
}

/** The content and meta of a Claude Code channel event (meta keys are plain identifiers). */
export function channelEvent(n: Notification): { content: string; meta: Record<string, string> } {
  const { title, body } = notificationText(n);
  const meta: Record<string, string> = { kind: n.kind, notification_id: n.id };
  if (n.chainId !== undefined) meta['chain_id'] = n.chainId;
  if (n.runId !== undefined) meta['run_id'] = n.runId;
  if (n.dueAt !== undefined) meta['due_at'] = n.dueAt;
  return { content: body === '' ? title : `${title}\n${body}`, meta };
}

/**
 * Tells every connected MCP session about a notification by each standard means there is (a log
 * message, an update of chainloom://inbox) and, when enabled, the Claude Code channel, which is
 * the one that reaches a live conversation today. Per-session failures are swallowed: the inbox
 * still holds the notification.
 */
export function createMcpPushNotifier(
  sessions: () => Iterable<McpPushTarget>,
  opts: { inboxUri: string },
): Notifier {
  return {
    name: 'mcp',
    async deliver(n: Notification): Promise<void> {
      const { title, body } = notificationText(n);
      const level = n.kind === 'run_failed' ? 'warning' : 'notice';
      const data = {
        event: 'chainloom.notification',
        id: n.id,
        kind: n.kind,
        title,
        body,
        chain_id: n.chainId,
        run_id: n.runId,
        due_at: n.dueAt,
      };
      const event = channelEvent(n);
      const sends: Promise<void>[] = [];
      for (const s of sessions()) {
        sends.push(s.log(level, data), s.resourceUpdated(opts.inboxUri));
        if (s.channel !== undefined) sends.push(s.channel(event.content, event.meta));
      }
      await Promise.allSettled(sends);
    },
  };
}
