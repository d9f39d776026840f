import { LruCache } from './cache.js';
import {
  checkSourceLength,
  collectRoots,
  compileExpression,
  compileTemplate,
  type CompiledTemplate,
} from './compile.js';
import { TemplateError } from './errors.js';
import { evaluate, type EvalEnv } from './evaluate.js';
import type { Node } from './parser.js';
import { concatChecked, isPlainObject, isTruthy, LIMITS, toText, ValueProblem } from './values.js';

export interface TemplateOptions {
  /** IANA zone the `date` filter formats in when not given one (the chain's zone); default UTC. */
  timeZone?: string;
  /** Where the value lives (e.g. `parameters.location`); errors are prefixed with it. */
  where?: string;
}

export interface TemplateEngineOptions {
  /** How many compiled templates (and, separately, expressions) to keep; default 1,000. */
  cacheEntries?: number;
  /** Upper bound on the summed length of cached sources; default 4,000,000 characters. */
  cacheChars?: number;
}

/** The evaluation half of the API, bound to one pair of compiled-source caches. */
export interface TemplateEngine {
  renderTemplate(src: string, ctx: Record<string, unknown>, opts?: TemplateOptions): unknown;
  resolveValue(value: unknown, ctx: Record<string, unknown>, opts?: TemplateOptions): unknown;
  evaluateExpression(expr: string, ctx: Record<string, unknown>, opts?: TemplateOptions): unknown;
  evaluateCondition(src: string, ctx: Record<string, unknown>, opts?: TemplateOptions): boolean;
}

/** Which grammar a string is read with: text with placeholders, or a condition-style expression. */
export type TemplateMode = 'template' | 'expression';

type PathPart = string | number;

/** Creates an engine with its own caches; the module-level functions share one default engine. */
export function createTemplateEngine(options: TemplateEngineOptions = {}): TemplateEngine {
  const entries = options.cacheEntries ?? 1000;
  const chars = options.cacheChars ?? 4_000_000;
  const templates = new LruCache<CompiledTemplate>(entries, chars);
  const expressions = new LruCache<Node>(entries, chars);

  function compiledTemplate(src: string): CompiledTemplate {
    let c = templates.get(src);
    if (c === undefined) {
      c = compileTemplate(src);
      templates.set(src, c);
    }
    return c;
  }

  function compiledExpression(src: string): Node {
    let node = expressions.get(src);
    if (node === undefined) {
      node = compileExpression(src);
      expressions.set(src, node);
    }
    return node;
  }

  function render(src: string, ctx: Record<string, unknown>, timeZone: string | undefined): unknown {
    // Most parameter strings are plain text: skip the cache for them.
    if (!src.includes('{') && !src.includes('\\}')) return checkSourceLength(src);
    const c = compiledTemplate(src);
    if (c.kind === 'text') return c.text;
    const env: EvalEnv = { ctx, src: c.src, timeZone };
    if (c.kind === 'single') return evaluate(c.node, env);
    let out = '';
    for (const part of c.parts) {
      if (typeof part === 'string') {
        out += part;
        continue;
      }
      const v = evaluate(part, env);
      try {
        out = concatChecked(out, toText(v));
      } catch (err) {
        if (!(err instanceof ValueProblem)) throw err;
        throw new TemplateError(err.message, { position: part.p, source: c.src });
      }
    }
    return out;
  }

  function walk(
    value: unknown,
    ctx: Record<string, unknown>,
    opts: TemplateOptions,
    path: PathPart[],
  ): unknown {
    if (typeof value === 'string') {
      try {
        return render(value, ctx, opts.timeZone);
      } catch (err) {
        throw err instanceof TemplateError ? err.withWhere(formatPath(opts.where, path)) : err;
      }
    }
    if (typeof value !== 'object' || value === null) return value;
    if (path.length >= LIMITS.maxValueDepth) {
      throw new TemplateError(`value is nested deeper than ${LIMITS.maxValueDepth} levels`, {
        position: 0,
        source: '',
        where: formatPath(opts.where, path),
      });
    }
    if (Array.isArray(value)) {
      const out: unknown[] = new Array(value.length);
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        out[i] = walk(value[i], ctx, opts, path);
        path.pop();
      }
      return out;
    }
    if (!isPlainObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      path.push(key);
      const resolved = walk(value[key], ctx, opts, path);
      path.pop();
      // An own "__proto__" key (JSON.parse makes them) must stay data, not become the prototype.
      if (key === '__proto__') {
        Object.defineProperty(out, key, {
          value: resolved,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        out[key] = resolved;
      }
    }
    return out;
  }

  function locate<T>(where: string | undefined, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw err instanceof TemplateError ? err.withWhere(where) : err;
    }
  }

  return {
    renderTemplate: (src, ctx, opts = {}) => locate(opts.where, () => render(src, ctx, opts.timeZone)),
    resolveValue: (value, ctx, opts = {}) => walk(value, ctx, opts, []),
    evaluateExpression: (expr, ctx, opts = {}) =>
      locate(opts.where, () =>
        evaluate(compiledExpression(expr), { ctx, src: expr, timeZone: opts.timeZone }),
      ),
    evaluateCondition: (src, ctx, opts = {}) =>
      locate(opts.where, () =>
        isTruthy(evaluate(compiledExpression(src), { ctx, src, timeZone: opts.timeZone })),
      ),
  };
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `parameters` + ["body", "items", 2] → `parameters.body.items[2]`; odd keys as `["a b"]`. */
export function formatPath(base: string | undefined, parts: readonly PathPart[]): string {
  let out = base ?? '';
  for (const part of parts) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (IDENTIFIER.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** Syntax check without a context: problems come back with positions instead of being thrown. */
export function checkTemplate(
  src: string,
  opts: { mode?: TemplateMode } = {},
): { ok: true } | { ok: false; message: string; position: number } {
  try {
    if (opts.mode === 'expression') compileExpression(src);
    else compileTemplate(src);
    return { ok: true };
  } catch (err) {
    if (err instanceof TemplateError) return { ok: false, message: err.message, position: err.position };
    throw err;
  }
}

/**
 * The top-level names a template, or every string inside a nested value, reads (for example
 * `["weather", "inputs", "loop"]`), in order of first appearance. Strings that do not parse are
 * skipped: {@link checkTemplate} reports those.
 */
export function referencedRoots(value: unknown, opts: { mode?: TemplateMode } = {}): string[] {
  const roots = new Set<string>();
  collectValueRoots(value, opts.mode ?? 'template', roots, 0);
  return [...roots];
}

function collectValueRoots(value: unknown, mode: TemplateMode, roots: Set<string>, depth: number): void {
  if (typeof value === 'string') {
    try {
      if (mode === 'expression') {
        collectRoots(compileExpression(value), roots);
        return;
      }
      const c = compileTemplate(value);
      if (c.kind === 'single') collectRoots(c.node, roots);
      else if (c.kind === 'mixed') for (const p of c.parts) if (typeof p !== 'string') collectRoots(p, roots);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
    }
    return;
  }
  if (typeof value !== 'object' || value === null || depth >= LIMITS.maxValueDepth) return;
  const children = Array.isArray(value) ? value : isPlainObject(value) ? Object.values(value) : [];
  for (const child of children) collectValueRoots(child, mode, roots, depth + 1);
}
