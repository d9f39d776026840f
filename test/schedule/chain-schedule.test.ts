import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { compileChainSchedule, computeNextRuns } from '../../src/schedule/index.js';

const NOW = new Date('2025-03-05T15:15:00Z');
const opts = { now: NOW, timeZone: 'Europe/London' };

function error(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('compileChainSchedule', () => {
  it('compiles the seed object {frequency: daily, time: 05:00:00, timezone}', () => {
    const r = compileChainSchedule({ frequency: 'daily', time: '05:00:00', timezone: 'America/New_York' }, opts);
    expect(r.spec).toEqual({ kind: 'cron', patterns: ['0 5 * * *'], timezone: 'America/New_York' });
    expect(r.description).toBe('every day at 05:00 (America/New_York)');
    const next = computeNextRuns(r.spec, { after: NOW, limit: 2 }).map((d) => d.toISOString());
    expect(next).toEqual(['2025-03-06T10:00:00.000Z', '2025-03-07T10:00:00.000Z']);
  });

  it.each([
    [{ frequency: 'weekdays', time: '07:30' }, ['30 7 * * 1-5']],
    [{ frequency: 'weekly', time: '9am', days: ['Monday', 'fri'] }, ['0 9 * * 1,5']],
    [{ frequency: 'monthly', time: '08:00', day_of_month: 15 }, ['0 8 15 * *']],
    [{ frequency: 'yearly', time: '08:00', date: '12-25' }, ['0 8 25 12 *']],
    [{ frequency: 'hourly', time: '00:15' }, ['15 * * * *']],
  ] as const)('%j', (input, patterns) => {
    const r = compileChainSchedule({ ...input, days: 'days' in input ? [...input.days] : undefined }, opts);
    expect(r.spec.kind === 'cron' && r.spec.patterns).toEqual(patterns);
    expect(r.spec.timezone).toBe('Europe/London');
  });

  it('text, alone or with a zone', () => {
    const r = compileChainSchedule('every weekday at 7am', opts);
    expect(r.spec).toEqual({ kind: 'cron', patterns: ['0 7 * * 1-5'], timezone: 'Europe/London' });
    const t = compileChainSchedule({ text: 'every Monday at 8', timezone: 'America/Chicago' }, opts);
    expect(t.description).toBe('every Monday at 08:00 (America/Chicago)');
    expect(t.assumptions.join(' ')).toMatch(/08:00/);
  });

  it('cron and every_seconds', () => {
    expect(compileChainSchedule({ cron: '*/5 * * * *', timezone: 'UTC' }, opts).spec).toEqual({ kind: 'cron', patterns: ['*/5 * * * *'], timezone: 'UTC' });
    const i = compileChainSchedule({ every_seconds: 30 }, opts).spec;
    expect(i).toMatchObject({ kind: 'interval', every_seconds: 30, timezone: 'Europe/London' });
  });

  it('a once with date and time', () => {
    const r = compileChainSchedule({ frequency: 'once', date: '2025-04-01', time: '14:30' }, opts);
    expect(r.spec).toEqual({ kind: 'once', at: '2025-04-01T14:30:00+01:00', timezone: 'Europe/London' });
  });

  it.each([
    [{ cron: 'not a cron' }, /not valid/],
    [{ cron: '0 9 31 2 *' }, /never runs/],
    [{ every_seconds: 0.5 }, /at least 1/],
    [{ frequency: 'daily', time: '25:00' }, /not a time/],
    [{ frequency: 'weekly', time: '09:00' }, /needs "days"/],
    [{ frequency: 'weekly', time: '09:00', days: ['Funday'] }, /not a day/],
    [{ frequency: 'yearly', date: '02-30' }, /not a date/],
    [{ frequency: 'once', date: '2024-01-01', time: '09:00' }, /already passed/],
    [{ frequency: 'daily', timezone: 'Mars/Olympus' }, /Unknown time zone/],
    [{ frequency: 'daily', cron: '0 9 * * *' }, /exactly one/],
    [{}, /exactly one/],
    ['every 0 minutes', /zero/],
    ['next Friday', /coming Friday/],
  ] as const)('rejects %j with invalid_schedule', (input, message) => {
    const e = error(() => compileChainSchedule(input as never, opts));
    expect(e.code).toBe('invalid_schedule');
    expect(e.message).toMatch(message);
  });
});

describe('compileChainSchedule limits', () => {
  it('rejects an interval longer than a year', () => {
    expect(() => compileChainSchedule({ every_seconds: 400 * 86_400 }, opts)).toThrow(/not valid/);
  });
});
