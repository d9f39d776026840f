import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PROMPTS } from '../../src/mcp/prompts.js';
import { BIN, tempDir } from '../support/cli.js';
import { type McpHarness, connectMcp } from './harness.js';

const ROOT = resolve(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'manifest.json'), 'utf8'));
const MCPB = join(createRequire(import.meta.url).resolve('@anthropic-ai/mcpb'), '..', 'cli', 'cli.js');

let m: McpHarness | undefined;
let tmp: ReturnType<typeof tempDir> | undefined;
afterEach(async () => {
  await m?.close();
  m = undefined;
  tmp?.cleanup();
  tmp = undefined;
});
beforeAll(() => {
  if (!existsSync(BIN)) throw new Error('build first: npm run build (npm test does it)');
});

describe('manifest.json (MCPB 0.3)', () => {
  it('passes the mcpb CLI validation', () => {
    const r = spawnSync(process.execPath, [MCPB, 'validate', join(ROOT, 'manifest.json')], {
      encoding: 'utf8',
    });
    expect(r.stdout + r.stderr).toContain('validation passes');
    expect(r.status).toBe(0);
  });

  it('lists exactly the tools and prompts the server offers', async () => {
    m = await connectMcp();
    const tools = await m.client.listTools();
    expect(manifest.tools.map((t: { name: string }) => t.name)).toEqual(tools.tools.map((t) => t.name));
    for (const t of manifest.tools)
      expect(tools.tools.find((x) => x.name === t.name)!.description!.startsWith(t.description)).toBe(true);
    const prompts = await m.client.listPrompts();
    expect(manifest.prompts.map((p: { name: string }) => p.name)).toEqual(prompts.prompts.map((p) => p.name));
    for (const p of manifest.prompts) {
      const spec = PROMPTS.find((x) => x.name === p.name)!;
      expect(p.text).toBe(spec.text);
      expect(p.arguments).toEqual(
        prompts.prompts.find((x) => x.name === p.name)!.arguments?.map((a) => a.name) ?? [],
      );
    }
    const { manifestDrift } = await import(join(ROOT, 'scripts', 'manifest.mjs'));
    expect(await manifestDrift()).toEqual([]);
  });

  it('starts the built server with `serve`, and maps every user setting to the environment', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({
      manifest_version: '0.3',
      name: 'chainloom',
      version: pkg.version,
      server: { type: 'node', entry_point: 'dist/cli/main.js' },
    });
    expect(existsSync(join(ROOT, manifest.server.entry_point))).toBe(true);
    expect(manifest.server.mcp_config).toMatchObject({
      command: 'node',
      args: ['--max-semi-space-size=1', '${__dirname}/dist/cli/main.js', 'serve'],
    });
    const env = manifest.server.mcp_config.env as Record<string, string>;
    const used = Object.values(env).flatMap((v) =>
      [...v.matchAll(/\$\{user_config\.([a-z_]+)\}/g)].map((x) => x[1]),
    );
    expect(used.sort()).toEqual(Object.keys(manifest.user_config).sort());
    expect(env).toMatchObject({
      OPENAI_API_KEY: '${user_config.openai_api_key}',
      OPENAI_BASE_URL: '${user_config.openai_base_url}',
      CHAINLOOM_MODEL: '${user_config.model}',
      CHAINLOOM_TZ: '${user_config.timezone}',
      CHAINLOOM_DATA_DIR: '${user_config.data_dir}',
    });
    expect(manifest.user_config.openai_api_key).toMatchObject({ sensitive: true, required: false });
    expect(manifest.user_config.data_dir.type).toBe('directory');
    expect(manifest.privacy_policies.length).toBeGreaterThan(0);
    expect(manifest.long_description).toContain('Privacy');
  });
});

describe('npm run pack', () => {
  it(
    'builds a bundle with the manifest, dist, prompts and production dependencies, without native binaries',
    { timeout: 120_000 },
    () => {
      tmp = tempDir('chainloom-pack-test-');
      const out = join(tmp.dir, 'chainloom.mcpb');
      const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'pack.mjs'), '--out', out], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('built');
      const unpacked = join(tmp.dir, 'unpacked');
      const u = spawnSync(process.execPath, [MCPB, 'unpack', out, unpacked], { encoding: 'utf8' });
      expect(u.status, u.stderr).toBe(0);
      for (const f of [
        'manifest.json',
        'package.json',
        'dist/cli/main.js',
        'dist/mcp/server.js',
        'prompts/orchestrated-step.md',
        'node_modules/@modelcontextprotocol/sdk/package.json',
        'node_modules/zod/package.json',
        'node_modules/better-sqlite3/lib/index.js',
      ]) {
        expect(existsSync(join(unpacked, f)), f).toBe(true);
      }
      for (const dev of ['vitest', 'typescript', 'eslint', '@anthropic-ai/mcpb'])
        expect(existsSync(join(unpacked, 'node_modules', dev)), dev).toBe(false);
      const natives: string[] = [];
      const walk = (d: string): void => {
        for (const e of readdirSync(d, { withFileTypes: true })) {
          if (e.isDirectory()) walk(join(d, e.name));
          else if (e.name.endsWith('.node')) natives.push(e.name);
        }
      };
      walk(unpacked);
      expect(natives).toEqual([]);
    },
  );
});
