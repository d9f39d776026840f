export { createDesktopNotifier, desktopCommand, findOnPath, type CommandRunner } from './desktop.js';
export { fanOut, notificationText } from './fan-out.js';
export {
  createNotificationFeed,
  type NotificationFeed,
  type NotificationOrigin,
  type NotificationSource,
} from './feed.js';
export { channelEvent, createMcpPushNotifier, type McpPushTarget } from './mcp-push.js';
export { createWebhookNotifier, webhookPayload } from './webhook.js';
