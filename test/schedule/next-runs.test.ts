import { describe, expect, it } from 'vitest';
import { computeNextRuns, nextRunAfter, type ScheduleSpec } from '../../src/schedule/index.js';
import { compiledCron } from '../../src/schedule/next-runs.js';

const iso = (ds: Date[]): string[] => ds.map((d) => d.toISOString());
const runs = (spec: ScheduleSpec, after: string, limit = 3, firedCount?: number): string[] =>
  iso(computeNextRuns(spec, { after: new Date(after), limit, ...(firedCount === undefined ? {} : { firedCount }) }));
const daily = (time: string, timezone: string): ScheduleSpec => {
  const [h, m] = time.split(':');
  return { kind: 'cron', patterns: [`${Number(m)} ${Number(h)} * * *`], timezone };
};

describe('DST: a fixed daily time fires exactly once on transition days', () => {
  it.each([
    // zone, local time, search from, expected instants (UTC)
    ['America/New_York spring', 'America/New_York', '02:30', '2025-03-08T00:00:00Z', ['2025-03-08T07:30:00.000Z', '2025-03-09T07:00:00.000Z', '2025-03-10T06:30:00.000Z']],
    ['America/New_York fall', 'America/New_York', '01:30', '2025-11-01T00:00:00Z', ['2025-11-01T05:30:00.000Z', '2025-11-02T05:30:00.000Z', '2025-11-03T06:30:00.000Z']],
    ['Europe/London spring', 'Europe/London', '01:30', '2025-03-29T00:00:00Z', ['2025-03-29T01:30:00.000Z', '2025-03-30T01:00:00.000Z', '2025-03-31T00:30:00.000Z']],
    ['Europe/London fall', 'Europe/London', '01:30', '2025-10-25T00:00:00Z', ['2025-10-25T00:30:00.000Z', '2025-10-26T00:30:00.000Z', '2025-10-27T01:30:00.000Z']],
    ['Europe/Paris spring', 'Europe/Paris', '02:30', '2025-03-29T00:00:00Z', ['2025-03-29T01:30:00.000Z', '2025-03-30T01:00:00.000Z', '2025-03-31T00:30:00.000Z']],
    ['Europe/Paris fall', 'Europe/Paris', '02:30', '2025-10-25T00:00:00Z', ['2025-10-25T00:30:00.000Z', '2025-10-26T00:30:00.000Z', '2025-10-27T01:30:00.000Z']],
    ['Australia/Sydney spring', 'Australia/Sydney', '02:30', '2025-10-03T00:00:00Z', ['2025-10-03T16:30:00.000Z', '2025-10-04T16:00:00.000Z', '2025-10-05T15:30:00.000Z']],
    ['Australia/Sydney fall', 'Australia/Sydney', '02:30', '2025-04-04T00:00:00Z', ['2025-04-04T15:30:00.000Z', '2025-04-05T15:30:00.000Z', '2025-04-06T16:30:00.000Z']],
    ['America/Santiago spring (midnight gap)', 'America/Santiago', '00:00', '2025-09-05T00:00:00Z', ['2025-09-05T04:00:00.000Z', '2025-09-06T04:00:00.000Z', '2025-09-07T04:00:00.000Z', '2025-09-08T03:00:00.000Z']],
    ['America/Santiago fall (23:30 twice)', 'America/Santiago', '23:30', '2025-04-04T00:00:00Z', ['2025-04-04T02:30:00.000Z', '2025-04-05T02:30:00.000Z', '2025-04-06T02:30:00.000Z', '2025-04-07T03:30:00.000Z']],
  ] as const)('%s', (_name, zone, time, from, expected) => {
    expect(runs(daily(time, zone), from, expected.length)).toEqual(expected);
  });

  it('a list of fixed times gets the same rule (no skipped 02:30)', () => {
    const spec: ScheduleSpec = { kind: 'cron', patterns: ['30 2,14 * * *'], timezone: 'America/New_York' };
    expect(runs(spec, '2025-03-09T00:00:00Z', 2)).toEqual(['2025-03-09T07:00:00.000Z', '2025-03-09T18:30:00.000Z']);
  });

  it('clock-aligned minute steps keep elapsed time across fall-back (both 01:30s fire)', () => {
    const spec: ScheduleSpec = { kind: 'cron', patterns: ['*/30 * * * *'], timezone: 'America/New_York' };
    expect(runs(spec, '2025-11-02T04:50:00Z', 4)).toEqual([
      '2025-11-02T05:00:00.000Z', '2025-11-02T05:30:00.000Z', '2025-11-02T06:00:00.000Z', '2025-11-02T06:30:00.000Z',
    ]);
  });
});

