import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runParseCommand } from '../../src/cli/parse-command.js';

const NOW = new Date('2025-03-05T15:15:00Z');

async function run(args: string[], stdinText = ''): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runParseCommand(args, {
    stdin: Readable.from([stdinText]),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    defaultTimeZone: 'America/New_York',
    now: () => NOW,
  });
  return { code, out, err };
}

describe('chainloom parse', () => {
  it('--json prints the contract object and exits 0', async () => {
    const r = await run(['remind me every Monday at 8 to send the report', '--json', '--tz', 'America/Chicago']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(Object.keys(json)).toEqual(['ok', 'kind', 'next', 'timezone', 'description', 'assumptions', 'task', 'spec']);
    expect(json).toMatchObject({
      ok: true,
      kind: 'recurring',
      timezone: 'America/Chicago',
      description: 'every Monday at 08:00 (America/Chicago)',
      task: 'send the report',
      spec: { kind: 'cron', patterns: ['0 8 * * 1'], timezone: 'America/Chicago' },
    });
    expect(json.next).toHaveLength(5);
    expect(json.next[0]).toBe('2025-03-10T08:00:00-05:00');
  });

  it('--now and --tz override the defaults (also as --flag=value)', async () => {
    const r = await run(['in 20 minutes', '--now=2025-01-01T00:00:00Z', '--tz=UTC', '--json']);
    expect(JSON.parse(r.out).next).toEqual(['2025-01-01T00:20:00+00:00']);
  });

  it('text mode prints words, local next runs, task and assumptions', async () => {
    const r = await run(['every', 'weekday', 'at', '9:30am', 'check', 'my', 'inbox']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('every weekday at 09:30 (America/New_York)');
    expect(r.out).toContain('Thu 6 Mar 2025 at 09:30 (UTC-05:00)');
    expect(r.out).toContain('Task: check my inbox');
  });

  it('a text that is not understood exits 1 with the reason (and the question)', async () => {
    const r = await run(['at 8']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/needs_clarification/);
    const j = await run(['at 8', '--json']);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.out)).toMatchObject({ ok: false, code: 'needs_clarification' });
    expect(JSON.parse(j.out).question).toMatch(/am or pm/);
  });

  it('an unknown --tz is an invalid_timezone result', async () => {
    const r = await run(['every day at 9am', '--tz', 'Mars/Olympus', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ ok: false, code: 'invalid_timezone' });
  });

  it.each([[[]], [['--json']], [['x', '--bogus']], [['x', '--now', 'not-a-date']], [['x', '--tz']], [['--jsonl', 'extra text']]])(
    'bad usage %j exits 2',
    async (args) => {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/chainloom parse/);
      expect(r.out).toBe('');
    },
  );

  it('--help prints usage and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Usage/);
  });

  it('--jsonl answers one line per input line, bad lines included, without crashing', async () => {
    const input = [
      JSON.stringify({ text: 'in 20 minutes', now: '2025-03-05T15:15:00Z', tz: 'America/New_York' }),
      'this is not json',
      JSON.stringify({ text: 'every day at 9am', tz: 'Europe/London' }),
      JSON.stringify({ now: '2025-03-05T15:15:00Z' }),
      JSON.stringify({ text: 'in 5 minutes', now: 'yesterday-ish' }),
      '',
      JSON.stringify([1, 2]),
      JSON.stringify({ text: 'at 8' }),
    ].join('\n');
    const r = await run(['--jsonl'], `${input}\n`);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatchObject({ ok: true, next: ['2025-03-05T10:35:00-05:00'] });
    expect(lines[1]).toMatchObject({ ok: false, code: 'bad_input' });
    expect(lines[2]).toMatchObject({ ok: true, timezone: 'Europe/London', next: expect.arrayContaining(['2025-03-06T09:00:00+00:00']) });
    expect(lines[3]).toMatchObject({ ok: false, code: 'bad_input' });
    expect(lines[4]).toMatchObject({ ok: false, code: 'bad_input' });
    expect(lines[5]).toMatchObject({ ok: false, code: 'bad_input' });
    expect(lines[6]).toMatchObject({ ok: false, code: 'bad_input' });
    expect(lines[7]).toMatchObject({ ok: false, code: 'needs_clarification' });
  });

  it('--jsonl falls back to --now/--tz, then to the defaults', async () => {
    const r = await run(['--jsonl', '--tz', 'Asia/Tokyo'], `${JSON.stringify({ text: 'in 1 hour' })}\n`);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, timezone: 'Asia/Tokyo', next: ['2025-03-06T01:15:00+09:00'] });
  });
});
