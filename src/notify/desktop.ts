import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Logger, Notification, Notifier } from '../engine/ports.js';
import { notificationText } from './fan-out.js';

/** Runs a program without a shell; resolves true when it exited 0. Never rejects. */
export type CommandRunner = (command: string, args: string[], timeoutMs: number) => Promise<boolean>;

export const runCommand: CommandRunner = (command, args, timeoutMs) =>
  new Promise((resolve) => {
    try {
      const child = spawn(command, args, { stdio: 'ignore', windowsHide: true, timeout: timeoutMs });
      child.once('error', () => resolve(false));
      child.once('exit', (code) => resolve(code === 0));
    } catch {
      resolve(false);
    }
  });

/** Finds an executable on a PATH string (no shell, no `which`). */
export function findOnPath(
  name: string,
  searchPath: string | undefined,
  platform: NodeJS.Platform,
): string | undefined {
  const exts = platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of (searchPath ?? '').split(platform === 'win32' ? ';' : delimiter)) {
    if (dir === '') continue;
    for (const ext of exts) {
      const full = join(dir, name + ext);
      try {
        accessSync(full, constants.X_OK);
        return full;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** PowerShell single-quoted literal: nothing inside is expanded; quotes (including typographic ones) doubled. */
const psQuote = (s: string): string =>
  `'${s.replace(/[\u0000-\u001f]/g, ' ').replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;

/** The command that shows a desktop notification on this platform, with title and body as plain arguments. */
export function desktopCommand(
  platform: NodeJS.Platform,
  program: string,
  title: string,
  body: string,
): { command: string; args: string[] } | undefined {
  if (platform === 'linux' || platform === 'freebsd' || platform === 'openbsd') {
    return { command: program, args: ['--app-name=chainloom', title, body] };
  }
  if (platform === 'darwin') {
    // The texts travel as argv, never inside the script, so they cannot inject AppleScript.
    return {
      command: program,
      args: [
        '-e',
        'on run argv',
        '-e',
        'display notification (item 2 of argv) with title "chainloom" subtitle (item 1 of argv)',
        '-e',
        'end run',
        title,
        body,
      ],
    };
  }
  if (platform === 'win32') {
    const script = [
      '[Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, ContentType = WindowsRuntime] > $null',
      '$t = [Windows.UI.Notifications.ToastNotificationManager]::GetTemplateContent([Windows.UI.Notifications.ToastTemplateType]::ToastText02)',
      '$x = $t.GetElementsByTagName("text")',
      `$x.Item(0).AppendChild($t.CreateTextNode(${psQuote(title)})) > $null`,
      `$x.Item(1).AppendChild($t.CreateTextNode(${psQuote(body)})) > $null`,
      "$id = '{1AC14E77-02E7-4E5D-B744-2EB1AE5198B7}\\WindowsPowerShell\\v1.0\\powershell.exe'",
      '[Windows.UI.Notifications.ToastNotificationManager]::CreateToastNotifier($id).Show([Windows.UI.Notifications.ToastNotification]::new($t))',
    ].join('; ');
    return {
      command: program,
      args: ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command', script],
    };
  }
  return undefined;
}

const PROGRAMS: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'notify-send',
  freebsd: 'notify-send',
  openbsd: 'notify-send',
  darwin: 'osascript',
  win32: 'powershell',
};

export interface DesktopOptions {
  platform: NodeJS.Platform;
  /** The PATH to search (passed in: only the composition root reads the environment). */
  searchPath: string | undefined;
  log: Logger;
  run?: CommandRunner;
  timeoutMs?: number;
}

/**
 * An OS desktop notification (notify-send, osascript, or a PowerShell toast), or undefined when
 * this machine has no such program. Delivery never throws; a failure is logged once per kind.
 */
export function createDesktopNotifier(opts: DesktopOptions): Notifier | undefined {
  const name = PROGRAMS[opts.platform];
  if (name === undefined) return undefined;
  const program =
    findOnPath(name, opts.searchPath, opts.platform) ??
    (opts.platform === 'darwin' ? '/usr/bin/osascript' : undefined);
  if (program === undefined) return undefined;
  const run = opts.run ?? runCommand;
  let warned = false;
  return {
    name: 'desktop',
    async deliver(n: Notification): Promise<void> {
      const { title, body } = notificationText(n);
      const cmd = desktopCommand(opts.platform, program, title, body === '' ? ' ' : body);
      if (cmd === undefined) return;
      const shown = await run(cmd.command, cmd.args, opts.timeoutMs ?? 10_000);
      if (!shown && !warned) {
        warned = true;
        opts.log.warn({ program: name }, 'desktop notification could not be shown');
      }
    },
  };
}
