import { describe, expect, it } from 'vitest';

import { isRetriable, NonRetriableError } from '../../src/domain/errors.js';
import {
  evaluateCondition,
  evaluateExpression,
  renderTemplate,
  resolveValue,
  TemplateError,
} from '../../src/template/index.js';

const ctx: Record<string, unknown> = {
  weather: { temp: 21, summary: 'cloudy' },
  items: [{ title: 'a' }, { title: 'b' }],
  count: 2,
  nil: null,
  obj: { k: 1 },
  s: 'text',
  fn: () => 1,
  steps: { 'get-weather': { output: 1 }, fetch: { output: {} } },
  inputs: {},
};

function errorOf(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TemplateError) return err;
    throw new Error(`expected a TemplateError, got ${String(err)}`);
  }
  throw new Error('expected a TemplateError, but nothing was thrown');
}

describe('TemplateError', () => {
  it('says what, where and what was probably meant', () => {
    const err = errorOf(() => renderTemplate('{wether}', ctx));
    expect(err.message).toBe(
      'unknown reference "wether" at position 1 in "{wether}" (did you mean "weather"?)',
    );
    expect(err.position).toBe(1);
    expect(err.source).toBe('{wether}');
    expect(err.code).toBe('template_error');
    expect(err.missing).toBe(true);
    expect(err).toBeInstanceOf(NonRetriableError);
    expect(isRetriable(err)).toBe(false);
  });

  it('lists the available names when nothing is close', () => {
    const err = errorOf(() => renderTemplate('x {zzzzzz}', ctx));
    expect(err.message).toBe('unknown reference "zzzzzz" at position 3 in "x {zzzzzz}"');
    expect(err.hint).toContain('weather, items, count');
    expect(err.hint).toContain('default');
  });

  it('prefixes the location given by the caller', () => {
    const err = errorOf(() => renderTemplate('{wether}', ctx, { where: 'parameters.location' }));
    expect(err.where).toBe('parameters.location');
    expect(err.message).toMatch(/^parameters\.location: unknown reference "wether" at position 1/);
  });

  it('shows a window of a long source', () => {
    const src = `${'x'.repeat(200)}{nope}${'y'.repeat(200)}`;
    const err = errorOf(() => renderTemplate(src, ctx));
    expect(err.position).toBe(201);
    expect(err.message).toContain('{nope}');
    expect(err.message.length).toBeLessThan(200);
  });
});

describe('missing values', () => {
  it.each<[string, string, number]>([
    [
      'Temp: {weather.tmep}',
      'weather has no property "tmep" at position 15 in "Temp: {weather.tmep}" (did you mean "temp"?)',
      15,
    ],
    ['{items[5]}', 'index 5 is out of range for items (length 2)', 7],
    ['{items[-3].title}', 'index -3 is out of range for items (length 2)', 7],
    ['{nil.x}', 'cannot read "x" of nil: it is null', 5],
    ['{count.x}', 'cannot read "x" of count: it is a number', 7],
    ['{items.foo}', 'items is an array; it has no property "foo"', 7],
    ['{s.toUpperCase}', 's is a string; it has no property "toUpperCase"', 3],
    ['{obj.hasOwnProperty}', 'obj has no property "hasOwnProperty"', 5],
    ['{toString}', 'unknown reference "toString"', 1],
    ['{fn.name}', 'cannot read "name" of fn: it is a function', 4],
    ['{steps.get-weather.output}', 'steps has no property "get" at position 7', 7],
    ['{steps.fetch.output.items[0]}', 'steps.fetch.output has no property "items"', 20],
  ])('%s', (src, message, position) => {
    const err = errorOf(() => renderTemplate(src, ctx));
    expect(err.message).toContain(message);
    expect(err.position).toBe(position);
    expect(err.missing).toBe(true);
  });

  it('tells how to write a key with a hyphen', () => {
    const err = errorOf(() => renderTemplate('{steps.get-weather.output}', ctx));
    expect(err.message).toContain('(did you mean "get-weather"?); write ["get-weather"]');
    expect(renderTemplate('{steps["get-weather"].output}', ctx)).toBe(1);
  });

  it.each<[string, unknown]>([
    ['{wether | default("n/a")}', 'n/a'],
    ['{weather.tmep | default(0)}', 0],
    ['{items[5].title | default("none")}', 'none'],
    ['{nil.x.y | default([])}', []],
    ['{steps.fetch.output.items | default([]) | length}', 0],
    ['It is {weather.rain | default("dry")} today', 'It is dry today'],
    ['{(weather.rain | default(1)) + 1}', 2],
  ])('default rescues %s', (src, expected) => {
    expect(renderTemplate(src, ctx)).toEqual(expected);
  });

  it('default does not hide errors other than a missing value', () => {
    expect(errorOf(() => renderTemplate('{(s - 1) | default(0)}', ctx)).message).toContain(
      'needs two numbers',
    );
    expect(errorOf(() => renderTemplate('{obj.__proto__ | default(0)}', ctx)).message).toContain(
      'not allowed',
    );
  });
});

