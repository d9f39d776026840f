import { describe, expect, it } from 'vitest';
import { parseSchedule, type ParseResult, type ParseSuccess } from '../../src/schedule/index.js';

const NOW = new Date('2025-03-05T15:15:00Z'); // Wed 10:15 in New York
const parse = (text: string, timeZone = 'America/New_York', now = NOW, locale?: 'en-US' | 'en-GB'): ParseResult =>
  parseSchedule(text, { now, timeZone, ...(locale ? { locale } : {}) });
function ok(text: string, timeZone?: string, now?: Date, locale?: 'en-US' | 'en-GB'): ParseSuccess {
  const r = parse(text, timeZone, now, locale);
  if (!r.ok) throw new Error(`${text}: ${r.code} ${r.message}`);
  return r;
}
const code = (text: string, timeZone?: string, now?: Date): string => {
  const r = parse(text, timeZone, now);
  return r.ok ? `ok:${r.kind}` : r.code;
};

describe('task text', () => {
  it.each([
    ['remind me every Monday at 8 to send the report', 'send the report'],
    ['Remind me to Send The Report every Monday at 8', 'Send The Report'],
    ['every weekday at 9:30am check my inbox', 'check my inbox'],
    ['check my inbox every weekday at 9:30am', 'check my inbox'],
    ['remind me to send the weekly report every Monday', 'send the weekly report'],
    ['remind me to call mom tomorrow at 5 about the party', 'call mom about the party'],
    ['remind me about the dentist on Friday at 2pm', 'the dentist'],
    ['set a reminder for tomorrow at 9 to call mom', 'call mom'],
    ['at 5pm remind me to leave the office.', 'leave the office'],
    ['remind me in 3 seconds to test the pipeline', 'test the pipeline'],
    ['every weekday at 7 fetch the weather and summarise it for me', 'fetch the weather and summarise it for me'],
    ['remind me to check the a/b test tomorrow at 10am', 'check the a/b test'],
    ['in 20 minutes', ''],
    ['remind me every Monday at 8', ''],
  ])('%s → %j', (text, task) => {
    expect(ok(text).task).toBe(task);
  });

  it('"remind me every Monday at 8 to send the report" is recurring at 08:00 with the am guess noted', () => {
    const r = ok('remind me every Monday at 8 to send the report');
    expect(r.kind).toBe('recurring');
    expect(r.next[0]).toBe('2025-03-10T08:00:00-04:00');
    expect(r.description).toBe('every Monday at 08:00 (America/New_York)');
    expect(r.assumptions.join(' ')).toMatch(/"8" read as 08:00/);
  });

  it.each([
    'remind me to stretch every hour except weekends',
    'every weekday at 9am except holidays',
    'every Monday at 9 but not in August',
    'tomorrow 4',
    'every day at 9 blah 7',
  ])('words it cannot place are asked about, never dropped: %s', (text) => {
    const r = parse(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('needs_clarification');
      expect(r.question).toBeTruthy();
    }
  });

  it('no schedule words at all → no_schedule', () => {
    expect(code('buy milk')).toBe('no_schedule');
    expect(code('remind me to buy milk')).toBe('no_schedule');
    expect(code('')).toBe('no_schedule');
  });
});

describe('time zones', () => {
  it.each([
    ['at 9am Tokyo time', 'Asia/Tokyo', '2025-03-06T09:00:00+09:00'],
    ['at 9am in Tokyo', 'Asia/Tokyo', '2025-03-06T09:00:00+09:00'],
    ['every weekday at 9am London time', 'Europe/London', '2025-03-06T09:00:00+00:00'],
    ['Friday at 3pm PST', 'America/Los_Angeles', '2025-03-07T15:00:00-08:00'],
    ['noon UTC daily', 'UTC', '2025-03-06T12:00:00+00:00'],
    ['every Monday at 9am Europe/Berlin', 'Europe/Berlin', '2025-03-10T09:00:00+01:00'],
    ['every day at 5pm ET', 'America/New_York', '2025-03-05T17:00:00-05:00'],
    ['every day at 9am pacific time', 'America/Los_Angeles', '2025-03-05T09:00:00-08:00'],
    ['every day at 9:00 UTC+2', 'Etc/GMT-2', '2025-03-06T09:00:00+02:00'],
    ['tomorrow at 10am CET', 'Europe/Paris', '2025-03-06T10:00:00+01:00'],
  ])('%s → %s', (text, zone, first) => {
    const r = ok(text);
    expect(r.timezone).toBe(zone);
    expect(r.next[0]).toBe(first);
  });

  it('an abbreviation is wall time of its region: "PST" in July is daylight time', () => {
    const r = ok('Friday at 3pm PST', 'America/New_York', new Date('2025-07-01T12:00:00Z'));
    expect(r.next[0]).toBe('2025-07-04T15:00:00-07:00');
    expect(r.assumptions.join(' ')).toMatch(/PST/);
  });

  it('an unknown zone in the text or the options → invalid_timezone', () => {
    expect(code('every day at 9am America/Atlantis')).toBe('invalid_timezone');
    expect(code('every day at 9 Mars/Olympus')).toBe('invalid_timezone');
    expect(code('every day at 9am', 'Mars/Olympus')).toBe('invalid_timezone');
  });

  it('the option zone accepts IANA names in any case and abbreviations', () => {
    expect(ok('every day at 9am', 'europe/london').timezone).toBe('Europe/London');
    expect(ok('every day at 9am', 'PST').timezone).toBe('America/Los_Angeles');
  });

  it('two different zones → a question', () => {
    expect(code('at 9am Tokyo time London time')).toBe('needs_clarification');
  });
});

