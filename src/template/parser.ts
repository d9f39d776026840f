import { suggestName, TemplateError } from './errors.js';
import { FILTERS, FILTER_NAMES } from './filters.js';
import { readToken, type Token } from './lexer.js';
import { LIMITS } from './values.js';

export type BinaryOp =
  '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in' | '+' | '-' | '*' | '/' | '%' | 'and' | 'or';

interface Span {
  /** Start and end offsets of the node's text in the source. */
  s: number;
  e: number;
  /** Height of the subtree; bounded so evaluation recursion stays shallow. */
  h: number;
  /** The offset an error about this node points at. */
  p: number;
}

export type Node =
  | (Span & { t: 'lit'; v: unknown })
  | (Span & { t: 'ref'; name: string })
  /** `opt`: a `?.` appeared in this chain; `guard`: this link itself was written with `?.`. */
  | (Span & { t: 'get'; obj: Node; key: Node | string; opt: boolean; guard: boolean })
  | (Span & { t: 'arr'; items: Node[] })
  | (Span & { t: 'neg' | 'not'; arg: Node })
  | (Span & { t: 'bin'; op: BinaryOp; l: Node; r: Node })
  | (Span & { t: 'cond'; test: Node; yes: Node; no: Node })
  | (Span & { t: 'filter'; name: string; input: Node; args: Node[] });

type NodeInit = Node extends infer N ? (N extends Node ? Omit<N, 'h'> : never) : never;

const RESERVED = new Set(['and', 'or', 'not', 'in', 'true', 'false', 'null']);
const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);

/** Parses one expression starting at `pos`; returns it and the first token it did not consume. */
export function parseExpressionAt(src: string, pos: number, end: number): { node: Node; next: Token } {
  const parser = new Parser(src, pos, end);
  const node = parser.parseExpression();
  return { node, next: parser.tok };
}

/**
 * Recursive descent, lowest precedence first: ternary `?:`, `or`/`||`, `and`/`&&`, `not`,
 * comparisons and `in` (not chainable), `+ -`, `* / %`, unary `-`/`!`, then `| filter` and
 * postfix `.name`, `?.name`, `[expr]`.
 */
class Parser {
  tok: Token;
  private depth = 0;

  constructor(
    private readonly src: string,
    pos: number,
    private readonly end: number,
  ) {
    this.tok = readToken(src, pos, end);
  }

  parseExpression(): Node {
    const test = this.parseOr();
    if (!this.isOp('?')) return test;
    this.enter();
    const q = this.advance();
    const yes = this.parseExpression();
    this.expectOp(':', 'to continue the "?" expression');
    const no = this.parseExpression();
    this.leave();
    return this.node({ t: 'cond', test, yes, no, s: test.s, e: no.e, p: q.start }, [test, yes, no]);
  }

  private parseOr(): Node {
    let l = this.parseAnd();
    while (this.isWord('or') || this.isOp('||')) {
      const op = this.advance();
      const r = this.parseAnd();
      l = this.bin('or', l, r, op);
    }
    return l;
  }

  private parseAnd(): Node {
    let l = this.parseNot();
    while (this.isWord('and') || this.isOp('&&')) {
      const op = this.advance();
      const r = this.parseNot();
      l = this.bin('and', l, r, op);
    }
    return l;
  }

  private parseNot(): Node {
    if (!this.isWord('not')) return this.parseComparison();
    this.enter();
    const op = this.advance();
    const arg = this.parseNot();
    this.leave();
    return this.node({ t: 'not', arg, s: op.start, e: arg.e, p: op.start }, [arg]);
  }

  private parseComparison(): Node {
    const l = this.parseAdditive();
    const op = this.comparisonOp();
    if (op === undefined) return l;
    const opTok = this.advance();
    if (op === 'not in') this.advance();
    const r = this.parseAdditive();
    if (this.comparisonOp() !== undefined) {
      this.fail('comparisons cannot be chained; combine them with "and"');
    }
    return this.bin(op, l, r, opTok);
  }

