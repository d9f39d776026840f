/**
 * The safe template and expression language of chain definitions. Pure: no `eval`, no `Function`,
 * no I/O; templates read a plain context object and can call nothing but the built-in filters.
 *
 * ## Placeholders
 * - `{{ expr }}` always opens a placeholder; it must be closed by `}}`.
 * - A single `{` opens a placeholder only when the next character, after optional spaces or tabs
 *   (not line breaks), is a letter, `_`, `$`, a digit, `(`, `[`, `!`, `-` or a quote; it is closed
 *   by the first `}` after the expression (a `}` inside a quoted string does not count).
 * - Exception for JSON text: a `{` followed by a quoted string and then `:` is literal, so
 *   `{"a": 1}` stays text (no valid expression starts that way). Placeholders inside such text are
 *   still expanded: `{"text": "{summary}"}` fills in `summary`.
 * - Every other `{` is literal (`{}`, `{ }`, `{\n`, `{%`, `{:`), and so is every `}` outside a
 *   placeholder. `\{` and `\}` always produce a literal brace (`\{\{` for a literal `{{`); no other
 *   backslash is special in text.
 *
 * ## Values
 * - A template that is exactly one placeholder returns the value with its type (object, number,
 *   list, ...) as is, not copied. Anything else yields a string in which strings appear as is,
 *   numbers and booleans as JavaScript prints them, `null` as `null`, dates as ISO 8601, and objects
 *   and lists as compact JSON. Write `{x | default('')}` to print nothing for an absent or null `x`.
 * - An unknown top-level name, a missing property, an out-of-range index or reading through `null`
 *   is an error. `x | default(y)` turns any of those (and `null`) into `y`. `a?.b` yields `null`
 *   when `a` is absent or null, and every link after a `?.` yields `null` instead of failing
 *   (`steps.skipped?.output.items` is `null` when that step has no entry).
 * - Only own properties are readable; `__proto__`, `constructor` and `prototype` never are. Lists
 *   and strings have `length`; negative indexes count from the end (`items[-1]`).
 * - Truthiness (conditions, `and`, `or`, `not`, `?:`): `false`, `null`, `0`, `NaN`, `""`, `[]` and
 *   `{}` are false; everything else is true, including the string `"false"` (`| bool` reads
 *   "false", "no", "off" and "0" as false).
 *
 * ## Expressions
 * Literals: numbers, `'single'` or `"double"` quoted strings (escapes `\n \t \r \b \f \v \0 \\ \' \"
 * \/ \{ \} \uXXXX`), `true`, `false`, `null`, lists `[1, 2]`. Paths: `a.b`, `a[0]`, `a["key"]`,
 * `a[loop.index]`; a key with `-` needs brackets: `steps["get-weather"]`. Operators from loosest:
 * `c ? a : b`; `or`/`||`; `and`/`&&`; `not` (Python-like: `not a == b` is `not (a == b)`);
 * `== != < <= > >= in`/`not in` (not chainable; `==` is deep and never coerces, `<` needs two numbers
 * or two strings); `+ -`; `* / %`; unary `-` and `!` (binds tightly, as in JavaScript); then
 * `| filter(args)`, which binds tighter than any binary operator, as in Jinja: `a + b | round` rounds
 * only `b`, so write `(a + b) | round`. `and`/`or` return one of their operands. `+` adds numbers,
 * joins two lists, and concatenates when either side is a string.
 *
 * ## Filters
 * See {@link FILTER_NAMES}; each is documented in filters.ts. `date(format = "iso", zone?)` formats
 * in `zone`, else the `timeZone` option, else UTC (tokens in date.ts). Unknown filters and wrong
 * argument counts are syntax errors, found by {@link checkTemplate} without a context.
 *
 * ## Conditions
 * {@link evaluateCondition} and {@link evaluateExpression} accept a bare expression
 * (`weather.temp > 30`) or exactly one placeholder (`{weather.temp > 30}`); text mixed with
 * placeholders is an error there, because `"{a} > 3"` would otherwise always be true. For static
 * checks of such fields (`condition`, `for_each`, `repeat_config.until/while`, branch `if`) pass
 * `{ mode: 'expression' }` to {@link checkTemplate} and {@link referencedRoots}.
 *
 * ## Limits
 * Sources over 100 KB, nesting deeper than 64 (brackets, parentheses, unary operators, ternaries,
 * filter arguments), syntax trees taller than 400, values deeper than 100 and results longer than
 * 10 MB are errors, never crashes. Compiled sources are cached in a bounded LRU.
 *
 * @module
 */
import { createTemplateEngine, type TemplateOptions } from './engine.js';
import { hasPlaceholder } from './compile.js';

export { TemplateError } from './errors.js';
export { FILTER_NAMES } from './filters.js';
export { LIMITS as TEMPLATE_LIMITS } from './values.js';
export {
  checkTemplate,
  createTemplateEngine,
  referencedRoots,
  type TemplateEngine,
  type TemplateEngineOptions,
  type TemplateMode,
  type TemplateOptions,
} from './engine.js';

// The shared engine only memoises parsing; results never depend on what was rendered before.
const defaultEngine = createTemplateEngine();

/**
 * Resolves one template against a run context. A template that is exactly one placeholder returns
 * the value itself (any type); otherwise a string. Throws {@link TemplateError}.
 */
export function renderTemplate(src: string, ctx: Record<string, unknown>, opts?: TemplateOptions): unknown {
  return defaultEngine.renderTemplate(src, ctx, opts);
}

/**
 * Resolves every string inside a JSON-like value (objects and lists are copied, keys are not
 * templates). Errors name the path of the failing string, e.g. `parameters.body.items[2]`.
 */
export function resolveValue(value: unknown, ctx: Record<string, unknown>, opts?: TemplateOptions): unknown {
  return defaultEngine.resolveValue(value, ctx, opts);
}

/** Evaluates a bare expression (`a.b + 1`) or a single placeholder (`{a.b + 1}`) to its value. */
export function evaluateExpression(
  expr: string,
  ctx: Record<string, unknown>,
  opts?: TemplateOptions,
): unknown {
  return defaultEngine.evaluateExpression(expr, ctx, opts);
}

/** Evaluates a condition (`weather.temp > 30` or `{weather.temp > 30}`) to a boolean by truthiness. */
export function evaluateCondition(
  src: string,
  ctx: Record<string, unknown>,
  opts?: TemplateOptions,
): boolean {
  return defaultEngine.evaluateCondition(src, ctx, opts);
}

/** True when the string contains at least one placeholder opener (it may still be malformed). */
export function isTemplate(value: string): boolean {
  return hasPlaceholder(value);
}
