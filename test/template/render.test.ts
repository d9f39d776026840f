import { describe, expect, it } from 'vitest';

import {
  evaluateCondition,
  evaluateExpression,
  renderTemplate,
  resolveValue,
} from '../../src/template/index.js';

const weather = { temp: 31.5, summary: 'sunny', tags: ['warm', 'dry'], wind: { kph: 12 } };
const ctx: Record<string, unknown> = {
  weather,
  count: 3,
  zero: 0,
  ok: true,
  nothing: null,
  name: 'Ada',
  items: [
    { title: 'first', n: 2 },
    { title: 'second', n: 5 },
  ],
  inputs: { city: 'Berlin', 'with space': 'yes' },
  vars: { key: 'city' },
  steps: { fetch: { output: { items: [{ title: 'Hello' }] }, status: 'completed', error: null } },
  loop: { index: 1, iteration: 2 },
  run: { id: 'run_1', started_at: '2024-03-10T07:00:00Z', trigger: 'schedule' },
  now: '2024-03-10T07:00:00Z',
  chain: { name: 'daily', id: 'ch_1', version: 3 },
  when: new Date('2024-01-02T03:04:05Z'),
};

describe('whole-string placeholders keep the value type', () => {
  it('passes the seed "{weather}" object through unchanged', () => {
    expect(renderTemplate('{weather}', ctx)).toBe(weather);
    expect(resolveValue({ weather_data: '{weather}' }, ctx)).toEqual({ weather_data: weather });
  });

  it.each<[string, unknown]>([
    ['{count}', 3],
    ['{zero}', 0],
    ['{ok}', true],
    ['{nothing}', null],
    ['{weather.tags}', ['warm', 'dry']],
    ['{weather.temp}', 31.5],
    ['{{ weather.wind }}', { kph: 12 }],
    ['{{weather.wind.kph}}', 12],
    ['{ count }', 3],
    ['{count + 1}', 4],
    ['{[1, "a", true, null]}', [1, 'a', true, null]],
    ['{"quoted"}', 'quoted'],
    ['{-count}', -3],
    ['{(count)}', 3],
  ])('%s', (src, expected) => {
    expect(renderTemplate(src, ctx)).toEqual(expected);
  });
});

describe('mixed text renders a string', () => {
  it.each<[string, string]>([
    ['Hello {name}!', 'Hello Ada!'],
    ['{name}{name}', 'AdaAda'],
    ['temp={weather.temp}C', 'temp=31.5C'],
    ['{count} items, ok={ok}', '3 items, ok=true'],
    ['null renders as "{nothing}"', 'null renders as "null"'],
    ['empty via default: [{nothing | default("")}]', 'empty via default: []'],
    ['tags: {weather.tags}', 'tags: ["warm","dry"]'],
    ['wind: {weather.wind}', 'wind: {"kph":12}'],
    ['at {when}', 'at 2024-01-02T03:04:05.000Z'],
    [' {count}', ' 3'],
    ['In {{ inputs.city }} it is {{weather.summary}}.', 'In Berlin it is sunny.'],
    ['multi\nline {count}\n', 'multi\nline 3\n'],
  ])('%j', (src, expected) => {
    expect(renderTemplate(src, ctx)).toBe(expected);
  });
});

describe('paths and indexes', () => {
  it.each<[string, unknown]>([
    ['{steps.fetch.output.items[0].title}', 'Hello'],
    ['{steps.fetch.status}', 'completed'],
    ['{items[1].title}', 'second'],
    ['{items[-1].n}', 5],
    ['{items[loop.index].title}', 'second'],
    ['{items[loop.index - 1]["title"]}', 'first'],
    ['{inputs["with space"]}', 'yes'],
    ["{inputs['city']}", 'Berlin'],
    ['{inputs[vars.key]}', 'Berlin'],
    ['{items.length}', 2],
    ['{name.length}', 3],
    ['{name[0]}', 'A'],
    ['{items["1"].n}', 5],
    ['{weather?.wind?.kph}', 12],
    ['{steps.missing?.output.items}', null],
    ['{nothing?.x}', null],
    ['{items[9]?.title}', null],
    ['{items?.[9].title}', null],
    ['{absent?.x}', null],
    ['{run.id}-{chain.version}', 'run_1-3'],
  ])('%s', (src, expected) => {
    expect(renderTemplate(src, ctx)).toEqual(expected);
  });
});

