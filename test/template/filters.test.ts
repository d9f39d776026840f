import { describe, expect, it } from 'vitest';

import { evaluateExpression, FILTER_NAMES, renderTemplate, TemplateError } from '../../src/template/index.js';

const ctx: Record<string, unknown> = {
  s: '  Hello World  ',
  word: 'Hello',
  n: -3.14159,
  list: [3, 1, 2],
  words: ['b', 'a', 'c'],
  people: [
    { name: 'Ann', age: 30, active: true, team: { id: 1 } },
    { name: 'Bob', age: 25, active: false, team: { id: 2 } },
    { name: 'Cy', age: 35, active: true },
  ],
  obj: { a: 1, b: 'two' },
  csv: 'a,b,,c',
  nil: null,
  emptyList: [],
};

const cases: [string, unknown][] = [
  // default
  ['nil | default("x")', 'x'],
  ['missing | default(1)', 1],
  ['obj.zzz | default("d")', 'd'],
  ['list[10] | default(0)', 0],
  ['nil.x | default(2)', 2],
  ['missing.a.b | upper | default("none")', 'none'],
  ['"" | default("x")', ''],
  ['"" | default("x", true)', 'x'],
  ['0 | default(5, true)', 5],
  ['word | default("x")', 'Hello'],
  // strings
  ['word | upper', 'HELLO'],
  ['word | lower', 'hello'],
  ['s | trim', 'Hello World'],
  ['word | replace("l", "L")', 'HeLLo'],
  ['word | replace("x", "y")', 'Hello'],
  ['"a-b" | replace("-", 1)', 'a1b'],
  ['csv | split', ['a', 'b', '', 'c']],
  ['"a b" | split(" ")', ['a', 'b']],
  ['"Hello World" | truncate(8)', 'Hello...'],
  ['word | truncate(10)', 'Hello'],
  ['"abcdef" | truncate(4, "…")', 'abc…'],
  ['"abc" | truncate(2, "")', 'ab'],
  ['"a b&c=d" | urlencode', 'a%20b%26c%3Dd'],
  ['obj | urlencode', 'a=1&b=two'],
  // conversions
  ['obj | json', '{"a":1,"b":"two"}'],
  ['list | json(2)', '[\n  3,\n  1,\n  2\n]'],
  ['"x" | json', '"x"'],
  ['nil | json', 'null'],
  ['"42" | number', 42],
  ['" 3.5 " | number', 3.5],
  ['true | number', 1],
  ['7 | number', 7],
  ['7 | string', '7'],
  ['list | string', '[3,1,2]'],
  ['nil | string', 'null'],
  ['true | string', 'true'],
  ['"false" | bool', false],
  ['"No" | bool', false],
  ['"0" | bool', false],
  ['"yes" | bool', true],
  ['"anything" | bool', true],
  ['0 | bool', false],
  ['emptyList | bool', false],
  ['obj | bool', true],
  // numbers
  ['n | round', -3],
  ['n | round(2)', -3.14],
  ['1.005 | round(2)', 1.01],
  ['2.5 | round', 3],
  ['-2.5 | round', -3],
  ['1234 | round(-2)', 1200],
  ['n | abs', 3.14159],
  ['list | min', 1],
  ['list | max', 3],
  ['emptyList | max', null],
  ['5 | min(3)', 3],
  ['5 | max(3, 9)', 9],
  ['list | sum', 6],
  ['people | sum("age")', 90],
  ['emptyList | sum', 0],
  // collections
  ['word | length', 5],
  ['list | length', 3],
  ['obj | length', 2],
  ['list | first', 3],
  ['list | last', 2],
  ['emptyList | first', null],
  ['emptyList | last', null],
  ['word | first', 'H'],
  ['word | last', 'o'],
  ['obj | keys', ['a', 'b']],
  ['obj | values', [1, 'two']],
  ['words | join', 'b, a, c'],
  ['words | join("-")', 'b-a-c'],
  ['[1, null, "x", [2]] | join("")', '1nullx[2]'],
  ['list | slice(1)', [1, 2]],
  ['list | slice(0, -1)', [3, 1]],
  ['word | slice(1, 3)', 'el'],
  ['word | slice(-2)', 'lo'],
  ['people | map("name")', ['Ann', 'Bob', 'Cy']],
  ['people | pluck("team.id")', [1, 2, null]],
  ['people | where("active") | map("name")', ['Ann', 'Cy']],
  ['people | where("age", 25) | map("name")', ['Bob']],
  ['people | where("team.id", 2) | length', 1],
  ['list | contains(2)', true],
  ['list | contains(9)', false],
  ['word | contains("ell")', true],
  ['obj | contains("c")', false],
  ['list | reverse', [2, 1, 3]],
  ['word | reverse', 'olleH'],
  ['list | sort', [1, 2, 3]],
  ['words | sort', ['a', 'b', 'c']],
  ['people | sort("age") | map("name")', ['Bob', 'Ann', 'Cy']],
  ['[1, 2, 1, "1", [1], [1]] | unique', [1, 2, '1', [1]]],
  // dates (zones and DST edges are covered below)
  ['"2024-03-10T07:00:00Z" | date("YYYY-MM-DD", "UTC")', '2024-03-10'],
  // chains and arguments that are expressions
  ['people | map("age") | sum / (people | length)', 30],
  ['words | sort | join(word | lower | slice(0, 1))', 'ahbhc'],
];

