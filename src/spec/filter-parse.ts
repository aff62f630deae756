// Recursive-descent parser for row filters: a MySQL WHERE-condition subset, with MySQL's precedence
// (so `NOT a = b` is NOT (a = b) while `!a = b` is (!a) = b). User mistakes come back as values, never throws.
// It sits in src/spec because the filter's grammar is part of the spec: validate parses filters with it,
// and src/spec may not import src/transform (which evaluates them).
import {
  FUNCTION_ARITY,
  FUNCTION_SYNONYMS,
  type CompareOp,
  type Expr,
  type FilterFunction,
  type ParseResult,
} from './filter-ast.js';
import { RESERVED, UNSUPPORTED_CONSTRUCTS, describe, tokenize, type Token } from './filter-lex.js';

export type { Expr, ParseResult } from './filter-ast.js';

class ParseError {
  constructor(
    readonly message: string,
    readonly offset: number,
  ) {}
}

const COMPARE_OPS: Readonly<Record<string, CompareOp>> = {
  '=': '=',
  '<>': '<>',
  '!=': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
  '<=>': '<=>',
};

/** UNSUPPORTED_CONSTRUCTS looked up by any word of the filter. */
const UNSUPPORTED_BY_WORD: Readonly<Record<string, string>> = UNSUPPORTED_CONSTRUCTS;

/** Deep nesting would overflow the stack of this parser and of the compiled closures. */
const MAX_DEPTH = 200;

export function parseFilter(text: string): ParseResult {
  const lexed = tokenize(text);
  if (!lexed.ok) return lexed;
  const parser = new Parser(lexed.tokens);
  try {
    const expr = parser.parseExpr();
    const tok = parser.peek();
    if (tok.t !== 'end') throw new ParseError(`unexpected ${describe(tok)} after the end of the condition`, tok.offset);
    return { ok: true, expr, columns: parser.columns };
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, message: e.message, offset: e.offset };
    throw e;
  }
}

class Parser {
  readonly columns: string[] = [];
  private readonly seen = new Set<string>();
  private pos = 0;
  private depth = 0;
  /** The last token: looking past it finds it again. */
  private readonly end: Token;

  constructor(private readonly tokens: Token[]) {
    const end = tokens.at(-1);
    if (end?.t !== 'end') throw new Error('the token list does not close with the end token');
    this.end = end;
  }

  peek(ahead = 0): Token {
    return this.tokens[this.pos + ahead] ?? this.end;
  }

  private next(): Token {
    const tok = this.peek();
    if (tok.t !== 'end') this.pos++;
    return tok;
  }

  private isKeyword(word: string, ahead = 0): boolean {
    const tok = this.peek(ahead);
    return tok.t === 'ident' && !tok.quoted && tok.text.toUpperCase() === word;
  }

  private isOp(text: string, ahead = 0): boolean {
    const tok = this.peek(ahead);
    return tok.t === 'op' && tok.text === text;
  }

  private expectOp(text: string, message: string): void {
    if (!this.isOp(text)) throw new ParseError(`${message}, found ${describe(this.peek())}`, this.peek().offset);
    this.pos++;
  }

  parseExpr(): Expr {
    if (++this.depth > MAX_DEPTH) throw new ParseError('filter is nested too deeply', this.peek().offset);
    const e = this.parseOr();
    this.depth--;
    return e;
  }

  private parseOr(): Expr {
    let left = this.parseXor();
    while (this.isKeyword('OR') || this.isOp('||')) {
      const offset = this.next().offset;
      left = { kind: 'logic', op: 'or', left, right: this.parseXor(), offset };
    }
    return left;
  }

  private parseXor(): Expr {
    let left = this.parseAnd();
    while (this.isKeyword('XOR')) {
      const offset = this.next().offset;
      left = { kind: 'logic', op: 'xor', left, right: this.parseAnd(), offset };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.isKeyword('AND') || this.isOp('&&')) {
      const offset = this.next().offset;
      left = { kind: 'logic', op: 'and', left, right: this.parseNot(), offset };
    }
    return left;
  }

  private parseNot(): Expr {
    if (this.isKeyword('NOT')) {
      const offset = this.next().offset;
      return { kind: 'not', arg: this.parseNot(), offset };
    }
    return this.parseBoolPrimary();
  }

