import { TemplateError } from './errors.js';

export type TokenKind = 'num' | 'str' | 'id' | 'op' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Operator text or identifier name for `op`/`id`; decoded text for `str`. */
  text: string;
  /** Numeric value for `num`. */
  num: number;
  /** Start offset in the source. */
  start: number;
  /** Offset just past the token. */
  end: number;
}

const OPERATORS_2 = new Set(['==', '!=', '<=', '>=', '&&', '||', '?.']);
const OPERATORS_1 = new Set([
  '<',
  '>',
  '!',
  '(',
  ')',
  '[',
  ']',
  '.',
  '?',
  ':',
  ',',
  '|',
  '+',
  '-',
  '*',
  '/',
  '%',
  '}',
  '{',
]);

const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  v: '\v',
  '0': '\0',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '/': '/',
  '{': '{',
  '}': '}',
};

export function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36; // a-z A-Z _ $
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Reads the token that starts at or after `pos` (skipping whitespace); `eof` at `end`. */
export function readToken(src: string, pos: number, end: number): Token {
  let i = pos;
  while (i < end && isSpace(src.charCodeAt(i))) i++;
  if (i >= end) return { kind: 'eof', text: '', num: 0, start: end, end };
  const c = src.charCodeAt(i);

  if (isIdentStart(c)) {
    let j = i + 1;
    while (j < end && isIdentPart(src.charCodeAt(j))) j++;
    return { kind: 'id', text: src.slice(i, j), num: 0, start: i, end: j };
  }
  if (isDigit(c)) return readNumber(src, i, end);
  if (c === 34 || c === 39) return readString(src, i, end);

  const two = src.slice(i, i + 2);
  // `a?.5:1` is a ternary, as in JavaScript.
  if (i + 2 <= end && OPERATORS_2.has(two) && !(two === '?.' && isDigit(src.charCodeAt(i + 2)))) {
    return { kind: 'op', text: two, num: 0, start: i, end: i + 2 };
  }
  const one = src[i] ?? '';
  if (OPERATORS_1.has(one)) return { kind: 'op', text: one, num: 0, start: i, end: i + 1 };
  if (one === '=') {
    throw new TemplateError('unexpected "=" (use "==" to compare)', { position: i, source: src });
  }
  if (one === '&') {
    throw new TemplateError('unexpected "&" (use "&&" or "and")', { position: i, source: src });
  }
  throw new TemplateError(`unexpected character ${JSON.stringify(one)}`, { position: i, source: src });
}

function readNumber(src: string, i: number, end: number): Token {
  let j = i;
  while (j < end && isDigit(src.charCodeAt(j))) j++;
  if (src[j] === '.' && j + 1 < end && isDigit(src.charCodeAt(j + 1))) {
    j++;
    while (j < end && isDigit(src.charCodeAt(j))) j++;
  }
  if ((src[j] === 'e' || src[j] === 'E') && j + 1 < end) {
    let k = j + 1;
    if (src[k] === '+' || src[k] === '-') k++;
    if (k < end && isDigit(src.charCodeAt(k))) {
      while (k < end && isDigit(src.charCodeAt(k))) k++;
      j = k;
    }
  }
  if (j < end && isIdentStart(src.charCodeAt(j))) {
    throw new TemplateError('a number cannot be followed directly by a name', { position: j, source: src });
  }
  return { kind: 'num', text: src.slice(i, j), num: Number(src.slice(i, j)), start: i, end: j };
}

function readString(src: string, i: number, end: number): Token {
  const quote = src[i];
  let out = '';
  let j = i + 1;
  let chunkStart = j;
  while (j < end) {
    const ch = src[j];
    if (ch === quote) {
      out += src.slice(chunkStart, j);
      return { kind: 'str', text: out, num: 0, start: i, end: j + 1 };
    }
    if (ch === '\\') {
      out += src.slice(chunkStart, j);
      const esc = src[j + 1];
      if (esc === 'u') {
        const hex = src.slice(j + 2, j + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          throw new TemplateError('"\\u" needs four hex digits', { position: j, source: src });
        }
        out += String.fromCharCode(parseInt(hex, 16));
        j += 6;
      } else {
        const decoded = esc === undefined ? undefined : ESCAPES[esc];
        if (decoded === undefined) {
          throw new TemplateError(`unknown escape "\\${esc ?? ''}" in a string`, {
            position: j,
            source: src,
          });
        }
        out += decoded;
        j += 2;
      }
      chunkStart = j;
      continue;
    }
    j++;
  }
  throw new TemplateError('unterminated string', { position: i, source: src });
}

/**
 * Where the quoted string starting at `i` ends (just past its closing quote), or -1 if it does not
 * close before a line break. Used by the template scanner to recognise `{"key":` as literal JSON.
 */
export function skipQuoted(src: string, i: number): number {
  const quote = src[i];
  for (let j = i + 1; j < src.length; j++) {
    const ch = src[j];
    if (ch === quote) return j + 1;
    if (ch === '\\') j++;
    else if (ch === '\n') return -1;
  }
  return -1;
}