describe('filters', () => {
  it.each(cases)('%s', (src, expected) => {
    expect(evaluateExpression(src, ctx)).toEqual(expected);
  });

  it('has a case above for every filter', () => {
    const used = new Set(cases.flatMap(([src]) => [...src.matchAll(/\|\s*([a-z]+)/g)].map((m) => m[1])));
    expect([...FILTER_NAMES].filter((name) => !used.has(name))).toEqual([]);
  });

  it('does not change its input', () => {
    evaluateExpression('list | sort', ctx);
    evaluateExpression('list | reverse', ctx);
    expect(ctx.list).toEqual([3, 1, 2]);
  });

  it.each<[string, RegExp]>([
    ['n | upper', /filter "upper" expects a string, got number at position 4/],
    ['word | round', /filter "round" expects a number, got string/],
    ['list | keys', /filter "keys" expects an object, got array/],
    ['"abc" | number', /cannot read "abc" as a number/],
    ['word | date', /not a valid date: "Hello"/],
    ['1e20 | date', /not a valid date: 100000000000000000000/],
    ['obj | date', /expects an ISO date string, epoch milliseconds or a date, got object/],
    ['"2024-01-01" | date("HH:mm", "Mars/Base")', /unknown time zone "Mars\/Base"/],
    ['words | join(1)', /expects a string separator/],
    ['[1, "a"] | sort', /cannot order string against number|cannot order number against string/],
    ['word | truncate(1.5)', /expects length to be an integer/],
    ['list | min(1)', /takes no arguments when its input is a list/],
    ['people | map("__proto__")', /may not read "__proto__"/],
    ['word | slice', /filter "slice" takes 1 to 2 argument\(s\), got 0/],
    ['word | upper(1)', /filter "upper" takes 0 argument\(s\), got 1/],
    [
      'word | uper',
      /unknown filter "uper" at position 7 in "word \| uper" \(did you mean "upper"\?\); known filters: abs, bool,/,
    ],
    ['word | constructor', /unknown filter "constructor"/],
    ['(word - 1) | default(0)', /"-" needs two numbers/],
  ])('%s fails: %s', (src, message) => {
    expect(() => evaluateExpression(src, ctx)).toThrow(TemplateError);
    expect(() => evaluateExpression(src, ctx)).toThrow(message);
  });
});

describe('date filter', () => {
  it.each<[string, string, string, string]>([
    // America/New_York springs forward at 02:00 local on 2024-03-10.
    ['2024-03-10T06:59:00Z', 'YYYY-MM-DD HH:mm Z', 'America/New_York', '2024-03-10 01:59 -05:00'],
    ['2024-03-10T07:00:00Z', 'YYYY-MM-DD HH:mm Z', 'America/New_York', '2024-03-10 03:00 -04:00'],
    ['2024-03-10T06:59:00Z', 'iso', 'America/New_York', '2024-03-10T01:59:00-05:00'],
    ['2024-03-10T07:00:00Z', 'iso', 'America/New_York', '2024-03-10T03:00:00-04:00'],
    [
      '2024-03-10T07:00:00Z',
      'dddd, MMMM Do YYYY h:mm A',
      'America/New_York',
      'Sunday, March 10th 2024 3:00 AM',
    ],
    // Europe/Berlin falls back at 03:00 local on 2024-10-27: 02:30 happens twice.
    ['2024-10-27T00:30:00Z', 'HH:mm ZZ', 'Europe/Berlin', '02:30 +0200'],
    ['2024-10-27T01:30:00Z', 'HH:mm ZZ', 'Europe/Berlin', '02:30 +0100'],
    ['2024-10-27T01:30:00.045Z', '[at] HH:mm:ss.SSS', 'Europe/Berlin', 'at 02:30:00.045'],
    ['2024-10-27T01:30:00Z', 'ddd D MMM YY', 'Europe/Berlin', 'Sun 27 Oct 24'],
    ['2024-10-27T01:30:00.045Z', 'iso', 'Europe/Berlin', '2024-10-27T02:30:00.045+01:00'],
    // A zone that crosses the date line relative to UTC, and a half-hour offset.
    ['2024-03-10T23:30:00Z', 'YYYY-MM-DD dddd', 'Asia/Tokyo', '2024-03-11 Monday'],
    ['2024-03-10T23:30:00Z', 'HH:mm Z', 'Asia/Kolkata', '05:00 +05:30'],
    ['2024-03-10T00:05:00Z', 'hh:mm a', 'UTC', '12:05 am'],
    ['2024-03-10T13:05:09Z', 'H:m:s h', 'UTC', '13:5:9 1'],
    ['2024-03-01T10:00:00Z', 'M/D Do', 'UTC', '3/1 1st'],
    ['2024-03-22T10:00:00Z', 'Do', 'UTC', '22nd'],
    ['2024-03-13T10:00:00Z', 'Do', 'UTC', '13th'],
    ['2024-03-10T07:00:00Z', 'iso', 'UTC', '2024-03-10T07:00:00Z'],
  ])('%s as %j in %s', (instant, format, zone, expected) => {
    expect(renderTemplate('{t | date(format, zone)}', { t: instant, format, zone })).toBe(expected);
  });

  it('uses the zone from the options, then UTC', () => {
    const c = { t: '2024-03-10T07:00:00Z' };
    expect(renderTemplate('{t | date("HH:mm")}', c, { timeZone: 'America/New_York' })).toBe('03:00');
    expect(renderTemplate('{t | date("HH:mm", "Europe/Berlin")}', c, { timeZone: 'America/New_York' })).toBe(
      '08:00',
    );
    expect(renderTemplate('{t | date}', c)).toBe('2024-03-10T07:00:00Z');
  });

  it('accepts epoch milliseconds and Date objects', () => {
    expect(renderTemplate('{0 | date("YYYY-MM-DD HH:mm")}', {})).toBe('1970-01-01 00:00');
    expect(renderTemplate('{d | date("YYYY")}', { d: new Date('2030-06-01T00:00:00Z') })).toBe('2030');
  });
});
