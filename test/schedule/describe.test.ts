import { describe, expect, it } from 'vitest';
import { describeSchedule, type ScheduleSpec } from '../../src/schedule/index.js';

describe('describeSchedule', () => {
  it.each<[ScheduleSpec, string]>([
    [{ kind: 'cron', patterns: ['0 8 * * 1'], timezone: 'America/Chicago' }, 'every Monday at 08:00 (America/Chicago)'],
    [{ kind: 'once', at: '2025-03-07T17:00:00-05:00', timezone: 'America/New_York' }, 'once on Fri 7 Mar 2025 at 17:00 (America/New_York)'],
    [{ kind: 'once', at: '2025-03-05T10:15:03-05:00', timezone: 'America/New_York' }, 'once on Wed 5 Mar 2025 at 10:15:03 (America/New_York)'],
    [{ kind: 'cron', patterns: ['0 9 * * *', '0 17 * * *'], timezone: 'UTC' }, 'every day at 09:00 and 17:00 (UTC)'],
    [{ kind: 'cron', patterns: ['30 9 * * 1-5'], timezone: 'UTC' }, 'every weekday at 09:30 (UTC)'],
    [{ kind: 'cron', patterns: ['0 10 * * 0,6'], timezone: 'UTC' }, 'every Saturday and Sunday at 10:00 (UTC)'],
    [{ kind: 'cron', patterns: ['0 7 * * 1,3,5'], timezone: 'UTC' }, 'every Monday, Wednesday and Friday at 07:00 (UTC)'],
    [{ kind: 'cron', patterns: ['0 9 * * 1', '0 14 * * 4'], timezone: 'UTC' }, 'every Monday at 09:00 and every Thursday at 14:00 (UTC)'],
    [{ kind: 'cron', patterns: ['*/15 * * * *'], timezone: 'UTC' }, 'every 15 minutes (UTC)'],
    [{ kind: 'cron', patterns: ['*/15 * * * 1-5'], timezone: 'UTC' }, 'every 15 minutes on weekdays (UTC)'],
    [{ kind: 'cron', patterns: ['0 * * * *'], timezone: 'UTC' }, 'every hour on the hour (UTC)'],
    [{ kind: 'cron', patterns: ['0 9 1 * *'], timezone: 'UTC' }, 'on the 1st of every month at 09:00 (UTC)'],
    [{ kind: 'cron', patterns: ['0 18 L * *'], timezone: 'UTC' }, 'on the last day of every month at 18:00 (UTC)'],
    [{ kind: 'cron', patterns: ['0 9 1W * *'], timezone: 'UTC' }, 'on the first weekday of every month at 09:00 (UTC)'],
    [{ kind: 'cron', patterns: ['0 17 * * 5L'], timezone: 'UTC' }, 'on the last Friday of every month at 17:00 (UTC)'],
    [{ kind: 'cron', patterns: ['0 12 * * 3#2,3#4'], timezone: 'UTC' }, 'on the second and fourth Wednesday of every month at 12:00 (UTC)'],
    [{ kind: 'cron', patterns: ['0 9 3 3 *'], timezone: 'UTC' }, 'every year on 3 March at 09:00 (UTC)'],
    [{ kind: 'cron', patterns: ['0 9 * 11 4#4'], timezone: 'UTC' }, 'every year on the fourth Thursday of November at 09:00 (UTC)'],
    [{ kind: 'cron', patterns: ['5 4 * * sun'], timezone: 'UTC' }, 'on the cron schedule "5 4 * * sun" (UTC)'],
    [
      { kind: 'cron', patterns: ['0 8 * * *'], timezone: 'America/New_York', until: '2025-03-26T10:15:00-04:00' },
      'every day at 08:00, until Wed 26 Mar 2025 at 10:15 (America/New_York)',
    ],
    [{ kind: 'cron', patterns: ['*/10 * * * *'], timezone: 'UTC', count: 5 }, 'every 10 minutes, 5 times (UTC)'],
    [
      { kind: 'cron', patterns: ['0 * * * *'], timezone: 'UTC', start: '2025-03-05T15:00:00+00:00' },
      'every hour on the hour, starting Wed 5 Mar 2025 at 15:00 (UTC)',
    ],
    [
      { kind: 'interval', every_seconds: 7200, anchor: '2025-03-05T12:15:00-05:00', timezone: 'America/New_York' },
      'every 2 hours from Wed 5 Mar 2025 at 12:15 (America/New_York)',
    ],
    [
      { kind: 'interval', every_seconds: 900, anchor: '2025-03-05T12:15:00-05:00', timezone: 'America/New_York', window: { from: '09:00', to: '17:00', weekdays: [1, 2, 3, 4, 5] } },
      'every 15 minutes from 09:00 to 17:00 on weekdays (America/New_York)',
    ],
    [
      { kind: 'calendar', unit: 'week', interval: 2, weekdays: [2], times: ['09:00'], anchor_date: '2025-03-11', timezone: 'America/New_York' },
      'every 2 weeks on Tuesday at 09:00, counting from the week of Tue 11 Mar 2025 (America/New_York)',
    ],
    [
      { kind: 'calendar', unit: 'day', interval: 3, times: ['09:00'], anchor_date: '2025-03-05', timezone: 'UTC' },
      'every 3 days at 09:00, counting from Wed 5 Mar 2025 (UTC)',
    ],
    [
      { kind: 'calendar', unit: 'month', interval: 3, month_day: 1, times: ['09:00'], anchor_date: '2025-04-01', timezone: 'UTC' },
      'every 3 months on the 1st at 09:00, counting from Tue 1 Apr 2025 (UTC)',
    ],
  ])('%j', (spec, words) => {
    expect(describeSchedule(spec)).toBe(words);
  });
});
