// The MCPB manifest's generated parts: tools and prompts as the server offers them, the package
// version. `node scripts/manifest.mjs --write` updates manifest.json; the pack script and a test
// check it (run `npm run build` first: this reads dist/).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const MANIFEST_PATH = `${root}manifest.json`;

/** The first sentence of a description: what the manifest shows before installation. */
const firstSentence = (s) => (/^(.+?[.!?])(\s|$)/s.exec(s)?.[1] ?? s).replace(/\s+/g, ' ').trim();

export async function expectedParts() {
  const { TOOLS } = await import(`${root}dist/mcp/server.js`);
  const { PROMPTS } = await import(`${root}dist/mcp/prompts.js`);
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
  return {
    version: pkg.version,
    tools: TOOLS.map((t) => ({ name: t.name, description: firstSentence(t.description) })),
    prompts: PROMPTS.map((p) => ({
      name: p.name,
      description: p.description,
      arguments: p.arguments.map((a) => a.name),
      text: p.text,
    })),
  };
}

/** Differences between manifest.json and the server, as readable lines (empty: in sync). */
export async function manifestDrift() {
  const manifest = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8'));
  const want = await expectedParts();
  const drift = [];
  if (manifest.version !== want.version)
    drift.push(`version ${manifest.version} ≠ package.json ${want.version}`);
  if (JSON.stringify(manifest.tools) !== JSON.stringify(want.tools))
    drift.push('tools differ from the server');
  if (JSON.stringify(manifest.prompts) !== JSON.stringify(want.prompts))
    drift.push('prompts differ from the server');
  return drift;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--write')) {
    const manifest = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8'));
    Object.assign(manifest, await expectedParts());
    writeFileSync(MANIFEST_PATH, `${JSON.stringify(manifest, null, 2)}\n`);
    process.stdout.write('manifest.json updated\n');
  } else {
    const drift = await manifestDrift();
    process.stdout.write(
      drift.length === 0
        ? 'manifest.json is in sync\n'
        : `${drift.join('\n')}\nrun: node scripts/manifest.mjs --write\n`,
    );
    process.exitCode = drift.length === 0 ? 0 : 1;
  }
}
