import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../domain/errors.js';
import type { App } from '../app.js';
import { type Args, has } from '../args.js';
import type { Config } from '../config.js';
import type { Io } from '../io.js';

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
const UNIT = 'chainloom.service';
const LABEL = 'dev.chainloom.daemon';

/** Runs the scheduler until SIGINT/SIGTERM. Resolves with the exit code. */
export function runDaemon(app: App, io: Io): Promise<number> {
  app.startScheduler();
  const holder = app.store.schedules.leaseHolder('scheduler');
  io.stderr.write(
    `chainloom daemon: ${app.scheduler.isLeader ? 'firing schedules' : `standing by (scheduler held by ${holder?.owner ?? 'another process'})`}; database ${app.config.dbPath}\n`,
  );
  return new Promise((resolve) => {
    const stop = (signal: string): void => {
      io.stderr.write(`chainloom daemon: ${signal}, stopping\n`);
      app.scheduler.stop();
      // Unfinished runs are durable: whatever is mid-step resumes in the next process.
      void Promise.race([app.drain(), new Promise((r) => setTimeout(r, 3000).unref())]).then(() => resolve(0));
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

export interface ServiceFile {
  path: string;
  content: string;
  enable: string[][];
  disable: string[][];
}

/** The user-service definition for this platform: a systemd user unit, or a launchd agent. */
export function serviceFile(config: Config, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): ServiceFile {
  const home = env['HOME'] ?? '';
  const node = process.execPath;
  const keep = ['CHAINLOOM_DB', 'CHAINLOOM_DATA_DIR', 'CHAINLOOM_TZ', 'CHAINLOOM_ACTOR', 'OPENAI_BASE_URL', 'CHAINLOOM_MODEL', 'CHAINLOOM_HTTP_ALLOW_HOSTS']
    .filter((k) => env[k] !== undefined)
    .map((k) => [k, env[k]!] as const);
  if (platform === 'darwin') {
    const path = join(home, 'Library', 'LaunchAgents', `${LABEL}.plist`);
    const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const envXml = keep.map(([k, v]) => `      <key>${xml(k)}</key><string>${xml(v)}</string>`).join('\n');
    const content = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
  <dict>
    <key>Label</key><string>${LABEL}</string>
    <key>ProgramArguments</key>
    <array><string>${xml(node)}</string><string>${xml(MAIN)}</string><string>daemon</string></array>
    <key>EnvironmentVariables</key>
    <dict>
${envXml}
    </dict>
    <key>RunAtLoad</key><true/>
    <key>KeepAlive</key><true/>
    <key>StandardErrorPath</key><string>${xml(join(config.dataDir, 'daemon.log'))}</string>
  </dict>
</plist>
`;
    return { path, content, enable: [['launchctl', 'load', '-w', path]], disable: [['launchctl', 'unload', '-w', path]] };
  }
  if (platform === 'linux') {
    const base = env['XDG_CONFIG_HOME'] ?? join(home, '.config');
    const path = join(base, 'systemd', 'user', UNIT);
    const quote = (s: string): string => `"${s.replace(/(["\\])/g, '\\$1')}"`;
    const content = `[Unit]
Description=chainloom scheduler (scheduled task chains and reminders)
After=network-online.target

[Service]
ExecStart=${quote(node)} ${quote(MAIN)} daemon
Restart=on-failure
RestartSec=5
${keep.map(([k, v]) => `Environment=${quote(`${k}=${v}`)}`).join('\n')}

[Install]
WantedBy=default.target
`;
    return {
      path,
      content,
      enable: [['systemctl', '--user', 'daemon-reload'], ['systemctl', '--user', 'enable', '--now', UNIT]],
      disable: [['systemctl', '--user', 'disable', '--now', UNIT]],
    };
  }
  throw new AppError('unsupported_platform', `daemon install supports Linux (systemd) and macOS (launchd), not ${platform}`, {
    hint: 'Run "chainloom daemon" from your system\'s task scheduler instead.',
  });
}

function runAll(cmds: string[][], io: Io): boolean {
  for (const [cmd, ...rest] of cmds) {
    const r = spawnSync(cmd!, rest, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    if (r.error !== undefined || r.status !== 0) {
      io.stderr.write(`note: "${[cmd, ...rest].join(' ')}" did not succeed (${r.error?.message ?? r.stderr.trim()}); run it yourself.\n`);
      return false;
    }
  }
  return true;
}

/** chainloom daemon install|uninstall [--no-start] */
export function daemonServiceCommand(sub: 'install' | 'uninstall', config: Config, env: NodeJS.ProcessEnv, io: Io, args: Args): number {
  const svc = serviceFile(config, env);
  const start = !has(args, 'no-start');
  if (sub === 'install') {
    mkdirSync(dirname(svc.path), { recursive: true });
    writeFileSync(svc.path, svc.content);
    const started = start && runAll(svc.enable, io);
    io.stdout.write(
      `Wrote ${svc.path}\n${started ? 'The chainloom daemon is running and starts at login.' : `Start it with: ${svc.enable.map((c) => c.join(' ')).join(' && ')}`}\n`,
    );
    return 0;
  }
  if (start && existsSync(svc.path)) runAll(svc.disable, io);
  const existed = existsSync(svc.path);
  rmSync(svc.path, { force: true });
  io.stdout.write(existed ? `Removed ${svc.path}\n` : `Nothing to remove (${svc.path} does not exist).\n`);
  return 0;
}
