import { afterEach, describe, expect, it } from 'vitest';
import { type McpHarness, WEATHER_CHAIN, connectMcp } from './harness.js';

let m: McpHarness;
afterEach(async () => {
  await m?.close();
});

const addNote = (h: McpHarness, title: string, kind: 'reminder' | 'message' = 'reminder') =>
  h.h.store.notifications.add(
    { kind, title, body: `${title} body`, dueAt: '2025-03-05T15:00:00.000Z' },
    h.clock.now(),
  );

describe('notifications ride along with every tool result', () => {
  it('appends undelivered notifications once, in text and structuredContent', async () => {
    m = await connectMcp();
    addNote(m, 'Call Anna');
    addNote(m, 'Water the plants');
    const r = await m.chainTool({ operation: 'list' });
    expect(r.isError).toBeFalsy();
    expect(r.data.notifications.map((n: { title: string }) => n.title)).toEqual([
      'Call Anna',
      'Water the plants',
    ]);
    expect(r.data.notifications[0]).toMatchObject({
      kind: 'reminder',
      body: 'Call Anna body',
      due_at: '2025-03-05T15:00:00.000Z',
      read: false,
    });
    expect(r.text).toContain('🔔 While you were away (2 notifications');
    expect(r.text).toContain('Call Anna');

    const again = await m.chainTool({ operation: 'list' });
    expect(again.data.notifications).toBeUndefined();
    expect(again.text).not.toContain('While you were away');
  });

  it('rides along with error results too', async () => {
    m = await connectMcp();
    addNote(m, 'Stand up');
    const r = await m.chainTool({ operation: 'get', name: 'missing' });
    expect(r.isError).toBe(true);
    expect(r.data.notifications[0].title).toBe('Stand up');
    expect(r.text).toContain('Stand up');
  });

  it('a failed run reports itself in the same result (notify_on failure)', async () => {
    m = await connectMcp();
    await m.chainTool({
      operation: 'create',
      definition: {
        name: 'breaks',
        steps: [{ name: 'boom', tool: 'util', operation: 'fail', parameters: { retriable: false } }],
      },
    });
    const r = await m.chainTool({ operation: 'run', name: 'breaks' });
    expect(r.data.run.status).toBe('failed');
    expect(r.data.notifications).toEqual([
      expect.objectContaining({ kind: 'run_failed', run_id: r.data.run.id }),
    ]);
  });
});

describe('inbox tool', () => {
  it('lists unread notifications, marks them read, and can list read ones', async () => {
    m = await connectMcp();
    addNote(m, 'First');
    addNote(m, 'Second', 'message');
    const r = await m.call('inbox');
    expect(r.data.items.map((n: { title: string }) => n.title)).toEqual(['Second', 'First']);
    expect(r.data.marked_read).toBe(2);
    expect(r.data.notifications).toBeUndefined(); // nothing repeated below the list
    expect(r.text).toContain('2 unread notification(s)');

    const empty = await m.call('inbox');
    expect(empty.text).toBe('Nothing new in the inbox.');
    const all = await m.call('inbox', { include_read: true });
    expect(all.data.items).toHaveLength(2);
    expect(all.data.items.every((n: { read: boolean }) => n.read)).toBe(true);
  });

  it('can leave items unread, or mark chosen ids', async () => {
    m = await connectMcp();
    const a = addNote(m, 'Keep');
    addNote(m, 'Other');
    const peek = await m.call('inbox', { mark_read: false });
    expect(peek.data.marked_read).toBe(0);
    const marked = await m.call('inbox', { ids: [a.id, 'ntf_unknown'] });
    expect(marked.data.marked_read).toBe(1);
    const rest = await m.call('inbox');
    expect(rest.data.items.map((n: { title: string }) => n.title)).toEqual(['Other']);
  });
});

