import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { AppError, errorMessage } from '../../domain/errors.js';
import type { Notifier } from '../../engine/ports.js';
import { URI } from '../../mcp/context.js';
import type { HttpHandle } from '../../mcp/http.js';
import { type ChainloomServer, type McpDeps, createServer } from '../../mcp/server.js';
import { createDesktopNotifier } from '../../notify/desktop.js';
import { fanOut } from '../../notify/fan-out.js';
import { createNotificationFeed } from '../../notify/feed.js';
import { createMcpPushNotifier } from '../../notify/mcp-push.js';
import { createWebhookNotifier } from '../../notify/webhook.js';
import type { App } from '../app.js';
import { type Args, flag, has } from '../args.js';
import type { Io } from '../io.js';

/** How long shutdown waits for runs in flight; they are durable and resume in the next process anyway. */
const GRACE_MS = { stdinClosed: 10_000, signal: 3_000 };

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Out-of-band channels from configuration: desktop and webhook, each only when usable. */
function outOfBandChannels(app: App): Notifier[] {
  const { serve } = app.config;
  const channels: Notifier[] = [];
  if (serve.desktopNotify) {
    const desktop = createDesktopNotifier({
      platform: process.platform,
      searchPath: serve.searchPath,
      log: app.log,
    });
    if (desktop !== undefined) channels.push(desktop);
  }
  if (serve.webhookUrl !== undefined) {
    channels.push(
      createWebhookNotifier({
        url: serve.webhookUrl,
        headers: serve.webhookToken === undefined ? {} : { authorization: `Bearer ${serve.webhookToken}` },
        clock: app.clock,
        log: app.log,
      }),
    );
  }
  return channels;
}

async function waitForRuns(app: App, graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs;
  const timeout = new Promise<void>((r) => setTimeout(r, graceMs).unref());
  await Promise.race([app.drain(), timeout]);
  while (app.executor.runningCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

/**
 * `chainloom serve [--http [--port N]]`: the MCP server with the embedded scheduler. Resolves with
 * the exit code when the client goes away (stdio) or on SIGINT/SIGTERM.
 */
export async function serveCommand(app: App, io: Io, args: Args): Promise<number> {
  const { config, log } = app;
  const useHttp = has(args, 'http');
  const portFlag = flag(args, 'port');
  const port = portFlag === undefined ? config.serve.httpPort : Number(portFlag);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new AppError('bad_usage', `--port "${portFlag}" is not a port number`, {
      hint: 'Use 0 to 65535 (0 picks a free port).',
    });
  }

  const sessions = new Set<ChainloomServer>();
  const external = outOfBandChannels(app);
  const outOfBand = fanOut(external, log);
  const mcpPush = createMcpPushNotifier(() => [...sessions].map((s) => s.pushTarget), {
    inboxUri: URI.inbox,
  });
  const feed = createNotificationFeed({
    source: app.services.inbox,
    log,
    onNew: (n, origin) => {
      // Outside the writer's transaction; every session hears of it, but only the process that
      // created it notifies the desktop and webhook (several processes may share the database).
      setImmediate(() => {
        void mcpPush.deliver(n);
        if (origin === 'local' && external.length > 0) void outOfBand.deliver(n);
      });
    },
  });
  const unobserve = app.store.notifications.subscribe((n) => feed.offer(n));

  const deps: McpDeps = {
    services: app.services,
    scheduling: app.scheduling,
    log,
    clock: app.clock,
    options: {
      version: packageVersion(),
      timeZone: config.timeZone,
      claudeChannel: config.serve.claudeChannel,
    },
    addNotification: (d) => app.services.inbox.add(d),
    definitionAt: (chainId, version) => app.services.getChain(chainId, version).definition,
    afterToolCall: () => feed.check(),
    hasConfiguredLlm: app.hasLlm,
    withLlm: (client, fn) => app.withLlm(client, fn),
    draftChain: (request, opts) => app.drafter(request, opts),
  };
  const createSession = (): ChainloomServer => {
    const s = createServer(deps);
    sessions.add(s);
    const previous = s.server.server.onclose;
    s.server.server.onclose = () => {
      previous?.();
      sessions.delete(s);
    };
    return s;
  };

  const onRejection = (err: unknown): void => log.error({ err: errorMessage(err) }, 'unhandled rejection');
  process.on('unhandledRejection', onRejection);

  // Unfinished runs first: claiming them now keeps the scheduler's orphan pick-up from racing us.
  for (const r of app.executor.resumable()) {
    app.executor
      .execute(r.id)
      .catch((err: unknown) => log.warn({ runId: r.id, err: errorMessage(err) }, 'could not resume run'));
  }
  app.startScheduler();
  feed.start();

  let http: HttpHandle | undefined;
  let stdio: ChainloomServer | undefined;
  if (useHttp) {
    const generated = config.serve.httpToken === undefined;
    const token = config.serve.httpToken ?? randomBytes(24).toString('base64url');
    // Loaded only for --http: stdio sessions never pay for the HTTP transport.
    const { startHttpServer } = await import('../../mcp/http.js');
    http = await startHttpServer({
      port,
      token,
      createSession,
      log,
      allowOrigins: config.serve.allowOrigins,
    });
    io.stderr.write(`chainloom: MCP over Streamable HTTP at ${http.url}\n`);
    if (generated)
      io.stderr.write(
        `chainloom: bearer token (generated; set CHAINLOOM_HTTP_TOKEN to keep one): ${token}\n`,
      );
  } else {
    stdio = createSession();
    await stdio.server.connect(new StdioServerTransport(process.stdin, process.stdout));
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (reason: string, graceMs: number): void => {
      if (stopping) return;
      stopping = true;
      log.info({ reason }, 'chainloom serve stopping');
      feed.stop();
      app.scheduler.stop();
      void (async () => {
        try {
          await stdio?.close();
          await http?.close();
          await waitForRuns(app, graceMs);
        } catch (err) {
          log.warn({ err: errorMessage(err) }, 'error while stopping');
        } finally {
          unobserve();
          process.off('unhandledRejection', onRejection);
          process.stdin.off('end', onStdinEnd);
          resolve(0);
        }
      })();
    };
    const onStdinEnd = (): void => stop('the client closed stdin', GRACE_MS.stdinClosed);
    if (stdio !== undefined) process.stdin.once('end', onStdinEnd);
    process.once('SIGINT', () => stop('SIGINT', GRACE_MS.signal));
    process.once('SIGTERM', () => stop('SIGTERM', GRACE_MS.signal));
  });
}