describe('rejections carry a clear message', () => {
  it.each([
    ['every 31st of February', 'invalid_schedule', /February/],
    ['yesterday at 5', 'past_time', /passed/],
    ['every -3 hours', 'invalid_schedule', /negative/],
    ['every 0 minutes', 'invalid_schedule', /zero/],
    ['in -3 hours', 'invalid_schedule', /past/],
    ['at 25:00', 'invalid_schedule', /25:00/],
    ['on February 30th', 'invalid_schedule', /February/],
    ['April 31 at 9am', 'invalid_schedule', /April/],
    ['on 2025-02-29', 'invalid_schedule', /2025-02-29/],
    ['every day until last week', 'invalid_schedule', /before/],
    ['every day starting March 20 until March 10 2025', 'invalid_schedule', /before/],
    ['today at 9am', 'past_time', /passed/],
    ['on March 1 2025 at 9am', 'past_time', /passed/],
    ['every Monday 0 times', 'invalid_schedule', /at least 1/],
  ])('%s → %s', (text, c, message) => {
    const r = parse(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe(c);
      expect(r.message).toMatch(message);
    }
  });
});

describe('one-off DST edges', () => {
  const sat = new Date('2025-03-08T07:30:00Z'); // Sat 02:30 EST, the day before spring-forward

  it('a said time inside the gap is asked about', () => {
    const r = parse('tomorrow at 2:30am', 'America/New_York', sat);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.question).toMatch(/does not exist.*03:00/);
  });

  it('a derived time inside the gap moves forward and says so', () => {
    const r = ok('in 1 day', 'America/New_York', sat);
    expect(r.next[0]).toBe('2025-03-09T03:00:00-04:00');
    expect(r.assumptions.join(' ')).toMatch(/does not exist.*moved to 03:00/);
  });

  it('a time that happens twice takes the first and says so', () => {
    const r = ok('on Nov 2 at 1:30am', 'America/New_York', new Date('2025-10-01T12:00:00Z'));
    expect(r.next[0]).toBe('2025-11-02T01:30:00-04:00');
    expect(r.assumptions.join(' ')).toMatch(/twice.*first/);
  });

  it('"in 2 weeks" keeps the wall-clock time across DST, "in 3 hours" is elapsed time', () => {
    expect(ok('in 2 weeks').next[0]).toBe('2025-03-19T10:15:00-04:00');
    expect(ok('in 3 hours', 'America/New_York', new Date('2025-03-09T05:30:00Z')).next[0]).toBe('2025-03-09T04:30:00-04:00');
  });

  it.each([
    ['Europe/London', '2025-03-29T12:00:00Z', 'tomorrow at 1:30am', /01:30 does not exist/],
    ['Europe/Paris', '2025-03-29T12:00:00Z', 'tomorrow at 2:30am', /02:30 does not exist/],
    ['Australia/Sydney', '2025-10-04T00:00:00Z', 'tomorrow at 2:30am', /02:30 does not exist/],
    ['America/Santiago', '2025-09-06T12:00:00Z', 'tomorrow at midnight', null],
  ])('gap in %s', (zone, now, text, question) => {
    const r = parse(text, zone, new Date(now));
    if (question === null) expect(r.ok).toBe(true);
    else expect(!r.ok && r.question !== undefined && question.test(r.question)).toBe(true);
  });

  it('a said midnight that Santiago skips (00:00 → 01:00) is asked about', () => {
    const r = parse('on Sep 7 at 12am', 'America/Santiago', new Date('2025-09-01T12:00:00Z'));
    expect(!r.ok && r.question).toMatch(/00:00 does not exist.*01:00/);
  });
});

