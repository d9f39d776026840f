import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serviceFile } from '../../src/cli/commands/daemon.js';
import { loadConfig } from '../../src/cli/config.js';
import { cli, tempDir } from '../support/cli.js';

let tmp: ReturnType<typeof tempDir>;
afterEach(() => tmp?.cleanup());

describe('chainloom daemon install / uninstall', () => {
  it('writes a systemd user unit that starts the daemon with the same database, and removes it', async () => {
    tmp = tempDir();
    const env = { HOME: tmp.dir, XDG_CONFIG_HOME: join(tmp.dir, '.config'), CHAINLOOM_DB: join(tmp.dir, 'c.db') };
    const svc = serviceFile(loadConfig(env), env, 'linux');
    expect(svc.path).toBe(join(tmp.dir, '.config', 'systemd', 'user', 'chainloom.service'));
    expect(svc.content).toMatch(/ExecStart=".*node.*" ".*dist\/cli\/main\.js" daemon|ExecStart=".*" ".*main\.(js|ts)" daemon/);
    expect(svc.content).toContain(`Environment="CHAINLOOM_DB=${env.CHAINLOOM_DB}"`);
    expect(svc.enable.at(-1)).toEqual(['systemctl', '--user', 'enable', '--now', 'chainloom.service']);

    // In-process CLI with --no-start: the file is written, no systemctl is run.
    const installed = await cli(['daemon', 'install', '--no-start'], env);
    expect(installed.code).toBe(0);
    expect(installed.stdout).toContain('Start it with: systemctl --user daemon-reload && systemctl --user enable --now chainloom.service');
    expect(readFileSync(svc.path, 'utf8')).toContain('[Service]');
    const removed = await cli(['daemon', 'uninstall', '--no-start'], env);
    expect(removed.stdout).toContain(`Removed ${svc.path}`);
    expect(existsSync(svc.path)).toBe(false);
  });

  it('writes a launchd agent on macOS', () => {
    tmp = tempDir();
    const env = { HOME: tmp.dir, CHAINLOOM_DB: '/data/a&b.db' };
    const svc = serviceFile(loadConfig(env), env, 'darwin');
    expect(svc.path).toBe(join(tmp.dir, 'Library', 'LaunchAgents', 'dev.chainloom.daemon.plist'));
    expect(svc.content).toContain('<string>daemon</string>');
    expect(svc.content).toContain('<key>CHAINLOOM_DB</key><string>/data/a&amp;b.db</string>');
    expect(svc.enable).toEqual([['launchctl', 'load', '-w', svc.path]]);
  });

  it('refuses other platforms with a hint', () => {
    expect(() => serviceFile(loadConfig({ HOME: '/h' }), { HOME: '/h' }, 'win32')).toThrow(/Linux \(systemd\) and macOS \(launchd\)/);
  });
});
