// Tokenizer for row filters: MySQL's lexical rules for the subset filter-parse understands.
// Offsets are JavaScript string indices into the filter text, so errors can point at the spot.
// It sits in src/spec because the filter's grammar is part of the spec: validate parses filters with it,
// and src/spec may not import src/transform (which evaluates them).
import type { NumberKind } from './filter-ast.js';

export type Token =
  | { t: 'ident'; text: string; quoted: boolean; offset: number }
  | { t: 'string'; value: string; offset: number }
  | { t: 'number'; text: string; kind: NumberKind; offset: number }
  | { t: 'op'; text: string; offset: number }
  | { t: 'end'; offset: number };

export type LexResult = { ok: true; tokens: Token[] } | { ok: false; message: string; offset: number };

class LexError {
  constructor(
    readonly message: string,
    readonly offset: number,
  ) {}
}

/** Reserved words MySQL never reads as a bare column name; a column so named must be backquoted. */
export const RESERVED = new Set([
  'AND', 'OR', 'XOR', 'NOT', 'IS', 'IN', 'BETWEEN', 'LIKE', 'ESCAPE', 'DIV', 'MOD', 'NULL', 'TRUE', 'FALSE',
  'SELECT', 'FROM', 'WHERE', 'EXISTS', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'INTERVAL', 'BINARY', 'COLLATE',
  'REGEXP', 'RLIKE', 'SOUNDS', 'CURRENT_TIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME',
]);

export const UNSUPPORTED_CONSTRUCTS = {
  SELECT: 'subqueries are not supported in filters',
  EXISTS: 'subqueries are not supported in filters',
  CASE: 'CASE expressions are not supported in filters',
  INTERVAL: 'INTERVAL arithmetic is not supported in filters',
  BINARY: 'the BINARY operator is not supported in filters',
  COLLATE: 'COLLATE is not supported in filters; the column collation is used',
  REGEXP: 'REGEXP is not supported in filters; use LIKE',
  RLIKE: 'RLIKE is not supported in filters; use LIKE',
  SOUNDS: 'SOUNDS LIKE is not supported in filters',
  CURRENT_DATE: 'CURRENT_DATE is not supported in filters; use DATE(NOW())',
  CURRENT_TIME: 'CURRENT_TIME is not supported in filters',
} as const;

/** A token as error messages name it. */
export function describe(tok: Token): string {
  switch (tok.t) {
    case 'end':
      return 'end of filter';
    case 'string':
      return 'string literal';
    case 'number':
      return tok.text;
    case 'op':
      return `'${tok.text}'`;
    case 'ident':
      return tok.quoted ? `\`${tok.text}\`` : tok.text;
  }
}

/** Longest first, so '<=>' wins over '<=' and '<'. */
const OPERATORS = ['<=>', '<=', '>=', '<>', '!=', '&&', '||', '=', '<', '>', '+', '-', '*', '/', '%', '!', '(', ')', ',', '.'];
const UNSUPPORTED_OPERATORS = [':=', '<<', '>>', '~', '&', '|', '^', '@', '?'];

/** Largest integer literal MySQL keeps as an integer; longer ones become DECIMAL. */
const MAX_UNSIGNED_BIGINT = '18446744073709551615';

// MySQL backslash escapes inside string literals. \% and \_ keep their backslash so that LIKE
// can still see them as escaped wildcards; every other unknown escape drops the backslash.
const STRING_ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0',
  "'": "'",
  '"': '"',
  b: '\b',
  n: '\n',
  r: '\r',
  t: '\t',
  Z: '\x1a',
  '\\': '\\',
  '%': '\\%',
  _: '\\_',
};

function isIdentChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c >= 0x80
  );
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

export function tokenize(text: string): LexResult {
  try {
    return { ok: true, tokens: scan(text) };
  } catch (e) {
    if (e instanceof LexError) return { ok: false, message: e.message, offset: e.offset };
    throw e;
  }
}

