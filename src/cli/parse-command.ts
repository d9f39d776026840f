import { createInterface } from 'node:readline';
import { type ParseResult, formatInstant, formatWhen, parseSchedule } from '../schedule/index.js';

/** What the parse command needs from the outside world; main.ts passes the real process streams. */
export interface ParseCommandIo {
  stdin: NodeJS.ReadableStream;
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  /** The zone used when neither --tz nor a line's "tz" is given. */
  defaultTimeZone: string;
  now: () => Date;
}

export const PARSE_USAGE = `Usage:
  chainloom parse "<text>" [--now ISO] [--tz IANA] [--locale en-US|en-GB] [--json]
  chainloom parse --jsonl [--now ISO] [--tz IANA]   (one {"text","now","tz"} object per stdin line)

Reads a schedule from words and prints it with the next runs. Exit code: 0 when understood,
1 when not (the reason is printed), 2 for bad usage.
`;

interface Options {
  text: string;
  json: boolean;
  jsonl: boolean;
  now?: string;
  tz?: string;
  locale?: 'en-US' | 'en-GB';
}

class UsageError extends Error {}

function parseArgs(args: string[]): Options | 'help' {
  const words: string[] = [];
  const o: Options = { text: '', json: false, jsonl: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const eq = a.indexOf('=');
    const [flag, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '-h':
      case '--help':
        return 'help';
      case '--json':
        o.json = true;
        break;
      case '--jsonl':
        o.jsonl = true;
        break;
      case '--now':
        o.now = value();
        break;
      case '--tz':
        o.tz = value();
        break;
      case '--locale': {
        const l = value();
        if (l !== 'en-US' && l !== 'en-GB') throw new UsageError('--locale must be en-US or en-GB');
        o.locale = l;
        break;
      }
      case '--':
        words.push(...args.slice(i + 1));
        i = args.length;
        break;
      default:
        if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
        words.push(a);
    }
  }
  o.text = words.join(' ').trim();
  if (o.jsonl && o.text !== '') throw new UsageError('--jsonl reads the texts from stdin; do not also give a text');
  if (!o.jsonl && o.text === '') throw new UsageError('give the text to parse, e.g. chainloom parse "every Monday at 8"');
  return o;
}

function parseNow(value: string | undefined, fallback: () => Date): Date | null {
  if (value === undefined) return fallback();
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

function safeParse(text: string, now: Date, timeZone: string, locale?: 'en-US' | 'en-GB'): ParseResult | { ok: false; code: string; message: string } {
  try {
    return parseSchedule(text, { now, timeZone, ...(locale === undefined ? {} : { locale }) });
  } catch (err) {
    return { ok: false, code: 'internal_error', message: `Could not read that schedule (${err instanceof Error ? err.message : String(err)}).` };
  }
}

/** The readable form of a result, for people at a terminal. */
export function formatResultText(r: ParseResult): string {
  if (!r.ok) {
    const lines = [`Not scheduled (${r.code}): ${r.message}`];
    if (r.question !== undefined && r.question !== r.message) lines.push(`Question: ${r.question}`);
    return `${lines.join('\n')}\n`;
  }
  const lines = [`${r.kind === 'once' ? 'Once' : 'Repeats'}: ${r.description}`, 'Next runs:'];
  for (const iso of r.next) {
    const ms = Date.parse(iso);
    lines.push(`  ${formatWhen(ms, r.timezone)} (UTC${formatInstant(ms, r.timezone).slice(-6)})`);
  }
  if (r.task !== '') lines.push(`Task: ${r.task}`);
  if (r.assumptions.length > 0) lines.push('Assumptions:', ...r.assumptions.map((a) => `  - ${a}`));
  return `${lines.join('\n')}\n`;
}

async function runJsonl(o: Options, io: ParseCommandIo, defaultNow: Date, defaultTz: string): Promise<number> {
  const rl = createInterface({ input: io.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    io.stdout.write(`${JSON.stringify(jsonlLine(line, o, defaultNow, defaultTz))}\n`);
  }
  return 0;
}

function badInput(message: string): { ok: false; code: 'bad_input'; message: string } {
  return { ok: false, code: 'bad_input', message };
}

function jsonlLine(line: string, o: Options, defaultNow: Date, defaultTz: string): unknown {
  let input: unknown;
  try {
    input = JSON.parse(line);
  } catch {
    return badInput('This line is not valid JSON; expected {"text": "...", "now": "ISO", "tz": "IANA"}.');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return badInput('Expected a JSON object with a "text" string.');
  const { text, now, tz, locale } = input as Record<string, unknown>;
  if (typeof text !== 'string') return badInput('"text" must be a string.');
  if (now !== undefined && now !== null && typeof now !== 'string') return badInput('"now" must be an ISO 8601 string.');
  if (tz !== undefined && tz !== null && typeof tz !== 'string') return badInput('"tz" must be an IANA time zone name.');
  const at = typeof now === 'string' ? new Date(now) : defaultNow;
  if (Number.isNaN(at.getTime())) return badInput(`"now" is not a valid ISO 8601 time: ${String(now)}`);
  const loc = locale === 'en-US' || locale === 'en-GB' ? locale : o.locale;
  return safeParse(text, at, typeof tz === 'string' ? tz : defaultTz, loc);
}

/**
 * `chainloom parse "<text>" [--now ISO] [--tz IANA] [--json]` and `chainloom parse --jsonl`.
 * Exit code 0 when understood, 1 when not, 2 for bad usage (see ARCHITECTURE.md, the command-line contract).
 */
export async function runParseCommand(args: string[], io: ParseCommandIo): Promise<number> {
  let o: Options | 'help';
  try {
    o = parseArgs(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`chainloom parse: ${err.message}\n\n${PARSE_USAGE}`);
    return 2;
  }
  if (o === 'help') {
    io.stdout.write(PARSE_USAGE);
    return 0;
  }
  const now = parseNow(o.now, io.now);
  if (now === null) {
    io.stderr.write(`chainloom parse: --now is not a valid ISO 8601 time: ${o.now}\n`);
    return 2;
  }
  const tz = o.tz ?? io.defaultTimeZone;
  if (o.jsonl) return runJsonl(o, io, now, tz);
  const result = safeParse(o.text, now, tz, o.locale);
  if (o.json) io.stdout.write(`${JSON.stringify(result)}\n`);
  else if ('kind' in result || ('code' in result && result.code !== 'internal_error')) io.stdout.write(formatResultText(result as ParseResult));
  else io.stdout.write(`Not scheduled (${result.code}): ${result.message}\n`);
  return result.ok ? 0 : 1;
}