  private parseBoolPrimary(): Expr {
    let left = this.parsePredicate();
    for (;;) {
      const tok = this.peek();
      const op = tok.t === 'op' ? COMPARE_OPS[tok.text] : undefined;
      if (this.isKeyword('IS')) {
        this.pos++;
        const negated = this.isKeyword('NOT');
        if (negated) this.pos++;
        const what = this.next();
        const word = what.t === 'ident' && !what.quoted ? what.text.toUpperCase() : '';
        if (word !== 'NULL' && word !== 'TRUE' && word !== 'FALSE' && word !== 'UNKNOWN') {
          throw new ParseError(`expected NULL, TRUE, FALSE or UNKNOWN after IS, found ${describe(what)}`, what.offset);
        }
        const test = word.toLowerCase() as 'null' | 'true' | 'false' | 'unknown';
        left = { kind: 'is', test, negated, arg: left, offset: tok.offset };
      } else if (op !== undefined) {
        this.pos++;
        left = { kind: 'compare', op, left, right: this.parsePredicate(), offset: tok.offset };
      } else {
        return left;
      }
    }
  }

  private parsePredicate(): Expr {
    const arg = this.parseAdditive();
    const negated = this.isKeyword('NOT') && ['IN', 'BETWEEN', 'LIKE'].some((w) => this.isKeyword(w, 1));
    if (negated) this.pos++;
    const tok = this.peek();
    for (const word of ['REGEXP', 'RLIKE', 'SOUNDS'] as const) {
      if (this.isKeyword(word) || (this.isKeyword('NOT') && this.isKeyword(word, 1))) {
        throw new ParseError(UNSUPPORTED_CONSTRUCTS[word], this.peek(this.isKeyword(word) ? 0 : 1).offset);
      }
    }
    if (this.isKeyword('IN')) {
      this.pos++;
      this.expectOp('(', "expected '(' after IN");
      if (this.isOp(')')) throw new ParseError('the IN list must not be empty', this.peek().offset);
      const list = [this.parseExpr()];
      while (this.isOp(',')) {
        this.pos++;
        list.push(this.parseExpr());
      }
      this.expectOp(')', "expected ')' after IN list");
      return { kind: 'in', negated, arg, list, offset: tok.offset };
    }
    if (this.isKeyword('BETWEEN')) {
      this.pos++;
      const low = this.parseAdditive();
      if (!this.isKeyword('AND')) {
        throw new ParseError(`expected AND in BETWEEN, found ${describe(this.peek())}`, this.peek().offset);
      }
      this.pos++;
      return { kind: 'between', negated, arg, low, high: this.parsePredicate(), offset: tok.offset };
    }
    if (this.isKeyword('LIKE')) {
      this.pos++;
      const pattern = this.parseUnary();
      let escape = '\\';
      if (this.isKeyword('ESCAPE')) {
        this.pos++;
        const esc = this.next();
        if (esc.t !== 'string' || [...esc.value].length !== 1) {
          throw new ParseError('ESCAPE must be followed by a one-character string literal', esc.offset);
        }
        escape = esc.value;
      }
      return { kind: 'like', negated, arg, pattern, escape, offset: tok.offset };
    }
    return arg;
  }