  private comparisonOp(): BinaryOp | undefined {
    const t = this.tok;
    if (t.kind === 'op' && COMPARISONS.has(t.text)) return t.text as BinaryOp;
    if (this.isWord('in')) return 'in';
    if (this.isWord('not')) {
      const after = readToken(this.src, t.end, this.end);
      if (after.kind === 'id' && after.text === 'in') return 'not in';
      this.fail('expected "in" after "not" here (a "not" inside a comparison needs parentheses)');
    }
    return undefined;
  }

  private parseAdditive(): Node {
    let l = this.parseMultiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.advance();
      const r = this.parseMultiplicative();
      l = this.bin(op.text as BinaryOp, l, r, op);
    }
    return l;
  }

  private parseMultiplicative(): Node {
    let l = this.parseUnary(true);
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const op = this.advance();
      const r = this.parseUnary(true);
      l = this.bin(op.text as BinaryOp, l, r, op);
    }
    return l;
  }

  /** Filters bind tighter than binary operators (as in Jinja): `a + b | round` rounds only `b`. */
  private parseUnary(withFilters: boolean): Node {
    let node: Node;
    if (this.isOp('-') || this.isOp('!')) {
      this.enter();
      const op = this.advance();
      const arg = this.parseUnary(false);
      this.leave();
      node = this.node({ t: op.text === '-' ? 'neg' : 'not', arg, s: op.start, e: arg.e, p: op.start }, [
        arg,
      ]);
    } else {
      node = this.parsePostfix(this.parsePrimary());
    }
    while (withFilters && this.isOp('|')) node = this.parseFilter(node);
    return node;
  }

  private parseFilter(input: Node): Node {
    this.advance();
    const nameTok = this.tok;
    if (nameTok.kind !== 'id') this.fail('expected a filter name after "|"');
    this.advance();
    const name = nameTok.text;
    const def = FILTERS.get(name);
    if (def === undefined) {
      throw new TemplateError(`unknown filter "${name}"`, {
        position: nameTok.start,
        source: this.src,
        suggestion: suggestName(name, FILTER_NAMES),
        tail: `known filters: ${FILTER_NAMES.join(', ')}`,
      });
    }
    const args: Node[] = [];
    let e = nameTok.end;
    if (this.isOp('(')) {
      this.enter();
      this.advance();
      while (!this.isOp(')')) {
        args.push(this.parseExpression());
        if (!this.isOp(',')) break;
        this.advance();
      }
      e = this.expectOp(')', `to close the arguments of "${name}"`).end;
      this.leave();
    }
    if (args.length < def.minArgs || args.length > def.maxArgs) {
      const want = def.minArgs === def.maxArgs ? `${def.minArgs}` : `${def.minArgs} to ${def.maxArgs}`;
      throw new TemplateError(`filter "${name}" takes ${want} argument(s), got ${args.length}`, {
        position: nameTok.start,
        source: this.src,
        hint: `Usage: ${def.usage}`,
      });
    }
    return this.node({ t: 'filter', name, input, args, s: input.s, e, p: nameTok.start }, [input, ...args]);
  }

  private parsePostfix(base: Node): Node {
    let node = base;
    let optional = false;
    let guard = false;
    for (;;) {
      if (this.isOp('.') || this.isOp('?.')) {
        const dot = this.advance();
        guard = dot.text === '?.';
        if (guard) optional = true;
        if (guard && this.isOp('[')) continue;
        const name = this.tok;
        if (name.kind !== 'id') {
          this.fail(
            `expected a property name after "${dot.text}" (use [0] for an index, ["a b"] for other keys)`,
          );
        }
        this.advance();
        node = this.node(
          {
            t: 'get',
            obj: node,
            key: name.text,
            opt: optional,
            guard,
            s: node.s,
            e: name.end,
            p: name.start,
          },
          [node],
        );
        guard = false;
      } else if (this.isOp('[')) {
        this.enter();
        const open = this.advance();
        const key = this.parseExpression();
        const close = this.expectOp(']', 'to close "["');
        this.leave();
        node = this.node(
          { t: 'get', obj: node, key, opt: optional, guard, s: node.s, e: close.end, p: open.start + 1 },
          [node, key],
        );
        guard = false;
      } else if (this.isOp('(')) {
        return this.fail('calls are not supported; apply a filter instead, e.g. "value | round(2)"');
      } else {
        return node;
      }
    }
  }

  private parsePrimary(): Node {
    const t = this.tok;
    switch (t.kind) {
      case 'num':
        this.advance();
        return { t: 'lit', v: t.num, s: t.start, e: t.end, p: t.start, h: 1 };
      case 'str':
        this.advance();
        return { t: 'lit', v: t.text, s: t.start, e: t.end, p: t.start, h: 1 };
      case 'id': {
        if (RESERVED.has(t.text)) {
          if (t.text !== 'true' && t.text !== 'false' && t.text !== 'null') {
            this.fail(`unexpected "${t.text}"`);
          }
          this.advance();
          const v = t.text === 'null' ? null : t.text === 'true';
          return { t: 'lit', v, s: t.start, e: t.end, p: t.start, h: 1 };
        }
        this.advance();
        return { t: 'ref', name: t.text, s: t.start, e: t.end, p: t.start, h: 1 };
      }
      case 'eof':
        return this.fail('expected an expression but the template ended');
      case 'op':
        if (t.text === '(') {
          this.enter();
          this.advance();
          const inner = this.parseExpression();
          this.expectOp(')', 'to close "("');
          this.leave();
          return inner;
        }
        if (t.text === '[') return this.parseArray();
        if (t.text === '{') {
          return this.fail(
            'unexpected "{": inside an expression refer to values directly (a > b, not {a} > {b})',
          );
        }
        return this.fail(`expected an expression, found "${t.text}"`);
    }
  }

  private parseArray(): Node {
    this.enter();
    const open = this.advance();
    const items: Node[] = [];
    while (!this.isOp(']')) {
      items.push(this.parseExpression());
      if (!this.isOp(',')) break;
      this.advance();
    }
    const close = this.expectOp(']', 'to close the list');
    this.leave();
    return this.node({ t: 'arr', items, s: open.start, e: close.end, p: open.start }, items);
  }

  private bin(op: BinaryOp, l: Node, r: Node, opTok: Token): Node {
    return this.node({ t: 'bin', op, l, r, s: l.s, e: r.e, p: opTok.start }, [l, r]);
  }

  /** Fills in the height and refuses trees tall enough to threaten the evaluator's stack. */
  private node(n: NodeInit, children: Node[]): Node {
    let h = 0;
    for (const c of children) if (c.h > h) h = c.h;
    const full: Node = { ...n, h: h + 1 };
    if (full.h > LIMITS.maxTreeHeight) {
      this.fail(`expression is too complex (more than ${LIMITS.maxTreeHeight} levels)`, n.p);
    }
    return full;
  }

  private enter(): void {
    if (++this.depth > LIMITS.maxNesting) this.fail(`nesting is deeper than ${LIMITS.maxNesting} levels`);
  }

  private leave(): void {
    this.depth--;
  }

  private advance(): Token {
    const t = this.tok;
    this.tok = readToken(this.src, t.end, this.end);
    return t;
  }

  private isOp(text: string): boolean {
    return this.tok.kind === 'op' && this.tok.text === text;
  }

  private isWord(text: string): boolean {
    return this.tok.kind === 'id' && this.tok.text === text;
  }

  private expectOp(text: string, why: string): Token {
    if (this.isOp(text)) return this.advance();
    const found =
      this.tok.kind === 'eof'
        ? 'the end of the template'
        : `"${this.src.slice(this.tok.start, this.tok.end)}"`;
    return this.fail(`expected "${text}" ${why}, found ${found}`);
  }

  private fail(detail: string, position = this.tok.start): never {
    throw new TemplateError(detail, { position, source: this.src });
  }
}
