// `npm run pack`: builds chainloom.mcpb, the Claude Desktop bundle (MCPB): manifest.json, dist/,
// prompts/, package.json and the production dependencies, zipped by the mcpb CLI (which validates
// the manifest first).
//
// Native binaries are left out by default: Claude Desktop runs bundles on its own Node, whose ABI
// differs from the build machine's, and macOS refuses unsigned native modules in that process. The
// store then opens the database with node:sqlite (Node 22.13+). --keep-native keeps them.
//
//   node scripts/pack.mjs [--out FILE] [--keep-native]
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manifestDrift } from './manifest.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const out = resolve(
  outIndex >= 0 && args[outIndex + 1] !== undefined ? args[outIndex + 1] : join(root, 'chainloom.mcpb'),
);
const keepNative = args.includes('--keep-native');

const fail = (msg) => {
  process.stderr.write(`pack: ${msg}\n`);
  process.exit(1);
};

if (!existsSync(join(root, 'dist', 'cli', 'main.js')))
  fail('dist/ is missing: run npm run build first (npm run pack does)');
const drift = await manifestDrift();
if (drift.length > 0)
  fail(`manifest.json is out of date: ${drift.join('; ')}. Run: node scripts/manifest.mjs --write`);

/** Directories inside packages that an installed server never reads. */
const SKIP_DIRS = new Set([
  'test',
  'tests',
  '__tests__',
  '.github',
  'docs',
  'example',
  'examples',
  'benchmark',
  'benchmarks',
  'coverage',
  '.nyc_output',
]);
const skip = (path) => {
  const parts = path.split(sep);
  const name = parts.at(-1);
  if (SKIP_DIRS.has(name) && statSync(path).isDirectory()) return true;
  // Source maps and TypeScript sources/declarations: Node never loads them.
  if (/\.(map|ts|mts|cts)$/.test(name) && !statSync(path).isDirectory()) return true;
  if (!keepNative) {
    if (name.endsWith('.node')) return true;
    // better-sqlite3's sources and build tree (SQLite amalgamation, object files).
    const i = parts.lastIndexOf('better-sqlite3');
    if (i >= 0 && ['deps', 'src', 'build'].includes(parts[i + 1] ?? '')) return true;
  }
  return false;
};

const stage = mkdtempSync(join(tmpdir(), 'chainloom-pack-'));
const app = join(stage, 'chainloom');
try {
  for (const f of ['manifest.json', 'package.json', 'README.md', 'LICENSE']) {
    if (existsSync(join(root, f))) cpSync(join(root, f), join(app, f));
  }
  cpSync(join(root, 'dist'), join(app, 'dist'), { recursive: true, filter: (src) => !skip(src) });
  cpSync(join(root, 'prompts'), join(app, 'prompts'), { recursive: true });

  // The production dependency tree exactly as installed (npm ci), without dev dependencies.
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const listed = execFileSync(npm, ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: root,
    encoding: 'utf8',
    shell: process.platform === 'win32',
  })
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && resolve(l) !== resolve(root));
  for (const dir of listed) {
    const rel = relative(root, dir);
    if (!rel.startsWith(`node_modules${sep}`)) continue;
    cpSync(dir, join(app, rel), {
      recursive: true,
      // Nested node_modules are listed (and copied) on their own.
      filter: (src) => !skip(src) && !(src !== dir && basename(src) === 'node_modules'),
    });
  }

  if (!keepNative) {
    const natives = [];
    const walk = (d) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.node')) natives.push(relative(app, p));
      }
    };
    walk(app);
    if (natives.length > 0) fail(`native binaries in the bundle: ${natives.join(', ')}`);
  }

  const mcpbCli = join(createRequire(import.meta.url).resolve('@anthropic-ai/mcpb'), '..', 'cli', 'cli.js');
  const r = spawnSync(process.execPath, [mcpbCli, 'pack', app, out], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (r.status !== 0) fail(`mcpb pack failed:\n${r.stdout}`);
  const details = r.stdout
    .split('\n')
    .filter((l) => /^(package size|unpacked size|total files|shasum):/.test(l));
  process.stdout.write(`${details.join('\n')}\nbuilt ${out}\n`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
