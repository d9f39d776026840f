#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AppError, ValidationError, errorMessage } from '../domain/errors.js';
import { type App, createApp } from './app.js';
import { type Args, flag, has, parseArgs, parseDuration } from './args.js';
import { chainCommand } from './commands/chain.js';
import { daemonServiceCommand, runDaemon } from './commands/daemon.js';
import { emitCommand, remindCommand, scheduleCommand, triggerCommand } from './commands/schedule.js';
import { type Config, loadConfig } from './config.js';
import type { Io } from './io.js';

const HELP = `chainloom: scheduled, durable task chains for chat assistants

Usage:
  chainloom chain create -f chain.json        define a chain (validated, versioned)
  chainloom chain list [--status S] [--tag T] [--search TEXT]
  chainloom chain show <chain> [--version N]
  chainloom chain update <chain> -f chain.json [--note TEXT]
  chainloom chain delete <chain>
  chainloom chain duplicate <chain> [--name NEW]
  chainloom chain versions <chain> [--diff A,B]
  chainloom chain rollback <chain> --to N
  chainloom chain audit <chain>                who changed what, when
  chainloom chain run <chain> [--input k=v ...] [--inputs JSON] [--wait | --detach]
  chainloom chain history [<chain> | <run-id>] [--status failed] [--since 7d] [--search TEXT] [--limit N]
  chainloom chain stats [<chain>] [--since 30d]
  chainloom chain cancel|pause|resume <run-id>
  chainloom chain validate -f chain.json
  chainloom chain test (<chain> | -f chain.json) [--fixtures fixtures.json] [--input k=v]
  chainloom chain draft "<words>" [--save] [--yes] [--name N]   draft a chain with the LLM; saved only when you confirm
  chainloom remind "<words>" [--tz ZONE]        e.g. "every Monday at 8 to send the report"
  chainloom schedule add <chain> "<when>" [--tz Z] [--catch-up skip|run_once|run_all] [--overlap skip|queue|allow] [--replace]
  chainloom schedule list [<chain>] [--all] | pause|resume|remove|fires <schedule-id>
  chainloom trigger add <chain> <event> | list [<chain>] | remove <trigger-id>
                                               events: a name you emit, chain.completed:<chain>, chain.failed:<chain>
  chainloom emit <event> [--data JSON]         run the chains listening to an event
  chainloom serve                              MCP server over stdio (for chat apps), with the scheduler
  chainloom serve --http [--port N]            MCP over Streamable HTTP on 127.0.0.1, bearer token required
  chainloom daemon                             fire schedules while no chat app is open
  chainloom daemon install | uninstall         as a systemd user service (Linux) or launchd agent (macOS)
  chainloom inbox [--all] [--read]             notifications (fired reminders, failed runs); --read marks them read
  chainloom resume                             continue every unfinished run
  chainloom prune --older-than 90d             delete old finished runs
  chainloom parse "<text>" [--now ISO] [--tz ZONE] [--json] | --jsonl

Every command takes --json for machine-readable output.
Environment: CHAINLOOM_DB (database file), CHAINLOOM_DATA_DIR, CHAINLOOM_ACTOR, CHAINLOOM_TZ,
CHAINLOOM_LOG_LEVEL, CHAINLOOM_HTTP_ALLOW_HOSTS, CHAINLOOM_HTTP_ALLOW_PRIVATE, CHAINLOOM_SHELL=1,
CHAINLOOM_SYNC=full, CHAINLOOM_RETENTION_DAYS, OPENAI_API_KEY, OPENAI_BASE_URL, CHAINLOOM_MODEL.
serve: CHAINLOOM_HTTP_PORT, CHAINLOOM_HTTP_TOKEN, CHAINLOOM_HTTP_ALLOW_ORIGINS, CHAINLOOM_NOTIFY_DESKTOP=0,
CHAINLOOM_WEBHOOK_URL, CHAINLOOM_WEBHOOK_TOKEN, CHAINLOOM_CLAUDE_CHANNEL=1 (Claude Code channel, opt-in).
`;

/** Runs every unfinished run that no live process owns; returns how many. */
export async function resumeAll(app: App): Promise<number> {
  const runs = app.executor.resumable();
  for (const r of runs) {
    try {
      await app.executor.execute(r.id);
    } catch (err) {
      app.log.warn({ runId: r.id, err: errorMessage(err) }, 'could not resume run');
    }
  }
  return runs.length;
}

