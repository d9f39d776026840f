import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import {
  type ChainDefinition,
  ChainDefinitionSchema,
  type ChainDefinitionInput,
} from '../../src/domain/chain.js';
import { type DriverName, type DriverProbe, probeDriver } from '../../src/store/driver.js';
import { type OpenedStore, openStore } from '../../src/store/index.js';

export const ALL_DRIVERS: readonly DriverName[] = ['better-sqlite3', 'node:sqlite'];

/** Probed once per test file, at collection: which drivers load on the Node running the tests. */
export const PROBES: readonly DriverProbe[] = ALL_DRIVERS.map((d) => probeDriver(d));
export const AVAILABLE: readonly DriverName[] = PROBES.filter((p) => p.ok).map((p) => p.driver);

/**
 * Runs `body` once per driver that loads here. A driver that does not load (better-sqlite3 under
 * a Node it was not compiled for, node:sqlite before Node 22.13) gets a skipped suite whose title
 * says why, so the report shows what did not run. No driver at all fails the file.
 */
export function describeEachDriver(title: string, body: (driver: DriverName) => void): void {
  if (AVAILABLE.length === 0) {
    describe(title, () => {
      it('has at least one SQLite driver that loads', () => {
        throw new Error(`no SQLite driver loads on Node ${process.versions.node}: ${JSON.stringify(PROBES)}`);
      });
    });
    return;
  }
  describe.each([...AVAILABLE])(`${title} [%s]`, (driver) => body(driver));
  for (const p of PROBES) {
    if (p.ok) continue;
    describe.skip(`${title} [${p.driver}] not run on Node ${process.versions.node}: ${p.reason}`, () => {
      it('runs where the driver loads', () => undefined);
    });
  }
}

export const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
export const at = (offsetMs: number): Date => new Date(T0 + offsetMs);
export const meta = (offsetMs = 0, note?: string) => ({ actor: 'tester', now: at(offsetMs), note });

export function chainDef(name: string, extra: Partial<ChainDefinitionInput> = {}): ChainDefinition {
  return ChainDefinitionSchema.parse({
    name,
    steps: [{ name: 'first', tool: 'util', operation: 'echo', parameters: { text: 'hi' } }],
    ...extra,
  });
}

export function memoryStore(driver: DriverName): OpenedStore {
  return openStore(':memory:', { driver });
}

export interface TempDir {
  dir: string;
  file(name: string): string;
  cleanup(): void;
}

export function tempDir(): TempDir {
  const dir = mkdtempSync(join(tmpdir(), 'chainloom-store-'));
  return {
    dir,
    file: (name) => join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
