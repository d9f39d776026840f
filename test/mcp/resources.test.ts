import {
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { type McpHarness, WEATHER_CHAIN, connectMcp } from './harness.js';

let m: McpHarness;
afterEach(async () => {
  await m?.close();
});

const settle = () => new Promise((r) => setTimeout(r, 10));
const jsonOf = (r: { contents: unknown[] }): any => JSON.parse((r.contents[0] as { text: string }).text);

describe('resources', () => {
  it('lists the inbox and templated chains and runs, and reads them', async () => {
    m = await connectMcp();
    const c = await m.chainTool({ operation: 'create', definition: WEATHER_CHAIN });
    const run = await m.chainTool({ operation: 'run', chain_id: c.data.chain.id });

    const templates = await m.client.listResourceTemplates();
    expect(templates.resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual([
      'chainloom://chains/{id}',
      'chainloom://runs/{id}',
    ]);
    const listed = await m.client.listResources();
    const uris = listed.resources.map((r) => r.uri);
    expect(uris).toContain('chainloom://inbox');
    expect(uris).toContain(`chainloom://chains/${c.data.chain.id}`);
    expect(uris).toContain(`chainloom://runs/${run.data.run.id}`);

    const chain = jsonOf(await m.client.readResource({ uri: `chainloom://chains/${c.data.chain.id}` }));
    expect(chain.chain.name).toBe('Morning weather');
    expect(chain.definition.steps).toHaveLength(2);
    const r = jsonOf(await m.client.readResource({ uri: `chainloom://runs/${run.data.run.id}` }));
    expect(r.run.status).toBe('completed');
    expect(r.steps).toHaveLength(2);
    expect(r.mermaid).toContain('class s_fetch completed');
    const inbox = jsonOf(await m.client.readResource({ uri: 'chainloom://inbox' }));
    expect(inbox).toEqual({ unread_count: 0, unread: [] });
  });

  it('an unknown chain or run is a resource-not-found error without internals', async () => {
    m = await connectMcp();
    await expect(m.client.readResource({ uri: 'chainloom://chains/nope' })).rejects.toThrow(
      /-32002.*"nope" was not found/,
    );
    await expect(m.client.readResource({ uri: 'chainloom://runs/run_x' })).rejects.toThrow(/-32002/);
  });

  it('sends resources/updated for subscribed URIs only, until unsubscribed', async () => {
    m = await connectMcp();
    const updated: string[] = [];
    m.client.setNotificationHandler(
      ResourceUpdatedNotificationSchema,
      (n) => void updated.push(n.params.uri),
    );
    const c = await m.chainTool({ operation: 'create', definition: WEATHER_CHAIN });
    const uri = `chainloom://chains/${c.data.chain.id}`;
    await m.chainTool({ operation: 'update', chain_id: c.data.chain.id, description: 'not subscribed yet' });
    await settle();
    expect(updated).toEqual([]);

    await m.client.subscribeResource({ uri });
    await m.client.subscribeResource({ uri: 'chainloom://inbox' });
    await m.chainTool({ operation: 'update', chain_id: c.data.chain.id, description: 'subscribed now' });
    await settle();
    expect(updated).toEqual([uri]);

    m.h.store.notifications.add({ kind: 'reminder', title: 'Reminder', body: 'stretch' }, m.clock.now());
    await m.mcp.pushNotification(m.h.services.inbox.list(true, 1)[0]!);
    await settle();
    expect(updated).toEqual([uri, 'chainloom://inbox']);

    await m.client.unsubscribeResource({ uri });
    await m.chainTool({ operation: 'update', chain_id: c.data.chain.id, description: 'unsubscribed' });
    await settle();
    expect(updated).toEqual([uri, 'chainloom://inbox']);
  });

  it('subscribers to a run hear when it finishes', async () => {
    m = await connectMcp();
    const updated: string[] = [];
    m.client.setNotificationHandler(
      ResourceUpdatedNotificationSchema,
      (n) => void updated.push(n.params.uri),
    );
    await m.chainTool({ operation: 'create', definition: WEATHER_CHAIN });
    const r = await m.chainTool({ operation: 'run', name: 'Morning weather', wait: false });
    await m.client.subscribeResource({ uri: `chainloom://runs/${r.data.run.id}` });
    for (let i = 0; i < 50 && !updated.length; i++) await settle();
    expect(updated).toContain(`chainloom://runs/${r.data.run.id}`);
  });
});

describe('pushing notifications to a live session', () => {
  const note = (m: McpHarness) =>
    m.h.store.notifications.add(
      { kind: 'reminder', title: 'Reminder', body: 'call Anna', dueAt: '2025-03-05T15:15:00.000Z' },
      m.clock.now(),
    );

  it('sends log messages only after the client asked for them', async () => {
    m = await connectMcp();
    const logs: unknown[] = [];
    m.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params));
    await m.mcp.pushNotification(note(m));
    await settle();
    expect(logs).toEqual([]);
    await m.client.setLoggingLevel('info');
    await m.mcp.pushNotification(note(m));
    await settle();
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'notice',
        logger: 'chainloom',
        data: expect.objectContaining({ kind: 'reminder', title: '⏰ Reminder: call Anna' }),
      }),
    ]);
    await m.client.setLoggingLevel('error');
    await m.mcp.pushNotification(note(m));
    await settle();
    expect(logs).toHaveLength(1);
  });

  it('declares and uses the Claude Code channel only when opted in', async () => {
    const ChannelSchema = z.object({
      method: z.literal('notifications/claude/channel'),
      params: z.object({ content: z.string(), meta: z.record(z.string(), z.string()) }),
    });
    m = await connectMcp();
    expect(m.client.getServerCapabilities()?.experimental).toBeUndefined();
    await m.close();

    m = await connectMcp({ options: { claudeChannel: true } });
    expect(m.client.getServerCapabilities()?.experimental).toEqual({ 'claude/channel': {} });
    const events: z.infer<typeof ChannelSchema>['params'][] = [];
    m.client.setNotificationHandler(ChannelSchema, (n) => void events.push(n.params));
    const n = note(m);
    await m.mcp.pushNotification(n);
    await settle();
    expect(events).toEqual([
      {
        content: '⏰ Reminder: call Anna\ndue 2025-03-05T15:15:00.000Z',
        meta: { kind: 'reminder', notification_id: n.id, due_at: '2025-03-05T15:15:00.000Z' },
      },
    ]);
  });
});
