// String comparison under MySQL collations, approximated closely enough for filters: case and
// accent folding, the collation's order of ASCII punctuation, PAD SPACE, bytewise binary strings.
import type { ColumnInfo } from '../source/types.js';

export interface Collation {
  name: string;
  /** Binary strings: Buffers compared byte by byte, no padding. */
  bytes: boolean;
  /** How case is folded: general_ci and the 8-bit collations weigh by upper case, UCA ones by lower. */
  fold: 'none' | 'upper' | 'lower';
  /** Accent-insensitive: Unicode charsets' _ci/_ai collations ('é' = 'e'); latin1 ones are not. */
  accents: boolean;
  /** PAD SPACE: trailing spaces do not count in comparisons (they still do in LIKE). */
  padSpace: boolean;
  /** Sort weight of each ASCII character after folding; 0 marks characters the collation ignores. */
  ascii: Uint16Array;
}

// Weights start at 1: 0 is reserved for ignorable characters.
const IDENTITY = Uint16Array.from({ length: 128 }, (_, i) => i + 1);

/** general_ci and the 8-bit _ci collations weigh a character by its upper case. */
const UPPER = Uint16Array.from({ length: 128 }, (_, i) => (i >= 97 && i <= 122 ? i - 31 : i + 1));

// utf8mb4_unicode_ci (UCA 4.0) orders ASCII as whitespace, punctuation, symbols, digits, letters,
// and ignores the other control characters entirely. Read from MariaDB 10.11's WEIGHT_STRING().
const UCA_ORDER = '\t\n\v\f\r `^_-,;:!?.\'"()[]{}@*/\\&#%+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz';
const UCA = new Uint16Array(128);
UCA[0] = 1;
for (let i = 0; i < UCA_ORDER.length; i++) UCA[UCA_ORDER.charCodeAt(i)] = i + 2;
for (let c = 65; c <= 90; c++) UCA[c] = UCA[c + 32];

export const BINARY_COLLATION: Collation = {
  name: 'binary', bytes: true, fold: 'none', accents: false, padSpace: false, ascii: IDENTITY,
};

const UNICODE_CHARSETS = /^(utf8|utf8mb3|utf8mb4|ucs2|utf16|utf16le|utf32)_/;

export function collationByName(name: string): Collation {
  const n = name.toLowerCase();
  if (n === 'binary') return BINARY_COLLATION;
  // MySQL 8's _0900_ collations and MariaDB's _nopad_ ones count trailing spaces.
  const padSpace = !n.includes('nopad') && !n.includes('_0900_');
  const unicode = UNICODE_CHARSETS.test(n);
  if (n.endsWith('_bin') || n.endsWith('_cs')) {
    return { name, bytes: false, fold: 'none', accents: false, padSpace, ascii: IDENTITY };
  }
  const upper = n.includes('general') || !unicode;
  return {
    name, bytes: false, fold: upper ? 'upper' : 'lower', accents: unicode && !n.includes('_as_'), padSpace,
    ascii: upper ? UPPER : UCA,
  };
}

/** String literals take the connection collation; mig's connections use utf8mb4_unicode_ci. */
export const LITERAL_COLLATION = collationByName('utf8mb4_unicode_ci');

export function collationOf(col: ColumnInfo): Collation {
  if (col.binary || col.charset === 'binary') return BINARY_COLLATION;
  if (col.collation) return collationByName(col.collation);
  return collationByName(`${col.charset ?? 'utf8mb4'}_general_ci`);
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

const MARKS = /\p{Mn}/gu;
const UCA_IGNORABLE = /[\x01-\x08\x0e-\x1f\x7f]/g;

/**
 * Folds a string to its comparison form. forLike keeps one character per character, since
 * LIKE matches character by character (in utf8mb4_unicode_ci 'ß' = 'ss' but 'ß' LIKE '_').
 */
export function foldText(s: string, c: Collation, forLike = false): string {
  if (c.fold === 'none') return s;
  let t: string;
  if (isAscii(s)) {
    t = c.fold === 'upper' ? s.toUpperCase() : s.toLowerCase();
  } else if (c.fold === 'upper') {
    // general_ci weighs by single characters: 'ß' is 'S', not 'SS'.
    t = '';
    for (const ch of s) {
      const u = ch.toUpperCase();
      t += u.length === ch.length ? u : ch === 'ß' ? 'S' : ch;
    }
  } else {
    t = s.toLowerCase();
    if (!forLike) t = t.replace(/ß/g, 'ss');
  }
  if (c.accents && !isAscii(t)) t = t.normalize('NFD').replace(MARKS, '');
  return c.ascii === UCA && !forLike ? t.replace(UCA_IGNORABLE, '') : t;
}

/** Code unit order adjusted to code point order, so supplementary characters sort after U+FFFF as in utf8mb4_bin. */
function unit(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c < 0xd800 ? c : c <= 0xdfff ? c + 0x2000 : c - 0x800;
}

function trimmedLength(s: string, pad: boolean): number {
  let n = s.length;
  if (pad) while (n > 0 && s.charCodeAt(n - 1) === 32) n--;
  return n;
}

/** Marks a string the allocation-free path cannot weigh (non-ASCII or ignorable characters). */
const SLOW = 2;

/** Weight of one character; past ASCII, folded text orders by code point after every ASCII weight. */
function weigh(s: string, i: number, ascii: Uint16Array, folded: boolean): number {
  const u = unit(s, i);
  return u < 128 ? ascii[u] : folded ? u + 0x100 : -1;
}

/** Compares by weights; with PAD SPACE the shorter string counts as padded with spaces. */
function compareWeights(a: string, b: string, pad: boolean, ascii: Uint16Array, folded: boolean): number {
  const an = trimmedLength(a, pad);
  const bn = trimmedLength(b, pad);
  const n = Math.min(an, bn);
  for (let i = 0; i < n; i++) {
    const x = weigh(a, i, ascii, folded);
    const y = weigh(b, i, ascii, folded);
    if (x <= 0 || y <= 0) return SLOW;
    if (x !== y) return x < y ? -1 : 1;
  }
  if (an === bn) return 0;
  if (!pad) return an < bn ? -1 : 1;
  const space = ascii[32];
  const longer = an > bn ? a : b;
  for (let i = n; i < Math.max(an, bn); i++) {
    const x = weigh(longer, i, ascii, folded);
    if (x <= 0) return SLOW;
    if (x !== space) return (x < space) === (an > bn) ? -1 : 1;
  }
  return 0;
}

export function compareText(a: string, b: string, c: Collation): number {
  if (c.fold === 'none') return compareWeights(a, b, c.padSpace, IDENTITY, true);
  // The common case weighs ASCII on the fly instead of allocating folded copies.
  const fast = compareWeights(a, b, c.padSpace, c.ascii, false);
  if (fast !== SLOW) return fast;
  return compareWeights(foldText(a, c), foldText(b, c), c.padSpace, c.ascii, true);
}

export function compareBytes(a: Buffer, b: Buffer): number {
  return Buffer.compare(a, b);
}

export function toBytes(v: string | Buffer): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}