describe('placeholder rule', () => {
  it.each<[string, string, unknown]>([
    ['JSON object text stays literal', '{"a": 1}', '{"a": 1}'],
    ['JSON with spaces before the colon', '{ "a" : [1, 2] }', '{ "a" : [1, 2] }'],
    ['nested JSON with single quotes', "{'a': {'b': 2}}", "{'a': {'b': 2}}"],
    ['JSON text still expands inner placeholders', '{"text": "{name}"}', '{"text": "Ada"}'],
    ['escaped brace', '\\{name}', '{name}'],
    ['escaped closing brace', 'a \\} b', 'a } b'],
    ['escape next to a placeholder', '\\{{name}\\}', '{Ada}'],
    ['escaped mustache', '\\{\\{ name }}', '{{ name }}'],
    ['empty braces', 'f() {}', 'f() {}'],
    ['brace then space only', 'a { } b', 'a { } b'],
    ['brace then line break', 'if (x) {\n  run();\n}', 'if (x) {\n  run();\n}'],
    ['brace then punctuation', '{%raw%} {#x} {:x}', '{%raw%} {#x} {:x}'],
    ['lone closing braces', 'a } b }}', 'a } b }}'],
    ['closing brace inside a string', "{'}' + name}", '}Ada'],
    ['other backslashes are kept', 'C:\\temp\\{name}', 'C:\\temp{name}'],
    ['single closes at the first brace', '{name}}', 'Ada}'],
  ])('%s: %j', (_label, src, expected) => {
    expect(renderTemplate(src, ctx)).toBe(expected);
  });

  it('returns plain strings untouched', () => {
    const plain = 'no placeholders here: [1, 2] (ok)';
    expect(renderTemplate(plain, ctx)).toBe(plain);
  });
});

describe('literals', () => {
  it.each<[string, unknown]>([
    ['42', 42],
    ['4.25', 4.25],
    ['1e3', 1000],
    ['2.5E-1', 0.25],
    ['"double"', 'double'],
    ["'single'", 'single'],
    ["'it\\'s'", "it's"],
    ['"a\\"b"', 'a"b'],
    ['"tab\\tnew\\nline"', 'tab\tnew\nline'],
    ['"\\u00e9\\\\"', 'é\\'],
    ['"\\{x\\}"', '{x}'],
    ['true', true],
    ['false', false],
    ['null', null],
    ['[]', []],
    ['[1, [2, 3], "x",]', [1, [2, 3], 'x']],
  ])('%s', (src, expected) => {
    expect(evaluateExpression(src, ctx)).toEqual(expected);
  });
});

describe('conditions', () => {
  it.each<[string, boolean]>([
    ['weather.temp > 30', true],
    ['{weather.temp > 30}', true],
    ['{{ weather.temp > 40 }}', false],
    ['  {weather.temp > 30}  ', true],
    ['weather.summary == "sunny" and count >= 3', true],
    ['steps.fetch.status != "completed" or not ok', false],
    ['"warm" in weather.tags', true],
    ['items', true],
    ['[]', false],
    ['""', false],
    ['"false"', true],
    ['0', false],
    ['nothing', false],
    ['weather', true],
    ['false and missing.path', false],
    ['true or missing.path', true],
  ])('%s → %s', (src, expected) => {
    expect(evaluateCondition(src, ctx)).toBe(expected);
  });

  it('treats an empty object value as false', () => {
    expect(evaluateCondition('{empty}', { empty: {} })).toBe(false);
    expect(evaluateCondition('{full}', { full: { a: 1 } })).toBe(true);
  });

  it('evaluateExpression accepts both forms and keeps types', () => {
    expect(evaluateExpression('items | map("n")', ctx)).toEqual([2, 5]);
    expect(evaluateExpression('{items | map("n")}', ctx)).toEqual([2, 5]);
  });
});

describe('resolveValue', () => {
  it('walks nested objects and lists, leaving other values as they are', () => {
    const params = {
      location: '{inputs.city}',
      units: 'metric',
      days: 3,
      flag: false,
      none: null,
      body: { items: ['{count}', 'n={count}', { deep: '{weather.wind.kph}' }] },
    };
    expect(resolveValue(params, ctx)).toEqual({
      location: 'Berlin',
      units: 'metric',
      days: 3,
      flag: false,
      none: null,
      body: { items: [3, 'n=3', { deep: 12 }] },
    });
    expect(params.location).toBe('{inputs.city}');
  });

  it('keeps a "__proto__" key as data', () => {
    const value = JSON.parse('{"__proto__": "{name}", "a": 1}') as unknown;
    const out = resolveValue(value, ctx) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe('Ada');
    expect(out.a).toBe(1);
  });

  it('passes the time zone to filters', () => {
    expect(resolveValue({ at: '{now | date("HH:mm")}' }, ctx, { timeZone: 'Asia/Tokyo' })).toEqual({
      at: '16:00',
    });
  });
});