describe('calendar specs (every N days/weeks/months) in wall-clock time', () => {
  it('every 2 days at 02:30 across spring-forward moves that day to 03:00', () => {
    const spec: ScheduleSpec = { kind: 'calendar', unit: 'day', interval: 2, times: ['02:30'], anchor_date: '2025-03-07', timezone: 'America/New_York' };
    expect(runs(spec, '2025-03-01T00:00:00Z')).toEqual(['2025-03-07T07:30:00.000Z', '2025-03-09T07:00:00.000Z', '2025-03-11T06:30:00.000Z']);
  });

  it('every 2 weeks on Sunday at 01:30 across fall-back fires once, at the first 01:30', () => {
    const spec: ScheduleSpec = { kind: 'calendar', unit: 'week', interval: 2, weekdays: [0], times: ['01:30'], anchor_date: '2025-11-02', timezone: 'America/New_York' };
    expect(runs(spec, '2025-10-01T00:00:00Z', 2)).toEqual(['2025-11-02T05:30:00.000Z', '2025-11-16T06:30:00.000Z']);
  });

  it('every 2 weeks on Monday and Thursday counts weeks Monday to Sunday from the anchor week', () => {
    const spec: ScheduleSpec = { kind: 'calendar', unit: 'week', interval: 2, weekdays: [1, 4], times: ['09:00'], anchor_date: '2025-03-06', timezone: 'Europe/Paris' };
    expect(runs(spec, '2025-03-01T00:00:00Z', 4)).toEqual([
      '2025-03-06T08:00:00.000Z', '2025-03-17T08:00:00.000Z', '2025-03-20T08:00:00.000Z', '2025-03-31T07:00:00.000Z',
    ]);
  });

  it('every 2 months on the last day', () => {
    const spec: ScheduleSpec = { kind: 'calendar', unit: 'month', interval: 2, month_day: -1, times: ['18:00'], anchor_date: '2025-01-31', timezone: 'UTC' };
    expect(runs(spec, '2025-01-01T00:00:00Z')).toEqual(['2025-01-31T18:00:00.000Z', '2025-03-31T18:00:00.000Z', '2025-05-31T18:00:00.000Z']);
  });

  it('every 3 months on the 31st skips months without one', () => {
    const spec: ScheduleSpec = { kind: 'calendar', unit: 'month', interval: 1, month_day: 31, times: ['09:00'], anchor_date: '2025-01-31', timezone: 'UTC' };
    expect(runs(spec, '2025-02-01T00:00:00Z', 2)).toEqual(['2025-03-31T09:00:00.000Z', '2025-05-31T09:00:00.000Z']);
  });
});

