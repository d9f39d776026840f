import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { loadConfig } from '../../src/cli/config.js';
import { main } from '../../src/cli/main.js';

export const BIN = resolve(import.meta.dirname, '../../dist/cli/main.js');

export function tempDir(prefix = 'chainloom-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs the CLI in-process against a database file; returns exit code and captured output. */
export async function cli(
  argv: string[],
  env: Record<string, string>,
  stdinText = '',
): Promise<{ code: number; stdout: string; stderr: string; json: () => any }> {
  let stdout = '';
  let stderr = '';
  const code = await main(
    argv,
    {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      stdin: Readable.from([stdinText]),
      stderrIsTTY: false,
    },
    loadConfig({ HOME: tmpdir(), ...env }),
    { HOME: tmpdir(), ...env },
  );
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

/** Runs the built binary as a child process. */
export function runBin(args: string[], env: Record<string, string>, input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, input, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function spawnBin(args: string[], env: Record<string, string>) {
  return spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}