describe('run: waiting, progress and detaching', () => {
  it('reports progress notifications while it waits', async () => {
    m = await connectMcp();
    await m.chainTool({ operation: 'create', definition: WEATHER_CHAIN });
    const progress: { progress: number; total?: number | undefined; message?: string | undefined }[] = [];
    const r = await m.call(
      'chain_tool',
      { operation: 'run', name: 'Morning weather' },
      { onprogress: (p) => void progress.push(p) },
    );
    expect(r.data.run.status).toBe('completed');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)).toMatchObject({ progress: 2, total: 2 });
    for (let i = 1; i < progress.length; i++)
      expect(progress[i]!.progress).toBeGreaterThan(progress[i - 1]!.progress);
    expect(progress[0]!.message).toContain('fetch');
  });

  it('with wait false returns the run id; the result reaches the inbox', async () => {
    m = await connectMcp();
    await m.chainTool({ operation: 'create', definition: WEATHER_CHAIN });
    const r = await m.chainTool({ operation: 'run', name: 'Morning weather', wait: false });
    expect(r.data.finished).toBe(false);
    expect(r.text).toContain('inbox');
    const runId = r.data.run.id as string;
    for (let i = 0; i < 50 && m.h.services.getRun(runId).status !== 'completed'; i++)
      await new Promise((res) => setTimeout(res, 5));
    await new Promise((res) => setTimeout(res, 5));
    const next = await m.chainTool({ operation: 'history', run_id: runId });
    expect(next.data.run.status).toBe('completed');
    expect(next.data.notifications).toEqual([
      expect.objectContaining({ kind: 'run_completed', run_id: runId }),
    ]);
  });

  it('a run that outlasts the wait keeps going and can be cancelled', async () => {
    m = await connectMcp({ tools: [hangTool] });
    await m.chainTool({
      operation: 'create',
      definition: { name: 'slow', steps: [{ name: 'wait forever', tool: 'hang', operation: 'forever' }] },
    });
    const r = await m.chainTool({ operation: 'run', name: 'slow', wait_seconds: 0 });
    expect(r.data).toMatchObject({ finished: false, run: { status: 'running' } });
    expect(r.text).toContain('keeps going in the background');
    const c = await m.chainTool({ operation: 'cancel', run_id: r.data.run.id });
    expect(c.isError).toBeFalsy();
    for (let i = 0; i < 50 && m.h.services.getRun(r.data.run.id).status !== 'cancelled'; i++)
      await new Promise((res) => setTimeout(res, 5));
    expect(m.h.services.getRun(r.data.run.id).status).toBe('cancelled');
  });
});

describe('a client that goes away mid-run loses nothing', () => {
  it('a cancelled request leaves the run going; its result lands in the inbox', async () => {
    m = await connectMcp({ tools: [slowTool] });
    await m.chainTool({
      operation: 'create',
      definition: { name: 'slowish', steps: [{ name: 'nap', tool: 'slow', operation: 'nap' }] },
    });
    const abort = new AbortController();
    const pending = m.call('chain_tool', { operation: 'run', name: 'slowish' }, { signal: abort.signal });
    await new Promise((r) => setTimeout(r, 20));
    abort.abort();
    await expect(pending).rejects.toThrow();
    const [run] = m.h.services.history();
    expect(run!.status).toBe('running');
    for (let i = 0; i < 100 && m.h.services.getRun(run!.id).status !== 'completed'; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(m.h.services.getRun(run!.id).status).toBe('completed');
    const inbox = await m.call('inbox');
    expect(inbox.data.items).toEqual([expect.objectContaining({ kind: 'run_completed', run_id: run!.id })]);
  });
});

/** Finishes after 100 ms of real time, so a test can act while it runs. */
const slowTool = {
  name: 'slow',
  description: 'takes a moment',
  operations: {
    nap: {
      description: 'waits 100 ms',
      sideEffects: true,
      execute: () => new Promise((r) => setTimeout(() => r({ rested: true }), 100)),
    },
  },
};

const hangTool = {
  name: 'hang',
  description: 'never finishes unless aborted',
  operations: {
    forever: {
      description: 'waits for abort',
      sideEffects: true,
      execute: (_p: Record<string, unknown>, ctx: { signal: AbortSignal }) =>
        new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }),
        ),
    },
  },
};