describe('interval specs', () => {
  it('fires at anchor + k × every, strictly after `after`', () => {
    const spec: ScheduleSpec = { kind: 'interval', every_seconds: 7200, anchor: '2025-03-05T12:15:00-05:00', timezone: 'America/New_York' };
    expect(runs(spec, '2025-03-05T15:15:00Z')).toEqual(['2025-03-05T17:15:00.000Z', '2025-03-05T19:15:00.000Z', '2025-03-05T21:15:00.000Z']);
    expect(runs(spec, '2025-03-05T17:15:00Z', 1)).toEqual(['2025-03-05T19:15:00.000Z']);
  });

  it('keeps elapsed time across DST (2 hours stay 2 hours)', () => {
    const spec: ScheduleSpec = { kind: 'interval', every_seconds: 7200, anchor: '2025-03-09T00:00:00-05:00', timezone: 'America/New_York' };
    expect(runs(spec, '2025-03-09T04:59:00Z', 3)).toEqual(['2025-03-09T05:00:00.000Z', '2025-03-09T07:00:00.000Z', '2025-03-09T09:00:00.000Z']);
  });

  it('a window restarts at `from` each allowed day and includes `to`', () => {
    const spec: ScheduleSpec = {
      kind: 'interval', every_seconds: 5400, anchor: '2025-03-05T10:15:00-05:00', timezone: 'America/New_York',
      window: { from: '09:00', to: '18:00', weekdays: [1, 2, 3, 4, 5] },
    };
    // Fri 18:00 is the inclusive end; then Monday from 09:00 (EDT by then).
    expect(runs(spec, '2025-03-07T22:00:00Z', 3)).toEqual(['2025-03-07T23:00:00.000Z', '2025-03-10T13:00:00.000Z', '2025-03-10T14:30:00.000Z']);
    expect(runs(spec, '2025-03-10T21:00:00Z', 2)).toEqual(['2025-03-10T22:00:00.000Z', '2025-03-11T13:00:00.000Z']);
  });

  it('an overnight window through a midnight DST gap (Santiago) never doubles a fire', () => {
    const spec: ScheduleSpec = {
      kind: 'interval', every_seconds: 1800, anchor: '2025-09-01T00:00:00-04:00', timezone: 'America/Santiago',
      window: { from: '23:00', to: '01:00' },
    };
    // Sep 6 23:00, 23:30 (-04:00); 00:00 and 00:30 do not exist → 01:00 (-03:00), which is also the window end.
    expect(runs(spec, '2025-09-07T02:00:00Z', 4)).toEqual(['2025-09-07T03:00:00.000Z', '2025-09-07T03:30:00.000Z', '2025-09-07T04:00:00.000Z', '2025-09-08T02:00:00.000Z']);
  });
});

describe('bounds: start, until, count, firedCount', () => {
  const hourly: ScheduleSpec = { kind: 'cron', patterns: ['0 * * * *'], timezone: 'UTC', start: '2025-03-05T15:00:00+00:00', until: '2025-03-05T18:00:00+00:00' };

  it('start is inclusive, until exclusive', () => {
    expect(runs(hourly, '2025-03-05T10:00:00Z', 10)).toEqual(['2025-03-05T15:00:00.000Z', '2025-03-05T16:00:00.000Z', '2025-03-05T17:00:00.000Z']);
  });

  it('count limits the total number of fires, minus those already fired', () => {
    const spec: ScheduleSpec = { kind: 'cron', patterns: ['*/10 * * * *'], timezone: 'UTC', count: 5 };
    expect(runs(spec, '2025-03-05T10:00:00Z', 10)).toHaveLength(5);
    expect(runs(spec, '2025-03-05T10:30:00Z', 10, 3)).toEqual(['2025-03-05T10:40:00.000Z', '2025-03-05T10:50:00.000Z']);
    expect(nextRunAfter(spec, new Date('2025-03-05T11:00:00Z'), 5)).toBeNull();
  });

  it('nextRunAfter returns the next run or null once ended', () => {
    expect(nextRunAfter(hourly, new Date('2025-03-05T15:00:00Z'))?.toISOString()).toBe('2025-03-05T16:00:00.000Z');
    expect(nextRunAfter(hourly, new Date('2025-03-05T17:00:00Z'))).toBeNull();
  });

  it('a once spec fires once', () => {
    const once: ScheduleSpec = { kind: 'once', at: '2025-03-07T17:00:00-05:00', timezone: 'America/New_York' };
    expect(runs(once, '2025-03-05T00:00:00Z', 5)).toEqual(['2025-03-07T22:00:00.000Z']);
    expect(runs(once, '2025-03-07T22:00:00Z', 5)).toEqual([]);
    expect(runs(once, '2025-03-05T00:00:00Z', 5, 1)).toEqual([]);
  });

  it('several patterns merge in order without duplicates', () => {
    const spec: ScheduleSpec = { kind: 'cron', patterns: ['0 9 * * 1', '0 14 * * 4', '0 9 * * 1-5'], timezone: 'America/New_York' };
    expect(runs(spec, '2025-03-05T15:15:00Z', 3)).toEqual(['2025-03-06T14:00:00.000Z', '2025-03-06T19:00:00.000Z', '2025-03-07T14:00:00.000Z']);
  });

  it('compiled croner patterns are cached per pattern and zone', () => {
    expect(compiledCron('0 9 * * 1', 'UTC')).toBe(compiledCron('0 9 * * 1', 'UTC'));
    expect(compiledCron('0 9 * * 1', 'UTC')).not.toBe(compiledCron('0 9 * * 1', 'Asia/Tokyo'));
  });
});
