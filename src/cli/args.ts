import { AppError } from '../domain/errors.js';

/** A parsed command line: positionals, and flags (repeatable ones collect every value). */
export interface Args {
  positionals: string[];
  flags: Map<string, string[]>;
}

const BOOLEAN_FLAGS = new Set(['json', 'wait', 'detach', 'help', 'jsonl', 'all', 'unread', 'yes', 'http', 'force', 'read', 'replace', 'save']);

export function parseArgs(argv: string[]): Args {
  const positionals: string[] = [];
  const flags = new Map<string, string[]>();
  const add = (k: string, v: string): void => void flags.set(k, [...(flags.get(k) ?? []), v]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (eq > 0) add(name, a.slice(eq + 1));
      else if (BOOLEAN_FLAGS.has(name) || name.startsWith('no-')) add(name, 'true');
      else {
        const v = argv[i + 1];
        if (v === undefined) throw new AppError('bad_usage', `--${name} needs a value`);
        add(name, v);
        i++;
      }
    } else if (a === '-f' || a === '-n') {
      const v = argv[i + 1];
      if (v === undefined) throw new AppError('bad_usage', `${a} needs a value`);
      add(a === '-f' ? 'file' : 'limit', v);
      i++;
    } else if (a === '-h') add('help', 'true');
    else positionals.push(a);
  }
  return { positionals, flags };
}

export const flag = (args: Args, name: string): string | undefined => args.flags.get(name)?.at(-1);
export const has = (args: Args, name: string): boolean => args.flags.has(name) && flag(args, name) !== 'false';

/** "90d", "12h", "30m", "45s", "2w" → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$/i.exec(text.trim());
  if (m === null) {
    throw new AppError('bad_usage', `"${text}" is not a duration`, { hint: 'Use a number with a unit: 30m, 12h, 7d, 2w.' });
  }
  const n = Number(m[1]);
  const unit = (m[2] ?? 'd').toLowerCase();
  const mult = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[unit]!;
  return n * mult;
}

/** `--input k=v` pairs (values that look like JSON are parsed) merged over `--inputs '{...}'`. */
export function parseInputs(args: Args): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const json = flag(args, 'inputs');
  if (json !== undefined) {
    try {
      const parsed: unknown = JSON.parse(json);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      Object.assign(out, parsed);
    } catch {
      throw new AppError('bad_usage', '--inputs must be a JSON object', { hint: `Example: --inputs '{"city":"Berlin"}'` });
    }
  }
  for (const pair of args.flags.get('input') ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new AppError('bad_usage', `--input "${pair}" is not key=value`, { hint: 'Example: --input city=Berlin' });
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    if (/^(-?\d+(\.\d+)?|true|false|null|\[.*\]|\{.*\})$/s.test(raw)) {
      try {
        value = JSON.parse(raw);
      } catch {
        value = raw;
      }
    }
    out[pair.slice(0, eq)] = value;
  }
  return out;
}
