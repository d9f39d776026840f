import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Notification, Notifier } from '../../src/engine/ports.js';
import { createDesktopNotifier, desktopCommand, findOnPath } from '../../src/notify/desktop.js';
import { fanOut } from '../../src/notify/fan-out.js';
import { createMcpPushNotifier, type McpPushTarget } from '../../src/notify/mcp-push.js';
import { createWebhookNotifier } from '../../src/notify/webhook.js';
import { TestClock } from '../support/clock.js';
import { tempDir } from '../support/cli.js';
import { recordingLogger } from '../mcp/harness.js';

const note = (over: Partial<Notification> = {}): Notification => ({
  id: 'ntf_1',
  kind: 'reminder',
  title: 'Reminder',
  body: 'call Anna',
  dueAt: '2025-03-05T15:35:00.000Z',
  createdAt: '2025-03-05T15:35:00.100Z',
  deliveredAt: null,
  readAt: null,
  ...over,
});

let tmp: ReturnType<typeof tempDir> | undefined;
afterEach(() => {
  tmp?.cleanup();
  tmp = undefined;
});

describe('desktop notifications', () => {
  it('builds a command per platform with the texts as plain arguments', () => {
    expect(desktopCommand('linux', '/usr/bin/notify-send', 'T', 'B')).toEqual({
      command: '/usr/bin/notify-send',
      args: ['--app-name=chainloom', 'T', 'B'],
    });
    const mac = desktopCommand('darwin', 'osascript', 'say "hi" & quit', 'B')!;
    expect(mac.args.slice(-2)).toEqual(['say "hi" & quit', 'B']); // argv, never inside the script
    expect(mac.args.join(' ')).toContain('item 1 of argv');
    const win = desktopCommand('win32', 'powershell', "it's $(rm -r) ’x", 'B')!;
    const script = win.args.at(-1)!;
    expect(script).toContain("'it''s $(rm -r) ’’x'"); // single-quoted literal: nothing expands
    expect(desktopCommand('aix', 'x', 'T', 'B')).toBeUndefined();
  });

  it('is absent when the program is not on PATH, and shows through a runner when present', async () => {
    tmp = tempDir();
    const log = recordingLogger();
    expect(createDesktopNotifier({ platform: 'linux', searchPath: tmp.dir, log })).toBeUndefined();
    const bin = join(tmp.dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'notify-send'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(bin, 'notify-send'), 0o755);
    expect(findOnPath('notify-send', `${tmp.dir}:${bin}`, 'linux')).toBe(join(bin, 'notify-send'));

    const calls: string[][] = [];
    let succeed = false;
    const desktop = createDesktopNotifier({
      platform: 'linux',
      searchPath: bin,
      log,
      run: async (cmd, args) => {
        calls.push([cmd, ...args]);
        return succeed;
      },
    })!;
    await desktop.deliver(note());
    await desktop.deliver(note());
    expect(calls[0]).toEqual([
      join(bin, 'notify-send'),
      '--app-name=chainloom',
      '⏰ Reminder: call Anna',
      'due 2025-03-05T15:35:00.000Z',
    ]);
    expect(log.entries.filter((e) => e.level === 'warn')).toHaveLength(1); // failure logged once, never thrown
    succeed = true;
    await desktop.deliver(note({ kind: 'run_failed', title: '"x" failed', body: 'Step a: boom' }));
    expect(calls[2]!.slice(-2)).toEqual(['⚠️ "x" failed', 'Step a: boom']);
  });

  it('really runs the program (a stub notify-send that records its arguments)', async () => {
    tmp = tempDir();
    const out = join(tmp.dir, 'args.txt');
    writeFileSync(join(tmp.dir, 'notify-send'), `#!/bin/sh\nprintf '%s\\n' "$@" > "${out}"\n`);
    chmodSync(join(tmp.dir, 'notify-send'), 0o755);
    const desktop = createDesktopNotifier({
      platform: 'linux',
      searchPath: tmp.dir,
      log: recordingLogger(),
    })!;
    await desktop.deliver(note({ body: 'it\'s "quoted"; $(echo no)' }));
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(out, 'utf8')).toBe(
      '--app-name=chainloom\n⏰ Reminder: it\'s "quoted"; $(echo no)\ndue 2025-03-05T15:35:00.000Z\n',
    );
  });
});

