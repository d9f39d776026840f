import { z } from 'zod';
import { URI } from '../context.js';
import { ok } from '../result.js';
import { notificationLine } from '../text.js';
import type { ToolSpec } from '../tool-spec.js';
import { ProblemViewSchema, ErrorViewSchema, NotificationViewSchema, notificationView } from '../views.js';

const InboxInput = {
  mark_read: z.boolean().optional().describe('Mark the listed notifications as read (default true).'),
  ids: z.array(z.string().max(100)).max(500).optional().describe('Only mark these notification ids as read.'),
  include_read: z.boolean().optional().describe('Also list notifications already read (newest first).'),
  limit: z.number().int().min(1).max(200).optional().describe('How many to list (default 50).'),
};
type InboxArgs = z.infer<z.ZodObject<typeof InboxInput>>;

const InboxOutput = {
  ok: z.boolean(),
  message: z.string().optional(),
  items: z.array(NotificationViewSchema).optional(),
  marked_read: z.number().int().optional(),
  error: ErrorViewSchema.optional(),
  operation: z.string().optional(),
  problems: z.array(ProblemViewSchema).optional(),
  notifications: z.array(NotificationViewSchema).optional(),
};

export const inboxTool: ToolSpec<typeof InboxInput, InboxArgs> = {
  name: 'inbox',
  title: 'Inbox',
  description:
    'Notifications waiting for the user: reminders that fired, runs that finished or failed, messages sent by chains. ' +
    'Call it at the start of a conversation and tell the user about anything new. Lists unread items (newest first) and marks them read.',
  inputSchema: InboxInput,
  outputSchema: InboxOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handle(ctx, args) {
    const { inbox } = ctx.deps.services;
    // Everything listed here counts as delivered, so later tool results do not repeat it.
    inbox.takeUndelivered(500);
    if (args.ids !== undefined) {
      const n = inbox.markRead(args.ids);
      if (n > 0) ctx.changed(URI.inbox);
      return ok(`Marked ${n} notification(s) as read.`, {
        message: `marked ${n} read`,
        items: [],
        marked_read: n,
      });
    }
    const items = inbox.list(args.include_read !== true, args.limit ?? 50).map(notificationView);
    const unread = items.filter((n) => !n.read).map((n) => n.id);
    const marked = args.mark_read === false || unread.length === 0 ? 0 : inbox.markRead(unread);
    if (marked > 0) ctx.changed(URI.inbox);
    const text =
      items.length === 0
        ? 'Nothing new in the inbox.'
        : `${unread.length} unread notification(s)${args.include_read === true ? ` (${items.length} listed)` : ''}:\n${items.map(notificationLine).join('\n')}${marked > 0 ? '\nMarked as read.' : ''}`;
    return ok(text, { message: `${unread.length} unread`, items, marked_read: marked });
  },
};
