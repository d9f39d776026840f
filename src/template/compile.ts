import { TemplateError } from './errors.js';
import { isDigit, isIdentStart, skipQuoted } from './lexer.js';
import { parseExpressionAt, type Node } from './parser.js';
import { LIMITS } from './values.js';

/** A parsed template: plain text, one whole-string placeholder (keeps its type), or a mix. */
export type CompiledTemplate =
  | { kind: 'text'; text: string }
  | { kind: 'single'; node: Node; src: string }
  | { kind: 'mixed'; parts: (string | Node)[]; src: string };

/**
 * How wide the placeholder opener at `src[i] === "{"` is: 2 for `{{`, 1 for a single `{` that
 * starts an expression, 0 for a literal brace. See the module comment in index.ts for the rule.
 */
export function openerWidth(src: string, i: number, end = src.length): 0 | 1 | 2 {
  if (src[i + 1] === '{' && i + 1 < end) return 2;
  let j = i + 1;
  while (j < end && (src[j] === ' ' || src[j] === '\t')) j++;
  if (j >= end) return 0;
  const c = src.charCodeAt(j);
  if (isIdentStart(c) || isDigit(c)) return 1;
  const ch = src[j];
  if (ch === '(' || ch === '!' || ch === '-' || ch === '[') return 1;
  if (ch === '"' || ch === "'") {
    // `{"key": ...` is JSON text, never an expression (a string followed by ":" cannot start one).
    let k = skipQuoted(src, j);
    if (k < 0 || k > end) return 1;
    while (k < end && (src[k] === ' ' || src[k] === '\t')) k++;
    return src[k] === ':' ? 0 : 1;
  }
  return 0;
}

/** True when the text contains at least one placeholder opener (it may still be malformed). */
export function hasPlaceholder(src: string): boolean {
  for (let i = src.indexOf('{'); i >= 0; i = src.indexOf('{', i + 1)) {
    // Text before the first opener is scanned exactly as compileTemplate does: `\{` is literal.
    if (src[i - 1] === '\\') continue;
    if (openerWidth(src, i) > 0) return true;
  }
  return false;
}

/** Returns `src` if it is short enough to be a template source; throws otherwise. */
export function checkSourceLength(src: string): string {
  if (src.length > LIMITS.maxSourceLength) {
    throw new TemplateError(`template is longer than ${LIMITS.maxSourceLength} characters`, {
      position: LIMITS.maxSourceLength,
      source: src,
    });
  }
  return src;
}

/** Splits `src[start, end)` into text and placeholders, parsing each placeholder's expression. */
export function compileTemplate(src: string, start = 0, end = src.length): CompiledTemplate {
  checkSourceLength(src);
  const parts: (string | Node)[] = [];
  let text = '';
  let chunk = start;
  let hasNode = false;
  let i = start;
  while (i < end) {
    const c = src.charCodeAt(i);
    if (c === 92 && i + 1 < end && (src[i + 1] === '{' || src[i + 1] === '}')) {
      text += src.slice(chunk, i) + src[i + 1];
      i += 2;
      chunk = i;
      continue;
    }
    const width = c === 123 ? openerWidth(src, i, end) : 0;
    if (width === 0) {
      i++;
      continue;
    }
    text += src.slice(chunk, i);
    if (text !== '') parts.push(text);
    text = '';
    const { node, next } = parseExpressionAt(src, i + width, end);
    i = closePlaceholder(src, i, width, next, end);
    chunk = i;
    parts.push(node);
    hasNode = true;
  }
  text += src.slice(chunk, end);
  if (!hasNode) return { kind: 'text', text };
  if (text !== '') parts.push(text);
  const only = parts[0];
  if (parts.length === 1 && typeof only === 'object') return { kind: 'single', node: only, src };
  return { kind: 'mixed', parts, src };
}

/** Checks that the placeholder opened at `open` is closed right after its expression. */
function closePlaceholder(
  src: string,
  open: number,
  width: number,
  next: { kind: string; text: string; start: number; end: number },
  end: number,
): number {
  const closer = width === 2 ? '}}' : '}';
  if (next.kind === 'op' && next.text === '}') {
    if (width === 1) return next.end;
    if (next.end < end && src[next.end] === '}') return next.end + 1;
  }
  const found = next.kind === 'eof' ? 'the end of the template' : `"${src.slice(next.start, next.end)}"`;
  throw new TemplateError(
    `expected "${closer}" to close the placeholder opened at position ${open}, found ${found}`,
    { position: next.start, source: src },
  );
}

/**
 * Compiles a condition-style expression: either bare (`weather.temp > 30`) or exactly one
 * placeholder (`{weather.temp > 30}`, `{{ weather.temp > 30 }}`), surrounding spaces ignored.
 */
export function compileExpression(src: string): Node {
  checkSourceLength(src);
  let start = 0;
  let end = src.length;
  while (start < end && /\s/.test(src[start] ?? '')) start++;
  while (end > start && /\s/.test(src[end - 1] ?? '')) end--;
  if (start === end) {
    throw new TemplateError('expected an expression but got an empty string', { position: 0, source: src });
  }
  if (src[start] === '{' && openerWidth(src, start, end) > 0) {
    const compiled = compileTemplate(src, start, end);
    if (compiled.kind === 'single') return compiled.node;
    const second = compiled.kind === 'mixed' ? compiled.parts[1] : undefined;
    throw new TemplateError(
      'an expression must be one placeholder or a bare expression, not text mixed with placeholders',
      {
        position: typeof second === 'object' ? second.s : start,
        source: src,
        hint: 'Write the whole condition inside one placeholder, e.g. "{a > 1 and b == \'x\'}", or without braces.',
      },
    );
  }
  const { node, next } = parseExpressionAt(src, start, end);
  if (next.kind !== 'eof') {
    const detail =
      next.text === '{'
        ? 'unexpected "{": inside an expression refer to values directly (a > b, not {a} > {b})'
        : `unexpected "${src.slice(next.start, next.end)}" after the end of the expression`;
    throw new TemplateError(detail, { position: next.start, source: src });
  }
  return node;
}

/** Adds the top-level names a syntax tree reads to `out`, in order of first appearance. */
export function collectRoots(node: Node, out: Set<string>): void {
  switch (node.t) {
    case 'lit':
      return;
    case 'ref':
      out.add(node.name);
      return;
    case 'get':
      collectRoots(node.obj, out);
      if (typeof node.key !== 'string') collectRoots(node.key, out);
      return;
    case 'arr':
      for (const item of node.items) collectRoots(item, out);
      return;
    case 'neg':
    case 'not':
      collectRoots(node.arg, out);
      return;
    case 'bin':
      collectRoots(node.l, out);
      collectRoots(node.r, out);
      return;
    case 'cond':
      collectRoots(node.test, out);
      collectRoots(node.yes, out);
      collectRoots(node.no, out);
      return;
    case 'filter':
      collectRoots(node.input, out);
      for (const arg of node.args) collectRoots(arg, out);
      return;
  }
}