describe('recurring DST notes', () => {
  it('a daily 02:30 says where spring-forward moves it', () => {
    const r = ok('every day at 2:30am', 'America/New_York', new Date('2025-03-06T12:00:00Z'));
    expect(r.next).toContain('2025-03-09T03:00:00-04:00');
    expect(r.assumptions.join(' ')).toMatch(/02:30 does not exist on Sun 9 Mar 2025.*03:00/);
  });

  it('a daily 01:30 says it runs once on fall-back day', () => {
    const r = ok('every day at 1:30am', 'America/New_York', new Date('2025-10-01T12:00:00Z'));
    expect(r.assumptions.join(' ')).toMatch(/01:30 happens twice on Sun 2 Nov 2025.*once/);
  });

  it('a daytime schedule has no DST note', () => {
    expect(ok('every day at 9am').assumptions.join(' ')).not.toMatch(/clocks/);
  });
});

describe('end conditions and starts', () => {
  it('until a date includes that day', () => {
    const r = ok('every monday at 9am until april 1');
    expect(r.spec.kind === 'cron' && r.spec.until).toBe('2025-04-02T00:00:00-04:00');
    expect(r.next).toHaveLength(4);
  });

  it('a yearless until already past this year means next year', () => {
    const r = ok('every monday at 9am until march 1');
    expect(r.spec.kind === 'cron' && r.spec.until).toBe('2026-03-02T00:00:00-05:00');
  });

  it('starting a day and for N days', () => {
    const r = ok('every day at 9am from tomorrow for 5 days');
    expect(r.next).toEqual([
      '2025-03-06T09:00:00-05:00', '2025-03-07T09:00:00-05:00', '2025-03-08T09:00:00-05:00', '2025-03-09T09:00:00-04:00', '2025-03-10T09:00:00-04:00',
    ]);
  });

  it('N times', () => {
    expect(ok('every sunday at noon for 3 times').next).toHaveLength(3);
    expect(ok('every 5 minutes 3 times').next).toHaveLength(3);
  });

  it('every other Tuesday starting on a given date anchors the cycle there', () => {
    const r = ok('every other Tuesday at 10am starting March 18');
    expect(r.next.slice(0, 2)).toEqual(['2025-03-18T10:00:00-04:00', '2025-04-01T10:00:00-04:00']);
  });

  it('a one-off with an end condition is asked about', () => {
    expect(code('until friday')).toBe('needs_clarification');
  });
});

