// A MySQL lexer that keeps every token's place in the text, so DDL can be rewritten by replacing
// a few tokens (a table name, a column name) while everything else stays byte for byte as written.
// It knows just enough to never mistake a string, a comment or a quoted name for something else.

export type TokenType = 'ident' | 'word' | 'string' | 'punct' | 'comment' | 'space';

export interface Token {
  type: TokenType;
  /** The token as written. */
  text: string;
  start: number;
  end: number;
  /** ident: the name without backticks; word: the text; others: the text. */
  value: string;
}

const WORD = /[A-Za-z0-9_$\u0080-\uFFFF]/;

/**
 * Splits `sql` into tokens. `/*!50100 … *\/` and `/*M! … *\/` are comments the server executes, so
 * their opener and closer are comment tokens and their contents are lexed like the rest of the text
 * (partitioning clauses in SHOW CREATE TABLE live there). TiDB's `/*T! … *\/` is a plain comment
 * to MySQL and stays one token.
 */
export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let openExecutable = false;
  const push = (type: TokenType, end: number, value?: string) => {
    const text = sql.slice(i, end);
    out.push({ type, text, start: i, end, value: value ?? text });
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /\s/.test(sql[j]!)) j++;
      push('space', j);
    } else if (c === '`') {
      let j = i + 1;
      let name = '';
      for (;;) {
        if (j >= sql.length) throw new SyntaxError(`unterminated quoted name at ${i}`);
        if (sql[j] === '`') {
          if (sql[j + 1] === '`') {
            name += '`';
            j += 2;
            continue;
          }
          break;
        }
        name += sql[j];
        j++;
      }
      push('ident', j + 1, name);
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) throw new SyntaxError(`unterminated string at ${i}`);
        if (sql[j] === '\\') {
          j += 2;
          continue;
        }
        if (sql[j] === c) {
          if (sql[j + 1] === c) {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      push('string', j + 1);
    } else if (c === '/' && next === '*') {
      if (sql.startsWith('/*!', i) || sql.startsWith('/*M!', i)) {
        const m = /^\/\*M?!\d*/.exec(sql.slice(i))!;
        openExecutable = true;
        push('comment', i + m[0].length);
      } else {
        const j = sql.indexOf('*/', i + 2);
        push('comment', j < 0 ? sql.length : j + 2);
      }
    } else if (c === '*' && next === '/' && openExecutable) {
      openExecutable = false;
      push('comment', i + 2);
    } else if (c === '#' || (c === '-' && next === '-' && /\s/.test(sql[i + 2] ?? ' '))) {
      const j = sql.indexOf('\n', i);
      push('comment', j < 0 ? sql.length : j);
    } else if (WORD.test(c)) {
      let j = i + 1;
      while (j < sql.length && WORD.test(sql[j]!)) j++;
      push('word', j);
    } else {
      push('punct', i + 1);
    }
  }
  return out;
}

/** Tokens that carry meaning: no spaces and no comments. */
export function significant(tokens: Token[]): Token[] {
  return tokens.filter((t) => t.type !== 'space' && t.type !== 'comment');
}

export function isWord(t: Token | undefined, ...words: string[]): boolean {
  return t !== undefined && t.type === 'word' && words.some((w) => w.toUpperCase() === t.value.toUpperCase());
}

export function isPunct(t: Token | undefined, p: string): boolean {
  return t !== undefined && t.type === 'punct' && t.value === p;
}

/** A name, quoted or bare. */
export function isName(t: Token | undefined): boolean {
  return t !== undefined && (t.type === 'ident' || t.type === 'word');
}

/** A possibly qualified name read from significant tokens: `db`.`t` or `t`. */
export interface QualifiedName {
  database?: string;
  name: string;
  /** Index (in the significant-token array) of the first and last token of the name. */
  first: number;
  last: number;
  /** Character range in the text. */
  start: number;
  end: number;
}

export function readName(sig: Token[], at: number): QualifiedName | undefined {
  const a = sig[at];
  if (!isName(a)) return undefined;
  if (isPunct(sig[at + 1], '.') && isName(sig[at + 2])) {
    const b = sig[at + 2]!;
    return { database: a!.value, name: b.value, first: at, last: at + 2, start: a!.start, end: b.end };
  }
  return { name: a!.value, first: at, last: at, start: a!.start, end: a!.end };
}

/** Index of the `)` closing the `(` at `open`, in significant tokens. */
export function closingParen(sig: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < sig.length; i++) {
    if (isPunct(sig[i], '(')) depth++;
    else if (isPunct(sig[i], ')')) {
      depth--;
      if (depth === 0) return i;
    }
  }
  throw new SyntaxError('unbalanced parentheses');
}

/** Splits significant tokens [from, to) at commas outside parentheses. */
export function splitTopLevel(sig: Token[], from: number, to: number): Array<[number, number]> {
  const parts: Array<[number, number]> = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < to; i++) {
    const t = sig[i]!;
    if (isPunct(t, '(')) depth++;
    else if (isPunct(t, ')')) depth--;
    else if (depth === 0 && isPunct(t, ',')) {
      parts.push([start, i]);
      start = i + 1;
    }
  }
  if (start < to) parts.push([start, to]);
  return parts;
}

export function quoteIdent(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/** A replacement of text[start, end). */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Applies non-overlapping edits to `text`. */
export function applyEdits(text: string, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start);
  let out = text;
  let limit = Infinity;
  for (const e of sorted) {
    if (e.end > limit) throw new Error('overlapping edits');
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
    limit = e.start;
  }
  return out;
}
