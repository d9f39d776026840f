import { describe, expect, it } from 'vitest';

import {
  evaluateCondition,
  evaluateExpression,
  renderTemplate,
  resolveValue,
  TEMPLATE_LIMITS,
  TemplateError,
} from '../../src/template/index.js';

function errorOf(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TemplateError) return err;
    throw new Error(`expected a TemplateError, got ${String(err)}`);
  }
  throw new Error('expected a TemplateError, but nothing was thrown');
}

const ctx: Record<string, unknown> = { a: 1, b: { c: 2 } };
const N = 1000;

describe('source size', () => {
  it('rejects a source over 100 KB, with or without placeholders', () => {
    const max = TEMPLATE_LIMITS.maxSourceLength;
    expect(max).toBe(102_400);
    expect(renderTemplate('x'.repeat(max), ctx)).toHaveLength(max);
    expect(errorOf(() => renderTemplate('x'.repeat(max + 1), ctx)).message).toMatch(/longer than 102400/);
    expect(errorOf(() => renderTemplate(`{a}${'x'.repeat(max)}`, ctx)).message).toMatch(/longer than 102400/);
    expect(errorOf(() => evaluateCondition(`a ${'+ 1 '.repeat(max / 4)}`, ctx)).message).toMatch(
      /longer than/,
    );
  });
});

describe('nesting 1,000 deep fails cleanly, at the 65th level', () => {
  it.each<[string, string]>([
    ['parentheses', `{${'('.repeat(N)}a${')'.repeat(N)}}`],
    ['brackets', `{${'['.repeat(N)}a${']'.repeat(N)}}`],
    ['index brackets', `{b${'[b'.repeat(N)}${']'.repeat(N)}}`],
    ['unary minus', `{${'-'.repeat(N)}a}`],
    ['unary !', `{${'!'.repeat(N)}a}`],
    ['not', `{${'not '.repeat(N)}a}`],
    ['ternaries', `{${'a ? '.repeat(N)}1${' : 2'.repeat(N)}}`],
    ['filter arguments', `{a${' | default(a'.repeat(N)}${')'.repeat(N)}}`],
  ])('%s', (_label, src) => {
    const err = errorOf(() => renderTemplate(src, ctx));
    expect(err.message).toMatch(/nesting is deeper than 64 levels/);
    // The parser stops where the limit is crossed instead of reading the whole source.
    expect(err.position).toBeLessThan(src.length / 2);
  });

  it('rejects braces nested 1,000 deep without recursing into them', () => {
    const src = `${'{'.repeat(N)}a${'}'.repeat(N)}`;
    const err = errorOf(() => renderTemplate(src, ctx));
    expect(err.position).toBe(2);
    expect(err.message).toMatch(/unexpected "{"/);
  });

  it('handles bare expressions nested 50,000 deep', () => {
    const err = errorOf(() => evaluateExpression('('.repeat(50_000), ctx));
    expect(err.message).toMatch(/nesting is deeper than 64/);
  });

  it('accepts nesting up to the limit', () => {
    const depth = TEMPLATE_LIMITS.maxNesting;
    expect(renderTemplate(`{${'('.repeat(depth)}a${')'.repeat(depth)}}`, ctx)).toBe(1);
    expect(() => renderTemplate(`{${'('.repeat(depth + 1)}a${')'.repeat(depth + 1)}}`, ctx)).toThrow(
      /nesting/,
    );
  });
});

describe('long chains', () => {
  it('evaluates a few hundred terms', () => {
    expect(renderTemplate(`{${Array<string>(300).fill('a').join(' + ')}}`, ctx)).toBe(300);
  });

  it.each<[string, string]>([
    ['additions', `{${Array<string>(N).fill('1').join(' + ')}}`],
    ['property chain', `{b${'.c'.repeat(N)}}`],
    ['filter chain', `{a${' | abs'.repeat(N)}}`],
    ['or chain', `{${Array<string>(N).fill('a').join(' or ')}}`],
  ])('rejects a 1,000-term %s as too complex', (_label, src) => {
    expect(errorOf(() => renderTemplate(src, ctx)).message).toMatch(/too complex/);
  });
});

describe('resolveValue depth', () => {
  function nest(levels: number): unknown {
    let v: unknown = '{a}';
    for (let i = 0; i < levels; i++) v = { a: v };
    return v;
  }

  it('walks 100 levels and refuses 101', () => {
    let out = resolveValue(nest(100), ctx);
    for (let i = 0; i < 100; i++) out = (out as { a: unknown }).a;
    expect(out).toBe(1);
    const err = errorOf(() => resolveValue(nest(101), ctx, { where: 'parameters' }));
    expect(err.message).toMatch(/nested deeper than 100 levels/);
    expect(err.where).toBe(`parameters${'.a'.repeat(100)}`);
  });

  it('refuses a cyclic value instead of looping', () => {
    const cyclic: Record<string, unknown> = { x: '{a}' };
    cyclic.self = cyclic;
    expect(() => resolveValue(cyclic, ctx)).toThrow(/nested deeper than 100 levels/);
  });

  it('refuses to render a cyclic value as text', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => renderTemplate('value: {c}', { c: cyclic })).toThrow(/cannot convert to JSON/);
  });
});

describe('result size', () => {
  const big = 'a'.repeat(6 * 1024 * 1024);
  const bigCtx = { big, list: [big, big], small: 'a'.repeat(100_000) };

  it('passes a large value through a whole-string placeholder', () => {
    expect(renderTemplate('{big}', bigCtx)).toBe(big);
  });

  it.each<[string, string]>([
    ['text', '{big}{big}'],
    ['concatenation', '{big + big}'],
    ['replace', '{big | replace("a", "aa")}'],
    ['join', '{list | join("")}'],
    ['json', '{list | json}'],
    ['replace that would need gigabytes', '{small | replace("a", big)}'],
    ['replace of the empty string', '{small | replace("", big)}'],
    ['a join that would need gigabytes', '{[big, big, big, big] | join(big)}'],
  ])('rejects a result over 10 MB built by %s', (_label, src) => {
    expect(errorOf(() => renderTemplate(src, bigCtx)).message).toMatch(/longer than 10485760 characters/);
  });
});
