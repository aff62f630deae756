// String comparison under MySQL collations: per-character sort weights read from MariaDB for the
// common collations (so case, accents, 'ß' = 'ss' and punctuation order match the server), case
// and accent folding for the rest, PAD SPACE, and bytewise binary strings.
import type { ColumnInfo } from '../model/source-data.js';
import {
  LATIN1_GENERAL_CI, LATIN1_SWEDISH_CI, UNICODE_TABLE_RANGES, UTF8MB4_GENERAL_CI, UTF8MB4_UNICODE_CI,
} from './filter-collation-weights.js';

type Weights = ReadonlyMap<number, readonly number[]>;

export interface Collation {
  name: string;
  /** Binary strings: Buffers compared byte by byte, no padding. */
  bytes: boolean;
  /** Case folding for LIKE and for characters without a table weight: general_ci folds to upper case. */
  fold: 'none' | 'upper' | 'lower';
  /** Accent-insensitive: Unicode charsets' _ci/_ai collations ('é' = 'e'). */
  accents: boolean;
  /** PAD SPACE: trailing spaces do not count in comparisons (they still do in LIKE). */
  padSpace: boolean;
  /** Sort weights per code point, when known for this collation. */
  table?: Weights;
  /** Single weight of each ASCII character; -1 where the slow path is needed (ignorable, expanding). */
  ascii: Int32Array;
  /** utf8mb4_general_ci and _unicode_ci give every character beyond U+FFFF the same weight. */
  supplementary?: number;
}

function parseTable(text: string, ranges?: readonly (readonly [number, number])[]): Weights {
  const map = new Map<number, readonly number[]>();
  const entries = text.split(' ');
  const weightsOf = (w: string): number[] => (w === '-' ? [] : w.split('.').map((h) => parseInt(h, 16)));
  if (ranges) {
    let i = 0;
    for (const [from, to] of ranges) {
      for (let cp = from; cp <= to; cp++) {
        const w = entries[i++];
        if (w === undefined) throw new Error(`weight table has ${entries.length} entries, fewer than its ranges`);
        map.set(cp, weightsOf(w));
      }
    }
  } else {
    for (const e of entries) {
      const colon = e.indexOf(':');
      if (colon < 0) throw new Error(`weight table entry ${JSON.stringify(e)} has no ':'`);
      map.set(parseInt(e.slice(0, colon), 16), weightsOf(e.slice(colon + 1)));
    }
  }
  return map;
}

const cache = new Map<string, Weights>();
function table(name: string, text: string, ranges?: readonly (readonly [number, number])[]): () => Weights {
  // Parsed on first use, so processes without filters pay nothing.
  return () => {
    let t = cache.get(name);
    if (!t) cache.set(name, (t = parseTable(text, ranges)));
    return t;
  };
}
const TABLES = {
  general: table('general', UTF8MB4_GENERAL_CI, UNICODE_TABLE_RANGES),
  unicode: table('unicode', UTF8MB4_UNICODE_CI, UNICODE_TABLE_RANGES),
  swedish: table('swedish', LATIN1_SWEDISH_CI),
  latin1general: table('latin1general', LATIN1_GENERAL_CI),
};

function asciiWeights(t: Weights | undefined, fold: Collation['fold']): Int32Array {
  const a = new Int32Array(128);
  for (let c = 0; c < 128; c++) {
    if (!t) {
      a[c] = fold === 'upper' && c >= 97 && c <= 122 ? c - 32 : fold === 'lower' && c >= 65 && c <= 90 ? c + 32 : c;
      continue;
    }
    const [only, ...more] = t.get(c) ?? [];
    a[c] = only !== undefined && more.length === 0 ? only : -1;
  }
  return a;
}

export const BINARY_COLLATION: Collation = {
  name: 'binary', bytes: true, fold: 'none', accents: false, padSpace: false, ascii: asciiWeights(undefined, 'none'),
};

const UNICODE_CHARSETS = /^(utf8|utf8mb3|utf8mb4|ucs2|utf16|utf16le|utf32)_/;