describe('more phrasings', () => {
  it.each([
    ['in 3 seconds', 'once', '2025-03-05T10:15:03-05:00'],
    ['in a couple of hours', 'once', '2025-03-05T12:15:00-05:00'],
    ['in 1h30', 'once', '2025-03-05T11:45:00-05:00'],
    ['in 2 hours and 15 minutes', 'once', '2025-03-05T12:30:00-05:00'],
    ['in 1.5 days', 'once', '2025-03-06T22:15:00-05:00'],
    ['a week from now', 'once', '2025-03-12T10:15:00-04:00'],
    ['tomorrow at half past 9', 'once', '2025-03-06T09:30:00-05:00'],
    ['tomorrow at quarter to 5', 'once', '2025-03-06T16:45:00-05:00'],
    ['next week', 'once', '2025-03-10T09:00:00-04:00'],
    ['next month', 'once', '2025-04-01T09:00:00-04:00'],
    ['end of the week', 'once', '2025-03-07T17:00:00-05:00'],
    ['Friday, March 7 at 9am', 'once', '2025-03-07T09:00:00-05:00'],
    ['3rd of April at 4pm', 'once', '2025-04-03T16:00:00-04:00'],
    ['on Apr 3rd, 2026 at 4:30 p.m.', 'once', '2026-04-03T16:30:00-04:00'],
    ['2025-04-01T14:30:00Z', 'once', '2025-04-01T14:30:00+00:00'],
    ['at 11', 'once', '2025-03-05T11:00:00-05:00'],
    ['at 3', 'once', '2025-03-05T15:00:00-05:00'],
    ['tonight at 11', 'once', '2025-03-05T23:00:00-05:00'],
    ['at 9 tomorrow', 'once', '2025-03-06T09:00:00-05:00'],
    ['at 1700 tomorrow', 'once', '2025-03-06T17:00:00-05:00'],
    ['every weekday morning', 'recurring', '2025-03-06T09:00:00-05:00'],
    ['mondays at 9', 'recurring', '2025-03-10T09:00:00-04:00'],
    ['on weekdays at 8am', 'recurring', '2025-03-06T08:00:00-05:00'],
    ['every half hour', 'recurring', '2025-03-05T10:30:00-05:00'],
    ['every 1.5 hours', 'recurring', '2025-03-05T11:45:00-05:00'],
    ['every 30 seconds', 'recurring', '2025-03-05T10:15:30-05:00'],
    ['every day at midnight', 'recurring', '2025-03-06T00:00:00-05:00'],
    ['every day at 9 and 5 and 11', 'recurring', '2025-03-05T11:00:00-05:00'],
    ['every 2 hours on weekdays', 'recurring', '2025-03-05T12:00:00-05:00'],
    ['every 15 minutes from 10pm to 2am', 'recurring', '2025-03-05T22:00:00-05:00'],
    ['weekly on Fridays at 4pm', 'recurring', '2025-03-07T16:00:00-05:00'],
    ['biweekly on Fridays at 4pm', 'recurring', '2025-03-07T16:00:00-05:00'],
    ['every 3 months on the 1st', 'recurring', '2025-04-01T09:00:00-04:00'],
    ['every last friday at 5pm', 'recurring', '2025-03-28T17:00:00-04:00'],
    ['every year on the 4th thursday of november', 'recurring', '2025-11-27T09:00:00-05:00'],
    ['on the 1st and 15th of every month at 8am', 'recurring', '2025-03-15T08:00:00-04:00'],
    ['on the last weekday of the month at 4pm every month', 'recurring', '2025-03-31T16:00:00-04:00'],
    ['every Monday and every Thursday at 2pm', 'recurring', '2025-03-06T14:00:00-05:00'],
    ['at 9am every Monday and at 2pm every Thursday', 'recurring', '2025-03-06T14:00:00-05:00'],
    ['every other day at 7am', 'recurring', '2025-03-07T07:00:00-05:00'],
    ['each month on the 10th at noon', 'recurring', '2025-03-10T12:00:00-04:00'],
  ])('%s', (text, kind, first) => {
    const r = ok(text);
    expect(r.kind).toBe(kind);
    expect(r.next[0]).toBe(first);
  });

  it.each([
    ['on 04/05', 'en-US', '2025-04-05T09:00:00-04:00'],
    ['on 04/05', 'en-GB', '2025-05-04T09:00:00-04:00'],
    ['on 13/04', undefined, '2025-04-13T09:00:00-04:00'],
  ] as const)('numeric date %s (%s)', (text, locale, first) => {
    expect(ok(text, 'America/New_York', NOW, locale).next[0]).toBe(first);
  });

  it.each(['in a few minutes', 'next Friday', 'next weekend', 'twice a day', 'later', 'soon', 'at 7', 'monday and wednesday at 9', 'Thursday, March 7 at 9am', 'tomorrow at 9pm and 10pm', 'every third Tuesday', 'the last monday of the month'])(
    'asks: %s',
    (text) => {
      expect(code(text)).toBe('needs_clarification');
    },
  );
});

describe('date formats: grammar first, then the guarded general date reader (chrono)', () => {
  it.each([
    ['Wed 12th at 9am', '2025-03-12T09:00:00-04:00'],
    ['Friday the 7th at 9am', '2025-03-07T09:00:00-05:00'],
    ['12.03.2025 at 9am', '2025-03-12T09:00:00-04:00'],
    ['on Sep. 1 at noon', '2025-09-01T12:00:00-04:00'],
    ['friday next week', '2025-03-14T09:00:00-04:00'],
    ['next week on tuesday at 3pm', '2025-03-11T15:00:00-04:00'],
    ['11-Mar-2025 10:30', '2025-03-11T10:30:00-04:00'],
    ['remind me on 11-Mar-2025 10:30 to pay the invoice', '2025-03-11T10:30:00-04:00'],
    ['Thu, 06 Mar 2025 14:00:00 +0000', '2025-03-06T14:00:00+00:00'],
  ])('%s', (text, first) => {
    expect(ok(text).next[0]).toBe(first);
  });

  it('keeps the task around a date only the general reader knows', () => {
    expect(ok('remind me on 11-Mar-2025 10:30 to pay the invoice').task).toBe('pay the invoice');
  });

  it.each([
    'Friday the 8th at 9am', // 8 March 2025 is a Saturday
    'in a few minutes', // chrono would invent "3 minutes"
    'tomorrow at 9 except if it rains',
    '10:30 AM on 3/11/2025', // chrono would silently pick the US order
  ])('still asks: %s', (text) => {
    expect(code(text)).toBe('needs_clarification');
  });
});