  private parseAdditive(): Expr {
    let left = this.parseMultiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      const tok = this.next();
      const op = tok.t === 'op' && tok.text === '+' ? '+' : '-';
      left = { kind: 'arith', op, left, right: this.parseMultiplicative(), offset: tok.offset };
    }
    return left;
  }

  private parseMultiplicative(): Expr {
    let left = this.parseUnary();
    for (;;) {
      const tok = this.peek();
      let op: '*' | '/' | 'div' | 'mod';
      if (this.isOp('*')) op = '*';
      else if (this.isOp('/')) op = '/';
      else if (this.isOp('%') || this.isKeyword('MOD')) op = 'mod';
      else if (this.isKeyword('DIV')) op = 'div';
      else return left;
      this.pos++;
      left = { kind: 'arith', op, left, right: this.parseUnary(), offset: tok.offset };
    }
  }

  private parseUnary(): Expr {
    const tok = this.peek();
    if (++this.depth > MAX_DEPTH) throw new ParseError('filter is nested too deeply', tok.offset);
    let e: Expr;
    if (this.isOp('-')) {
      this.pos++;
      e = { kind: 'negate', arg: this.parseUnary(), offset: tok.offset };
    } else if (this.isOp('+')) {
      this.pos++;
      e = this.parseUnary();
    } else if (this.isOp('!')) {
      this.pos++;
      e = { kind: 'not', arg: this.parseUnary(), offset: tok.offset };
    } else {
      e = this.parsePrimary();
    }
    if (this.isKeyword('COLLATE')) throw new ParseError(UNSUPPORTED_CONSTRUCTS.COLLATE, this.peek().offset);
    this.depth--;
    return e;
  }

  private parsePrimary(): Expr {
    const tok = this.next();
    switch (tok.t) {
      case 'number':
        return { kind: 'number', text: tok.text, numberKind: tok.kind, offset: tok.offset };
      case 'string': {
        // Adjacent literals concatenate, as in MySQL: 'abc' 'def' is 'abcdef'.
        let value = tok.value;
        for (let t = this.peek(); t.t === 'string'; t = this.peek()) {
          value += t.value;
          this.pos++;
        }
        return { kind: 'string', value, offset: tok.offset };
      }
      case 'op':
        if (tok.text === '(') {
          const inner = this.parseExpr();
          if (this.isOp(',')) throw new ParseError('row constructors (a, b) are not supported', this.peek().offset);
          this.expectOp(')', "expected ')'");
          return inner;
        }
        throw new ParseError(`expected an expression, found ${describe(tok)}`, tok.offset);
      case 'end':
        throw new ParseError('expected an expression, found end of filter (the condition is incomplete)', tok.offset);
      case 'ident':
        return this.parseIdentifier(tok);
    }
  }

  private parseIdentifier(tok: Extract<Token, { t: 'ident' }>): Expr {
    const upper = tok.text.toUpperCase();
    if (!tok.quoted) {
      if (upper === 'NULL') return { kind: 'null', offset: tok.offset };
      if (upper === 'TRUE' || upper === 'FALSE') return { kind: 'bool', value: upper === 'TRUE', offset: tok.offset };
      if (upper === 'CURRENT_TIMESTAMP') {
        if (this.isOp('(')) {
          this.pos++;
          this.expectOp(')', "expected ')' after CURRENT_TIMESTAMP(");
        }
        return { kind: 'call', fn: 'NOW', args: [], offset: tok.offset };
      }
      const unsupported = UNSUPPORTED_BY_WORD[upper];
      if (unsupported !== undefined) throw new ParseError(unsupported, tok.offset);
      if (RESERVED.has(upper)) throw new ParseError(`expected an expression, found ${upper}`, tok.offset);
    }
    if (this.isOp('(')) return this.parseCall(tok);
    let table: string | undefined;
    let name = tok.text;
    // db.table.col and table.col both name the column; only the last two parts are kept.
    while (this.isOp('.')) {
      this.pos++;
      const part = this.next();
      if (part.t !== 'ident') throw new ParseError(`expected a column name after '.', found ${describe(part)}`, part.offset);
      table = name;
      name = part.text;
    }
    const key = name.toLowerCase();
    if (!this.seen.has(key)) {
      this.seen.add(key);
      this.columns.push(name);
    }
    return table === undefined
      ? { kind: 'column', name, offset: tok.offset }
      : { kind: 'column', name, table, offset: tok.offset };
  }

  private parseCall(tok: Extract<Token, { t: 'ident' }>): Expr {
    const upper = tok.text.toUpperCase();
    const fn: FilterFunction | undefined = FUNCTION_SYNONYMS[upper];
    if (fn === undefined) {
      const names = Object.keys(FUNCTION_SYNONYMS).sort().join(', ');
      throw new ParseError(`unknown function ${upper}: supported are ${names}`, tok.offset);
    }
    this.pos++; // '('
    const args: Expr[] = [];
    if (!this.isOp(')')) {
      args.push(this.parseExpr());
      if (fn === 'SUBSTRING' && this.isKeyword('FROM')) {
        // SUBSTRING(s FROM pos [FOR len]) is the SQL-standard spelling of SUBSTRING(s, pos [, len]).
        this.pos++;
        args.push(this.parseExpr());
        if (this.isKeyword('FOR')) {
          this.pos++;
          args.push(this.parseExpr());
        }
      } else {
        while (this.isOp(',')) {
          this.pos++;
          args.push(this.parseExpr());
        }
      }
    }
    this.expectOp(')', `expected ')' after the arguments of ${upper}`);
    const [min, max] = FUNCTION_ARITY[fn];
    if (args.length < min || args.length > max) {
      const wanted = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      throw new ParseError(
        `${upper} takes ${wanted} argument${wanted === '1' ? '' : 's'}, got ${args.length}`,
        tok.offset,
      );
    }
    return { kind: 'call', fn, args, offset: tok.offset };
  }
}