/** The command line. Returns the exit code: 0 ok, 1 failed, 2 bad usage. */
export async function main(argv: string[], io: Io, config: Config, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    io.stderr.write(`chainloom: ${errorMessage(err)}\n`);
    return 2;
  }
  const [command, sub, ...rest] = args.positionals;
  if (command === undefined || command === 'help' || (has(args, 'help') && command !== 'parse')) {
    io.stdout.write(HELP);
    return command === undefined && !has(args, 'help') ? 2 : 0;
  }
  if (command === 'parse') {
    // Loaded on demand: chrono-node is only needed here.
    const { runParseCommand } = await import('./parse-command.js');
    return runParseCommand(argv.slice(argv.indexOf('parse') + 1), {
      stdin: io.stdin,
      stdout: io.stdout,
      stderr: io.stderr,
      defaultTimeZone: config.timeZone,
      now: () => new Date(),
    });
  }
  if (command === 'daemon' && (sub === 'install' || sub === 'uninstall')) {
    try {
      return daemonServiceCommand(sub, config, env, io, args);
    } catch (err) {
      return reportError(io, err, has(args, 'json'));
    }
  }
  let app: App | undefined;
  try {
    app = createApp(config);
    switch (command) {
      case 'chain': {
        const code = await chainCommand(app, io, sub, { ...args, positionals: rest });
        await app.drain();
        return code;
      }
      case 'remind':
        return await remindCommand(app, io, { ...args, positionals: args.positionals.slice(1) });
      case 'emit':
        return await emitCommand(app, io, { ...args, positionals: args.positionals.slice(1) });
      case 'schedule':
        return await scheduleCommand(app, io, sub, { ...args, positionals: rest });
      case 'trigger':
        return await triggerCommand(app, io, sub, { ...args, positionals: rest });
      case 'serve': {
        // Loaded on demand: the MCP SDK is only needed here.
        const { serveCommand } = await import('./commands/serve.js');
        return await serveCommand(app, io, args);
      }
      case 'daemon':
        if (sub !== undefined) throw new AppError('bad_usage', `unknown daemon subcommand "${sub}"`, { hint: 'Use: daemon, daemon install, daemon uninstall.' });
        return await runDaemon(app, io);
      case 'inbox': {
        const list = app.services.inbox.list(!has(args, 'all'), Number(flag(args, 'limit') ?? 50));
        if (has(args, 'read')) app.services.inbox.markRead(list.map((n) => n.id));
        io.stdout.write(
          has(args, 'json')
            ? `${JSON.stringify(list, null, 2)}\n`
            : `${list.length === 0 ? 'Inbox is empty.' : list.map((n) => `${n.createdAt.replace('T', ' ').slice(0, 19)}  ${n.title}: ${n.body}${n.readAt === null ? '' : ' (read)'}`).join('\n')}\n`,
        );
        return 0;
      }
      case 'resume': {
        const n = await resumeAll(app);
        io.stdout.write(has(args, 'json') ? `${JSON.stringify({ resumed: n })}\n` : `Resumed ${n} unfinished run(s).\n`);
        return 0;
      }
      case 'prune': {
        const older = flag(args, 'older-than') ?? `${config.retentionDays}d`;
        const res = app.services.prune(parseDuration(older));
        app.store.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
        io.stdout.write(has(args, 'json') ? `${JSON.stringify(res)}\n` : `Removed ${res.removed} finished run(s) older than ${older}.\n`);
        return 0;
      }
      default:
        io.stderr.write(`chainloom: unknown command "${command}"\n\n${HELP}`);
        return 2;
    }
  } catch (err) {
    return reportError(io, err, has(args, 'json'));
  } finally {
    app?.close();
  }
}

function reportError(io: Io, err: unknown, json: boolean): number {
  if (err instanceof AppError) {
    if (json) {
      const problems = err instanceof ValidationError ? err.problems : undefined;
      io.stdout.write(`${JSON.stringify({ ok: false, code: err.code, message: err.message, hint: err.hint, problems })}\n`);
    }
    io.stderr.write(`chainloom: ${err.message}\n${err.hint !== undefined ? `hint: ${err.hint}\n` : ''}`);
    return err.code === 'bad_usage' ? 2 : 1;
  }
  io.stderr.write(`chainloom: unexpected error: ${errorMessage(err)}\n`);
  return 1;
}

function isEntryPoint(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

const isEntry = isEntryPoint();
if (isEntry) {
  const io: Io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, stderrIsTTY: process.stderr.isTTY === true };
  main(process.argv.slice(2), io, loadConfig(process.env)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`chainloom: ${errorMessage(err)}\n`);
      process.exitCode = 1;
    },
  );
}