describe('webhook', () => {
  async function receiver(statuses: number[]) {
    const got: { headers: Record<string, string | string[] | undefined>; body: any }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        got.push({ headers: req.headers, body: JSON.parse(body) });
        res.writeHead(statuses[got.length - 1] ?? 200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?token=secret`;
    return { got, url, close: () => new Promise((r) => server.close(r)) };
  }

  it('POSTs JSON with an idempotency key, retrying 5xx with backoff', async () => {
    const rx = await receiver([503, 500, 200]);
    const clock = new TestClock();
    const hook = createWebhookNotifier({
      url: rx.url,
      headers: { authorization: 'Bearer t' },
      clock,
      log: recordingLogger(),
      backoffMs: 100,
    });
    await hook.deliver(note());
    await rx.close();
    expect(rx.got).toHaveLength(3);
    expect(clock.sleeps).toEqual([100, 200]);
    expect(rx.got[0]!.headers).toMatchObject({
      'content-type': 'application/json',
      'idempotency-key': 'ntf_1',
      authorization: 'Bearer t',
    });
    expect(rx.got[0]!.body).toMatchObject({
      type: 'chainloom.notification',
      id: 'ntf_1',
      kind: 'reminder',
      body: 'call Anna',
      text: '⏰ Reminder: call Anna\ndue 2025-03-05T15:35:00.000Z',
    });
  });

  it('gives up at once on a 4xx, and after the last attempt on network errors; never throws, never logs the URL path', async () => {
    const rx = await receiver([400]);
    const log = recordingLogger();
    const clock = new TestClock();
    await createWebhookNotifier({ url: rx.url, clock, log }).deliver(note());
    await rx.close();
    expect(rx.got).toHaveLength(1);
    await createWebhookNotifier({ url: rx.url, clock, log, attempts: 3, timeoutMs: 500 }).deliver(note()); // server closed: refused
    expect(clock.sleeps).toEqual([1000, 2000]);
    const warns = log.entries.filter((e) => e.level === 'warn');
    expect(warns).toHaveLength(2);
    expect(JSON.stringify(warns)).not.toContain('secret');
  });
});

describe('fan-out and MCP push', () => {
  it('delivers to every channel; one failing or throwing channel does not stop the others', async () => {
    const seen: string[] = [];
    const ok: Notifier = { name: 'ok', deliver: async (n) => void seen.push(n.id) };
    const bad: Notifier = { name: 'bad', deliver: async () => Promise.reject(new Error('down')) };
    const log = recordingLogger();
    await fanOut([bad, ok], log).deliver(note());
    expect(seen).toEqual(['ntf_1']);
    expect(log.entries).toEqual([
      expect.objectContaining({ level: 'warn', obj: expect.objectContaining({ channel: 'bad' }) }),
    ]);
  });

  it('tells every session: log message, inbox update, and the channel where enabled', async () => {
    const calls: unknown[][] = [];
    const target = (name: string, channel: boolean): McpPushTarget => ({
      log: async (level, data) => void calls.push([name, 'log', level, data['kind']]),
      resourceUpdated: async (uri) => void calls.push([name, 'updated', uri]),
      channel: channel
        ? async (content, meta) => void calls.push([name, 'channel', content, meta['run_id']])
        : undefined,
    });
    const failing: McpPushTarget = {
      log: () => Promise.reject(new Error('gone')),
      resourceUpdated: () => Promise.reject(new Error('gone')),
    };
    const push = createMcpPushNotifier(() => [target('a', false), failing, target('b', true)], {
      inboxUri: 'chainloom://inbox',
    });
    await push.deliver(note({ kind: 'run_failed', title: '"x" failed', body: 'boom', runId: 'run_1' }));
    expect(calls).toEqual([
      ['a', 'log', 'warning', 'run_failed'],
      ['a', 'updated', 'chainloom://inbox'],
      ['b', 'log', 'warning', 'run_failed'],
      ['b', 'updated', 'chainloom://inbox'],
      ['b', 'channel', '⚠️ "x" failed\nboom', 'run_1'],
    ]);
  });
});