function scan(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const ch = text[i];
    if (ch === '#' || (ch === '-' && text[i + 1] === '-' && (i + 2 >= n || isSpace(text.charCodeAt(i + 2))))) {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (ch === '/' && text[i + 1] === '*') {
      // MySQL executes the body of /*! ... */, so treating it as a comment would diverge.
      if (text[i + 2] === '!') throw new LexError('executable comments (/*! ... */) are not supported', i);
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new LexError('unterminated comment', i);
      i = end + 2;
      continue;
    }
    if (ch === "'" || ch === '"') {
      const [value, next] = readString(text, i);
      tokens.push({ t: 'string', value, offset: i });
      i = next;
      continue;
    }
    if (ch === '`') {
      const [name, next] = readQuotedIdent(text, i);
      tokens.push({ t: 'ident', text: name, quoted: true, offset: i });
      i = next;
      continue;
    }
    const prev = tokens[tokens.length - 1];
    const afterDot = prev !== undefined && prev.t === 'op' && prev.text === '.';
    if (!afterDot && (isDigit(c) || (ch === '.' && isDigit(text.charCodeAt(i + 1))))) {
      const tok = readNumber(text, i);
      if (tok) {
        tokens.push(tok);
        i += tok.text.length;
        continue;
      }
    }
    if (isIdentChar(c)) {
      let j = i;
      while (j < n && isIdentChar(text.charCodeAt(j))) j++;
      const word = text.slice(i, j);
      if (text[j] === "'") {
        // N'...' is an ordinary string in the national charset; X'', B'' and _charset'' are not supported.
        if (word === 'N' || word === 'n') {
          const [value, next] = readString(text, j);
          tokens.push({ t: 'string', value, offset: i });
          i = next;
          continue;
        }
        throw new LexError(`${word}'...' literals (hexadecimal, bit or charset-introduced strings) are not supported`, i);
      }
      if (/^0[xb]/i.test(word) && /^0(x[0-9a-f]+|b[01]+)$/i.test(word)) {
        throw new LexError(`hexadecimal and bit literals (${word}) are not supported`, i);
      }
      tokens.push({ t: 'ident', text: word, quoted: false, offset: i });
      i = j;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) {
      tokens.push({ t: 'op', text: op, offset: i });
      i += op.length;
      continue;
    }
    // The filter is pasted after WHERE: a `;` there would end the query and start another one.
    if (ch === ';') throw new LexError("a filter is one condition: ';' would end it and start a second statement", i);
    const bad = UNSUPPORTED_OPERATORS.find((o) => text.startsWith(o, i));
    if (bad) throw new LexError(`operator ${bad} is not supported in filters`, i);
    throw new LexError(`unexpected character ${JSON.stringify(ch)}`, i);
  }
  tokens.push({ t: 'end', offset: n });
  return tokens;
}

function readString(text: string, start: number): [string, number] {
  const quote = text[start];
  let out = '';
  let i = start + 1;
  for (;;) {
    if (i >= text.length) throw new LexError(`unterminated string starting here`, start);
    const ch = text[i];
    if (ch === '\\') {
      const next = text[i + 1];
      if (next === undefined) throw new LexError(`unterminated string starting here`, start);
      out += STRING_ESCAPES[next] ?? next;
      i += 2;
    } else if (ch === quote) {
      if (text[i + 1] === quote) {
        out += quote;
        i += 2;
      } else {
        return [out, i + 1];
      }
    } else {
      out += ch;
      i++;
    }
  }
}

function readQuotedIdent(text: string, start: number): [string, number] {
  let out = '';
  let i = start + 1;
  for (;;) {
    if (i >= text.length) throw new LexError('unterminated `quoted identifier` starting here', start);
    if (text[i] === '`') {
      if (text[i + 1] === '`') {
        out += '`';
        i += 2;
        continue;
      }
      if (out.length === 0) throw new LexError('empty `` identifier', start);
      return [out, i + 1];
    }
    out += text[i];
    i++;
  }
}

const NUMBER = /(\d*)(\.\d*)?([eE][+-]?\d+)?/y;

/** A number token, or undefined when the digits run on into letters (MySQL then reads an identifier, e.g. 1st_col). */
function readNumber(text: string, start: number): Extract<Token, { t: 'number' }> | undefined {
  NUMBER.lastIndex = start;
  const m = NUMBER.exec(text);
  if (!m || m[0] === '' || m[0] === '.') return undefined;
  const end = start + m[0].length;
  if (end < text.length && isIdentChar(text.charCodeAt(end))) {
    if (m[2] !== undefined || m[3] !== undefined) {
      throw new LexError(`malformed number ${JSON.stringify(text.slice(start, end + 1))}`, start);
    }
    return undefined;
  }
  let kind: NumberKind = m[3] !== undefined ? 'real' : m[2] !== undefined ? 'decimal' : 'int';
  if (kind === 'int') {
    // No fraction and no exponent: the whole match is the integer digits.
    const digits = m[0].replace(/^0+(?=\d)/, '');
    const tooBig =
      digits.length > MAX_UNSIGNED_BIGINT.length ||
      (digits.length === MAX_UNSIGNED_BIGINT.length && digits > MAX_UNSIGNED_BIGINT);
    if (tooBig) kind = 'decimal';
  }
  return { t: 'number', text: m[0], kind, offset: start };
}
