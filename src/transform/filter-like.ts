// LIKE patterns compiled once into regular expressions: % is any run, _ one character (one byte
// for binary strings), the escape character makes the next one literal, matching under the collation.
import { foldText, toBytes, type Collation } from './filter-collation.js';

export type LikeMatcher = (subject: string | Buffer) => boolean;

export function compileLike(pattern: string | Buffer, escape: string, c: Collation): LikeMatcher {
  // Binary strings match byte by byte: both sides become latin1 strings, one character per byte.
  const pat = c.bytes ? toBytes(pattern).toString('latin1') : typeof pattern === 'string' ? pattern : pattern.toString('utf8');
  const esc = c.bytes ? Buffer.from(escape, 'utf8').toString('latin1') : escape;
  const chars = c.bytes ? pat.split('') : [...pat];
  let source = '';
  let literal = '';
  const flush = (): void => {
    source += escapeRegExp(c.bytes ? literal : foldText(literal, c));
    literal = '';
  };
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    // An escape character at the very end stands for itself, as in MySQL.
    if (ch === esc && i + 1 < chars.length) {
      literal += chars[++i];
    } else if (ch === '%' || ch === '_') {
      flush();
      source += ch === '%' ? '[\\s\\S]*' : '[\\s\\S]';
    } else {
      literal += ch;
    }
  }
  flush();
  const re = new RegExp(`^${source}$`, c.bytes ? '' : 'u');
  if (c.bytes) return (s) => re.test(toBytes(s).toString('latin1'));
  return (s) => re.test(foldText(typeof s === 'string' ? s : s.toString('utf8'), c));
}

function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}