export function collationByName(name: string): Collation {
  const n = name.toLowerCase();
  if (n === 'binary') return BINARY_COLLATION;
  // MySQL 8's _0900_ collations and MariaDB's _nopad_ ones count trailing spaces.
  const padSpace = !n.includes('nopad') && !n.includes('_0900_');
  const unicode = UNICODE_CHARSETS.test(n);
  if (n.endsWith('_bin') || n.endsWith('_cs')) {
    return { name, bytes: false, fold: 'none', accents: false, padSpace, ascii: asciiWeights(undefined, 'none') };
  }
  const upper = n.includes('general') || !unicode;
  const accents = unicode && !n.includes('_as_');
  let t: Weights | undefined;
  if (unicode && accents) t = upper ? TABLES.general() : TABLES.unicode();
  else if (n === 'latin1_swedish_ci') t = TABLES.swedish();
  else if (n === 'latin1_general_ci') t = TABLES.latin1general();
  const fold = upper ? 'upper' : 'lower';
  return {
    name, bytes: false, fold, accents, padSpace, table: t, ascii: asciiWeights(t, fold),
    supplementary: unicode && t ? 0xfffd : undefined,
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

/** Case (and for Unicode _ci collations accent) folding, for characters without a table weight. */
function foldChars(s: string, c: Collation): string {
  if (c.fold === 'none') return s;
  if (isAscii(s)) return c.fold === 'upper' ? s.toUpperCase() : s.toLowerCase();
  let t = '';
  for (const ch of s) {
    const u = c.fold === 'upper' ? ch.toUpperCase() : ch.toLowerCase();
    // general_ci weighs 'ß' as 'S'; other expanding case maps keep the character.
    t += [...u].length === 1 ? u : c.fold === 'upper' && ch === 'ß' ? 'S' : ch;
  }
  return c.accents ? t.normalize('NFD').replace(MARKS, '') : t;
}

const interned = new Map<string, number>();

/**
 * Folds a string for LIKE, which matches character by character: each character becomes one
 * code point standing for its weights, so characters equal under the collation become equal
 * ('É' LIKE 'e') while 'ß' still matches a single _.
 */
export function foldText(s: string, c: Collation): string {
  if (c.fold === 'none') return s;
  if (!c.table) return foldChars(s, c);
  let out = '';
  for (const ch of s) {
    const ws = weightsOf(ch, c);
    const [only] = ws;
    if (ws.length === 1 && only !== undefined) {
      out += String.fromCodePoint(0xf0000 + only);
    } else {
      const key = ws.join('.');
      let id = interned.get(key);
      if (id === undefined) interned.set(key, (id = interned.size));
      out += String.fromCodePoint(0x100000 + (id % 0xfffe));
    }
  }
  return out;
}

function trimmedLength(s: string, pad: boolean): number {
  let n = s.length;
  if (pad) while (n > 0 && s.charCodeAt(n - 1) === 32) n--;
  return n;
}

/** Weights of a character the table lacks: those of its folded form if the table has it, else after all others. */
function fallbackWeights(ch: string, cp: number, c: Collation, out: number[]): void {
  if (cp > 0xffff && c.supplementary !== undefined) {
    out.push(c.supplementary);
    return;
  }
  const folded = foldChars(ch, c);
  if (c.table && folded !== ch) {
    const ws = [...folded].map((f) => c.table?.get(f.codePointAt(0) ?? 0));
    if (ws.every((w) => w !== undefined)) {
      for (const w of ws) if (w) out.push(...w);
      return;
    }
  }
  for (const f of folded) out.push(0x10000 + (f.codePointAt(0) ?? 0));
}

/** The sort weights of a string (trailing spaces already trimmed for PAD SPACE). */
export function weightsOf(s: string, c: Collation): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    const w = c.table?.get(cp);
    if (w) out.push(...w);
    else if (c.fold === 'none') out.push(cp);
    else fallbackWeights(ch, cp, c, out);
  }
  return out;
}

function compareSequences(a: readonly number[], b: readonly number[], pad: boolean, space: number): number {
  // Past its end the shorter side continues with spaces under PAD SPACE; without it, the shorter sorts first.
  const beyond = pad ? space : -Infinity;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? beyond;
    const y = b[i] ?? beyond;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** The common case: ASCII text with single weights, compared without allocating. */
function compareAscii(a: string, an: number, b: string, bn: number, c: Collation): number | undefined {
  const n = Math.min(an, bn);
  const w = c.ascii;
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x >= 128 || y >= 128) return undefined;
    const wx = w[x];
    const wy = w[y];
    if (wx === undefined || wy === undefined || wx < 0 || wy < 0) return undefined;
    if (wx !== wy) return wx < wy ? -1 : 1;
  }
  if (an === bn) return 0;
  if (!c.padSpace) return an < bn ? -1 : 1;
  const longer = an > bn ? a : b;
  const space = w[32];
  if (space === undefined) return undefined;
  for (let i = n; i < Math.max(an, bn); i++) {
    const x = longer.charCodeAt(i);
    const wx = w[x];
    if (x >= 128 || wx === undefined || wx < 0) return undefined;
    if (wx !== space) return (wx < space) === (an > bn) ? -1 : 1;
  }
  return 0;
}

export function compareText(a: string, b: string, c: Collation): number {
  const an = trimmedLength(a, c.padSpace);
  const bn = trimmedLength(b, c.padSpace);
  const fast = compareAscii(a, an, b, bn, c);
  if (fast !== undefined) return fast;
  const space = c.table?.get(32)?.[0] ?? 32;
  return compareSequences(weightsOf(a.slice(0, an), c), weightsOf(b.slice(0, bn), c), c.padSpace, space);
}

/** A key equal for two strings exactly when compareText says they are equal. */
export function textKey(s: string, c: Collation): string {
  const t = s.slice(0, trimmedLength(s, c.padSpace));
  if (c.fold === 'none') return t;
  return String.fromCodePoint(...weightsOf(t, c));
}

export function compareBytes(a: Buffer, b: Buffer): number {
  return Buffer.compare(a, b);
}

export function toBytes(v: string | Buffer): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}
