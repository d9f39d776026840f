import { type ChainDefinition, stepKey } from '../domain/chain.js';

export interface VersionDiff {
  added: string[];
  removed: string[];
  changed: string[];
  fields: string[];
  summary: string;
}

/** What changed between two versions, in words a person can scan. */
export function diffDefinitions(before: ChainDefinition, after: ChainDefinition): VersionDiff {
  const a = new Map(before.steps.map((s) => [stepKey(s), JSON.stringify(s)]));
  const b = new Map(after.steps.map((s) => [stepKey(s), JSON.stringify(s)]));
  const added = [...b.keys()].filter((k) => !a.has(k));
  const removed = [...a.keys()].filter((k) => !b.has(k));
  const changed = [...b.keys()].filter((k) => a.has(k) && a.get(k) !== b.get(k));
  const order = (d: ChainDefinition): string => d.steps.map(stepKey).join(',');
  const fields = (Object.keys({ ...before, ...after }) as (keyof ChainDefinition)[])
    .filter((k) => k !== 'steps' && JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map(String);
  if (added.length === 0 && removed.length === 0 && order(before) !== order(after)) fields.push('step order');
  const parts = [
    added.length > 0 ? `added ${added.join(', ')}` : '',
    removed.length > 0 ? `removed ${removed.join(', ')}` : '',
    changed.length > 0 ? `changed ${changed.join(', ')}` : '',
    fields.length > 0 ? `edited ${fields.join(', ')}` : '',
  ].filter((p) => p !== '');
  return { added, removed, changed, fields, summary: parts.length === 0 ? 'no changes' : parts.join('; ') };
}