describe('prototype access is refused', () => {
  it.each<string>([
    '{obj.__proto__}',
    '{obj["constructor"]}',
    '{obj["proto" + "type"]}',
    '{constructor}',
    '{obj?.constructor}',
    '{weather.summary.constructor}',
    '{items.__proto__}',
    '{obj[["__proto__"][0]]}',
  ])('%s', (src) => {
    const err = errorOf(() => renderTemplate(src, ctx));
    expect(err.message).toMatch(/access to "(__proto__|constructor|prototype)" is not allowed/);
    expect(err.missing).toBe(false);
  });

  it('does not read an own "__proto__" key either', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    expect(() => renderTemplate('{h.__proto__.polluted}', { h: hostile })).toThrow(/not allowed/);
    expect(evaluateCondition('"__proto__" in h', { h: hostile })).toBe(false);
  });
});

describe('syntax errors point at the problem', () => {
  it.each<[string, RegExp, number]>([
    ['{a +}', /expected an expression, found "}"/, 4],
    ['{a.}', /expected a property name after "\."/, 3],
    ['{a.0}', /use \[0\] for an index/, 3],
    ['Hi {a', /expected "}" to close the placeholder opened at position 3, found the end of the template/, 5],
    ['{{ a }', /expected "}}" to close the placeholder opened at position 0/, 5],
    ["{'abc}", /unterminated string/, 1],
    ['{"a\\q"}', /unknown escape "\\q"/, 3],
    ['{"\\u12"}', /needs four hex digits/, 2],
    ['{a = 1}', /use "==" to compare/, 3],
    ['{a & b}', /use "&&" or "and"/, 3],
    ['{a # b}', /unexpected character "#"/, 3],
    ['{a < b < c}', /comparisons cannot be chained/, 7],
    ['{a not b}', /expected "in" after "not"/, 3],
    ['{a | }', /expected a filter name after "\|"/, 5],
    ['{a | 1}', /expected a filter name/, 5],
    ['{f(1)}', /calls are not supported/, 2],
    ['{a b}', /expected "}" to close the placeholder opened at position 0, found "b"/, 3],
    ['{a[0}', /expected "]" to close "\[", found "}"/, 4],
    ['{(a}', /expected "\)" to close "\(", found "}"/, 3],
    ['{[1, 2}', /expected "]" to close the list/, 6],
    ['{a ? b}', /expected ":" to continue the "\?" expression/, 6],
    ['{and}', /unexpected "and"/, 1],
    ['{{ }}', /expected an expression, found "}"/, 3],
    ['{1a}', /a number cannot be followed directly by a name/, 2],
    ['{a | round(1,,)}', /expected an expression, found ","/, 13],
    ['ok {a} then {b +* 2}', /expected an expression, found "\*"/, 16],
  ])('%s', (src, message, position) => {
    const err = errorOf(() => renderTemplate(src, { a: 1, b: 2 }));
    expect(err.message).toMatch(message);
    expect(err.position).toBe(position);
    expect(err.source).toBe(src);
  });

  it.each<[string, RegExp, number]>([
    ['{a} > 3', /one placeholder or a bare expression/, 0],
    ['a > {b}', /unexpected "{": inside an expression refer to values directly/, 4],
    ['   ', /empty string/, 0],
    ['a b', /unexpected "b" after the end of the expression/, 2],
    ['  a >', /expected an expression but the template ended/, 5],
  ])('condition %j', (src, message, position) => {
    const err = errorOf(() => evaluateCondition(src, { a: 1, b: 2 }));
    expect(err.message).toMatch(message);
    expect(err.position).toBe(position);
  });
});

describe('resolveValue errors carry the JSON path', () => {
  it.each<[unknown, string | undefined, string]>([
    [{ body: { items: [1, 2, '{nope}'] } }, 'parameters', 'parameters.body.items[2]'],
    [{ 'a b': ['x', '{nope}'] }, 'parameters', 'parameters["a b"][1]'],
    [{ x: '{nope}' }, undefined, 'x'],
    [['{nope}'], 'items', 'items[0]'],
    ['{nope}', 'parameters.location', 'parameters.location'],
    [{ deep: { syntax: '{a +}' } }, 'parameters', 'parameters.deep.syntax'],
  ])('%j at %s', (value, where, path) => {
    const err = errorOf(() => resolveValue(value, ctx, where === undefined ? {} : { where }));
    expect(err.where).toBe(path);
    expect(err.message.startsWith(`${path}: `)).toBe(true);
  });
});

describe('evaluateExpression errors', () => {
  it('reports positions relative to the untrimmed source', () => {
    const err = errorOf(() => evaluateExpression('   wether.temp', ctx));
    expect(err.position).toBe(3);
    expect(err.suggestion).toBe('weather');
  });
});
