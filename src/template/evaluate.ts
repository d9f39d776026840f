import { suggestName, TemplateError } from './errors.js';
import { FILTERS } from './filters.js';
import type { BinaryOp, Node } from './parser.js';
import {
  checkLength,
  concatChecked,
  contains,
  deepEqual,
  FORBIDDEN_KEYS,
  isTruthy,
  toText,
  typeName,
  ValueProblem,
} from './values.js';

/** What one evaluation reads: the run context, the source (for error positions) and the zone. */
export interface EvalEnv {
  ctx: Record<string, unknown>;
  src: string;
  timeZone: string | undefined;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function evaluate(node: Node, env: EvalEnv): unknown {
  switch (node.t) {
    case 'lit':
      return node.v;
    case 'ref':
      return readRoot(node.name, node, env);
    case 'get': {
      const base = node.guard ? evaluateGuarded(node.obj, env) : evaluate(node.obj, env);
      const key = typeof node.key === 'string' ? node.key : evaluate(node.key, env);
      return readProperty(base, key, node, env);
    }
    case 'arr':
      return node.items.map((item) => evaluate(item, env));
    case 'not':
      return !isTruthy(evaluate(node.arg, env));
    case 'neg': {
      const v = evaluate(node.arg, env);
      if (typeof v !== 'number') throw fail(`cannot negate ${aTypeName(v)}`, node, env);
      return -v;
    }
    case 'cond':
      return isTruthy(evaluate(node.test, env)) ? evaluate(node.yes, env) : evaluate(node.no, env);
    case 'bin':
      return evaluateBinary(node.op, node, env);
    case 'filter':
      return applyFilter(node, env);
  }
}

/** The left side of `?.`: absent (unknown name, missing property, bad index) reads as null. */
function evaluateGuarded(node: Node, env: EvalEnv): unknown {
  try {
    return evaluate(node, env);
  } catch (err) {
    if (err instanceof TemplateError && err.missing) return null;
    throw err;
  }
}

function readRoot(name: string, node: Node, env: EvalEnv): unknown {
  if (FORBIDDEN_KEYS.has(name)) throw fail(`access to "${name}" is not allowed`, node, env);
  const { ctx } = env;
  const v = Object.hasOwn(ctx, name) ? ctx[name] : undefined;
  if (v !== undefined) return v;
  const keys = Object.keys(ctx);
  const suggestion = suggestName(name, keys);
  throw new TemplateError(`unknown reference "${name}"`, {
    position: node.p,
    source: env.src,
    missing: true,
    ...withSuggestion(suggestion),
    hint:
      `Names available here: ${keys.slice(0, 30).join(', ') || '(none)'}. ` +
      `Use "| default(x)" for a value that may be absent.`,
  });
}

function readProperty(base: unknown, key: unknown, node: Extract<Node, { t: 'get' }>, env: EvalEnv): unknown {
  if (typeof key === 'string' && FORBIDDEN_KEYS.has(key)) {
    throw fail(`access to "${key}" is not allowed`, node, env);
  }
  if (typeof key !== 'string' && typeof key !== 'number') {
    throw fail(`a property name must be a string or number, got ${typeName(key)}`, node, env);
  }
  if (base === null || base === undefined) {
    if (node.opt) return null;
    throw missing(`cannot read ${formatKey(key)} of ${describe(node.obj, env)}: it is null`, node, env);
  }
  if (Array.isArray(base) || typeof base === 'string') {
    if (key === 'length') return base.length;
    const index = typeof key === 'number' ? key : /^-?\d+$/.test(key) ? Number(key) : undefined;
    if (index === undefined) {
      if (node.opt) return null;
      throw missing(
        `${describe(node.obj, env)} is ${aTypeName(base)}; it has no property "${key}"`,
        node,
        env,
      );
    }
    if (!Number.isInteger(index)) throw fail(`index ${index} is not an integer`, node, env);
    const i = index < 0 ? base.length + index : index;
    if (i >= 0 && i < base.length) return base[i];
    if (node.opt) return null;
    throw missing(
      `index ${index} is out of range for ${describe(node.obj, env)} (length ${base.length})`,
      node,
      env,
    );
  }
  if (typeof base === 'object') {
    const name = String(key);
    const record = base as Record<string, unknown>;
    const v = Object.hasOwn(record, name) ? record[name] : undefined;
    if (v !== undefined) return v;
    if (node.opt) return null;
    throw missing(
      `${describe(node.obj, env)} has no property "${name}"`,
      node,
      env,
      suggestName(name, Object.keys(record)),
    );
  }
  if (node.opt) return null;
  throw missing(
    `cannot read ${formatKey(key)} of ${describe(node.obj, env)}: it is ${aTypeName(base)}`,
    node,
    env,
  );
}

function evaluateBinary(op: BinaryOp, node: Extract<Node, { t: 'bin' }>, env: EvalEnv): unknown {
  if (op === 'and' || op === 'or') {
    const l = evaluate(node.l, env);
    if (isTruthy(l) === (op === 'or')) return l;
    return evaluate(node.r, env);
  }
  const l = evaluate(node.l, env);
  const r = evaluate(node.r, env);
  try {
    switch (op) {
      case '==':
        return deepEqual(l, r);
      case '!=':
        return !deepEqual(l, r);
      case '<':
        return compare(l, r) < 0;
      case '<=':
        return compare(l, r) <= 0;
      case '>':
        return compare(l, r) > 0;
      case '>=':
        return compare(l, r) >= 0;
      case 'in':
        return contains(r, l);
      case 'not in':
        return !contains(r, l);
      case '+':
        return add(l, r);
      default:
        return arithmetic(op, l, r);
    }
  } catch (err) {
    if (err instanceof ValueProblem) throw fail(err.message, node, env);
    throw err;
  }
}

function compare(l: unknown, r: unknown): number {
  if (typeof l === 'number' && typeof r === 'number') return l - r;
  if (typeof l === 'string' && typeof r === 'string') return l < r ? -1 : l > r ? 1 : 0;
  throw new ValueProblem(
    `cannot compare ${typeName(l)} with ${typeName(r)} (both must be numbers or both strings)`,
  );
}

function add(l: unknown, r: unknown): unknown {
  if (typeof l === 'number' && typeof r === 'number') return finite(l + r);
  if (typeof l === 'string' || typeof r === 'string') return concatChecked(toText(l), toText(r));
  if (Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
  throw new ValueProblem(`cannot add ${typeName(l)} and ${typeName(r)}`);
}

function arithmetic(op: BinaryOp, l: unknown, r: unknown): number {
  if (typeof l !== 'number' || typeof r !== 'number') {
    throw new ValueProblem(`"${op}" needs two numbers, got ${typeName(l)} and ${typeName(r)}`);
  }
  if ((op === '/' || op === '%') && r === 0) throw new ValueProblem('division by zero');
  if (op === '-') return finite(l - r);
  if (op === '*') return finite(l * r);
  if (op === '/') return finite(l / r);
  return finite(l % r);
}

function finite(n: number): number {
  if (!Number.isFinite(n)) throw new ValueProblem('the result is not a finite number');
  return n;
}

function applyFilter(node: Extract<Node, { t: 'filter' }>, env: EvalEnv): unknown {
  const def = FILTERS.get(node.name);
  if (def === undefined) throw fail(`unknown filter "${node.name}"`, node, env);
  let input: unknown;
  if (node.name === 'default') {
    // `default` is what makes an absent value acceptable, so a missing path is its input, not an error.
    try {
      input = evaluate(node.input, env);
    } catch (err) {
      if (!(err instanceof TemplateError && err.missing)) throw err;
      input = undefined;
    }
  } else {
    input = evaluate(node.input, env);
  }
  const args = node.args.map((a) => evaluate(a, env));
  try {
    const out = def.fn(input, args, { timeZone: env.timeZone });
    return typeof out === 'string' ? checkLength(out) : out;
  } catch (err) {
    if (err instanceof ValueProblem) throw fail(`filter "${node.name}" ${err.message}`, node, env);
    // The engine's own limits (string length, call stack) reached inside a built-in.
    if (err instanceof RangeError) throw fail(`filter "${node.name}" failed: ${err.message}`, node, env);
    throw err;
  }
}

function withSuggestion(suggestion: string | undefined): { suggestion?: string; tail?: string } {
  if (suggestion === undefined) return {};
  if (IDENTIFIER.test(suggestion)) return { suggestion };
  return { suggestion, tail: `write ["${suggestion}"] for a key that is not a plain name` };
}

/** The source text of a node, for messages like `weather has no property "tmp"`. */
function describe(node: Node, env: EvalEnv): string {
  const text = env.src.slice(node.s, node.e).trim();
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** "a string", "an array", ... */
function aTypeName(v: unknown): string {
  const name = typeName(v);
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}

function formatKey(key: string | number): string {
  return typeof key === 'number' ? `[${key}]` : `"${key}"`;
}

function fail(detail: string, node: Node, env: EvalEnv): TemplateError {
  return new TemplateError(detail, { position: node.p, source: env.src });
}

function missing(detail: string, node: Node, env: EvalEnv, suggestion?: string): TemplateError {
  return new TemplateError(detail, {
    position: node.p,
    source: env.src,
    missing: true,
    ...withSuggestion(suggestion),
  });
}
