import { describe, expect, it } from 'vitest';
import { formatInstant, offsetMinutes, resolveWallTime } from '../../src/schedule/wall-clock.js';

describe('resolveWallTime', () => {
  it.each([
    ['America/New_York', [2025, 3, 9, 2, 30], { kind: 'gap', at: '2025-03-09T07:00:00.000Z' }],
    ['America/New_York', [2025, 11, 2, 1, 30], { kind: 'fold', at: '2025-11-02T05:30:00.000Z' }],
    ['Europe/London', [2025, 3, 30, 1, 30], { kind: 'gap', at: '2025-03-30T01:00:00.000Z' }],
    ['Europe/Paris', [2025, 10, 26, 2, 30], { kind: 'fold', at: '2025-10-26T00:30:00.000Z' }],
    ['Australia/Sydney', [2025, 10, 5, 2, 30], { kind: 'gap', at: '2025-10-04T16:00:00.000Z' }],
    ['Australia/Lord_Howe', [2025, 4, 6, 1, 45], { kind: 'fold', at: '2025-04-05T14:45:00.000Z' }],
    ['America/Santiago', [2025, 9, 7, 0, 0], { kind: 'gap', at: '2025-09-07T04:00:00.000Z' }],
    ['Asia/Tokyo', [2025, 3, 9, 2, 30], { kind: 'ok', at: '2025-03-08T17:30:00.000Z' }],
  ] as const)('%s %j', (zone, [y, mo, d, h, mi], expected) => {
    const r = resolveWallTime(zone, { year: y, month: mo, day: d }, { hour: h, minute: mi, second: 0 });
    expect({ kind: r.kind, at: new Date(r.at).toISOString() }).toEqual(expected);
  });

  it('offsets and ISO formatting with the zone offset', () => {
    expect(offsetMinutes('Asia/Kolkata', Date.UTC(2025, 0, 1))).toBe(330);
    expect(formatInstant(Date.UTC(2025, 2, 10, 12), 'America/New_York')).toBe('2025-03-10T08:00:00-04:00');
    expect(formatInstant(Date.UTC(2025, 2, 10, 12, 0, 0, 500), 'UTC')).toBe('2025-03-10T12:00:00.500+00:00');
  });
});
