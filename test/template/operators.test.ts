import { describe, expect, it } from 'vitest';

import { evaluateExpression, TemplateError } from '../../src/template/index.js';

const ctx: Record<string, unknown> = {
  n: 7,
  m: 2,
  s: 'hello',
  list: [1, 2, 3],
  objs: [{ a: 1 }],
  obj: { k: 'v', nested: { x: 1 } },
  t: true,
  f: false,
  nil: null,
  empty: '',
};

describe('operators', () => {
  it.each<[string, unknown]>([
    // equality: deep, never coercing
    ['n == 7', true],
    ['n == "7"', false],
    ['n != 8', true],
    ['list == [1, 2, 3]', true],
    ['list == [1, 2]', false],
    ['obj == obj', true],
    ['obj.nested == obj.nested', true],
    ['nil == null', true],
    ['s != "hello"', false],
    // ordering
    ['n < 8', true],
    ['n < 7', false],
    ['n <= 7', true],
    ['n > 7', false],
    ['n >= 7', true],
    ['"apple" < "banana"', true],
    ['"2024-03-10T07:00:00Z" > "2024-03-09T23:00:00Z"', true],
    // logic: and/or return an operand, not always a boolean
    ['t and f', false],
    ['t && n', 7],
    ['f or "fallback"', 'fallback'],
    ['s || "x"', 'hello'],
    ['empty or nil', null],
    ['not t', false],
    ['not empty', true],
    ['!t', false],
    ['!!s', true],
    ['not n == 7', false],
    ['!n == false', true],
    ['t and not f', true],
    ['f or t and f', false],
    ['(f or t) and t', true],
    // arithmetic
    ['n + m', 9],
    ['n - m', 5],
    ['n * m', 14],
    ['n / m', 3.5],
    ['n % m', 1],
    ['-n', -7],
    ['- -n', 7],
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 4 - 3', 3],
    ['2 * -3', -6],
    // + concatenation
    ['s + " world"', 'hello world'],
    ['"n=" + n', 'n=7'],
    ['n + "!"', '7!'],
    ['"list: " + list', 'list: [1,2,3]'],
    ['list + [4]', [1, 2, 3, 4]],
    // membership
    ['2 in list', true],
    ['5 in list', false],
    ['5 not in list', true],
    ['objs[0] in objs', true],
    ['[1] in [[1], [2]]', true],
    ['"ell" in s', true],
    ['"k" in obj', true],
    ['"missing" not in obj', true],
    ['"constructor" in obj', false],
    ['"toString" in obj', false],
    // ternary
    ['n > 5 ? "big" : "small"', 'big'],
    ['n > 50 ? "big" : "small"', 'small'],
    ['f ? 1 : nil ? 2 : 3', 3],
    ['t ? f ? "a" : "b" : "c"', 'b'],
    // filters bind tighter than binary operators
    ['1 + -2.4 | round', -1],
    ['(1 + 1.6) | round', 3],
    ['-2 | abs', 2],
    ['list | length > 2', true],
    ['not list | length', false],
  ])('%s', (src, expected) => {
    expect(evaluateExpression(src, ctx)).toEqual(expected);
  });

  it('short-circuits so the skipped side may be missing', () => {
    expect(evaluateExpression('nil and nil.x', ctx)).toBeNull();
    expect(evaluateExpression('t or undefined_name', ctx)).toBe(true);
    expect(evaluateExpression('f ? nope.x : 1', ctx)).toBe(1);
  });

  it.each<[string, RegExp, number]>([
    ['n < "8"', /cannot compare number with string/, 2],
    ['list < 3', /cannot compare array with number/, 5],
    ['s - 1', /"-" needs two numbers, got string and number/, 2],
    ['n * nil', /"\*" needs two numbers/, 2],
    ['n / 0', /division by zero/, 2],
    ['n % 0', /division by zero/, 2],
    ['obj + 1', /cannot add object and number/, 4],
    ['-s', /cannot negate a string/, 0],
    ['1 in n', /"in" needs an array, string or object/, 2],
    ['1 in s', /"in" a string needs a string on the left/, 2],
    ['1 in obj', /"in" an object needs a key string/, 2],
    ['1e308 * 10', /not a finite number/, 6],
  ])('%s fails: %s', (src, message, position) => {
    let caught: unknown;
    try {
      evaluateExpression(src, ctx);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TemplateError);
    expect((caught as TemplateError).message).toMatch(message);
    expect((caught as TemplateError).position).toBe(position);
  });
});
