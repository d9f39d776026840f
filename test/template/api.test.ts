import { describe, expect, it } from 'vitest';

import { LruCache } from '../../src/template/cache.js';
import {
  checkTemplate,
  createTemplateEngine,
  FILTER_NAMES,
  isTemplate,
  referencedRoots,
} from '../../src/template/index.js';

describe('isTemplate', () => {
  it.each<[string, boolean]>([
    ['{weather}', true],
    ['Hello {{ name }}', true],
    ['{-1}', true],
    ["{'a'}", true],
    ['{ x }', true],
    ['{a +}', true],
    ['plain text', false],
    ['{}', false],
    ['{ }', false],
    ['{"a": 1}', false],
    ['\\{weather}', false],
    ['{\n  "a": 1\n}', false],
    ['function() { return 1; }', true],
    ['', false],
  ])('%j → %s', (src, expected) => {
    expect(isTemplate(src)).toBe(expected);
  });
});

describe('checkTemplate', () => {
  it.each<[string, { ok: true } | { ok: false; position: number; message: RegExp }]>([
    ['{weather.temp}', { ok: true }],
    ['no placeholders', { ok: true }],
    ['{"a": 1}', { ok: true }],
    ['{a | default(1) | upper}', { ok: true }],
    ['{a +}', { ok: false, position: 4, message: /expected an expression/ }],
    ['x {a | uppr}', { ok: false, position: 7, message: /unknown filter "uppr".*did you mean "upper"/ }],
    ['{a | replace("x")}', { ok: false, position: 5, message: /takes 2 argument\(s\), got 1/ }],
    ['{{ a }', { ok: false, position: 5, message: /expected "}}"/ }],
  ])('%j', (src, expected) => {
    const result = checkTemplate(src);
    if (expected.ok) {
      expect(result).toEqual({ ok: true });
    } else {
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.position).toBe(expected.position);
        expect(result.message).toMatch(expected.message);
      }
    }
  });

  it('checks condition strings in expression mode', () => {
    expect(checkTemplate('weather.temp > 30', { mode: 'expression' })).toEqual({ ok: true });
    expect(checkTemplate('{weather.temp > 30}', { mode: 'expression' })).toEqual({ ok: true });
    const bad = checkTemplate('weather.temp >', { mode: 'expression' });
    expect(bad).toMatchObject({ ok: false, position: 14 });
    // Read as a template, a bare condition is plain text: nothing to check.
    expect(checkTemplate('weather.temp >')).toEqual({ ok: true });
  });
});

describe('referencedRoots', () => {
  it.each<[unknown, string[]]>([
    ['{weather.temp}', ['weather']],
    ['{weather} and {inputs.city | default(vars.city)} #{loop.index}', ['weather', 'inputs', 'vars', 'loop']],
    ['{items[loop.index].title}', ['items', 'loop']],
    ['{a ? b : c} {a}', ['a', 'b', 'c']],
    ['{[x, -y, !z] | join(sep)}', ['x', 'y', 'z', 'sep']],
    ['{steps.fetch?.output["k"]}', ['steps']],
    ['plain', []],
    ['{"a": 1}', []],
    ['{broken +}', []],
    [
      { a: '{weather}', b: ['{inputs.x}', { c: '{weather.temp} {now}' }], d: 3, e: null },
      ['weather', 'inputs', 'now'],
    ],
  ])('%j', (value, expected) => {
    expect(referencedRoots(value)).toEqual(expected);
  });

  it('reads conditions in expression mode', () => {
    expect(referencedRoots('weather.temp > limit and not steps.x.error', { mode: 'expression' })).toEqual([
      'weather',
      'limit',
      'steps',
    ]);
    expect(referencedRoots('weather.temp > limit')).toEqual([]);
  });
});

describe('FILTER_NAMES', () => {
  it('lists the filters in order and cannot be changed', () => {
    expect(FILTER_NAMES).toEqual([...FILTER_NAMES].sort());
    for (const name of ['default', 'upper', 'date', 'where', 'pluck', 'map', 'contains', 'truncate']) {
      expect(FILTER_NAMES).toContain(name);
    }
    expect(Object.isFrozen(FILTER_NAMES)).toBe(true);
  });
});

describe('createTemplateEngine', () => {
  it('gives the same answers as the module functions, with or without a cache', () => {
    const ctx = { a: { b: 2 }, list: [1, 2] };
    for (const engine of [createTemplateEngine(), createTemplateEngine({ cacheEntries: 0 })]) {
      for (let i = 0; i < 3; i++) {
        expect(engine.renderTemplate('{a.b}', ctx)).toBe(2);
        expect(engine.renderTemplate('n={a.b}', ctx)).toBe('n=2');
        expect(engine.resolveValue({ x: ['{list | sum}'] }, ctx)).toEqual({ x: [3] });
        expect(engine.evaluateExpression('a.b * 2', ctx)).toBe(4);
        expect(engine.evaluateCondition('{2 in list}', ctx)).toBe(true);
      }
    }
  });

  it('does not let one context leak into another through the cache', () => {
    const engine = createTemplateEngine();
    expect(engine.renderTemplate('{x}', { x: 1 })).toBe(1);
    expect(engine.renderTemplate('{x}', { x: 'two' })).toBe('two');
    expect(() => engine.renderTemplate('{x}', {})).toThrow(/unknown reference "x"/);
  });
});

describe('LruCache', () => {
  it('evicts the least recently used entry', () => {
    const cache = new LruCache<number>(2, 1000);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('bounds the total length of the keys', () => {
    const cache = new LruCache<number>(100, 10);
    cache.set('aaaa', 1);
    cache.set('bbbb', 2);
    cache.set('cccc', 3);
    expect(cache.get('aaaa')).toBeUndefined();
    expect(cache.get('bbbb')).toBe(2);
    cache.set('x'.repeat(11), 4);
    expect(cache.get('x'.repeat(11))).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  it('replaces an existing key without double counting it', () => {
    const cache = new LruCache<number>(2, 8);
    cache.set('abcd', 1);
    cache.set('abcd', 2);
    cache.set('efgh', 3);
    expect(cache.get('abcd')).toBe(2);
    expect(cache.get('efgh')).toBe(3);
  });
});
