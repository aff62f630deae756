// The SQL functions a filter may call, with MySQL's result types and NULL handling.
import type { Row } from '../model/source-data.js';
import { MigError } from '../util/errors.js';
import type { FilterFunction } from './filter-ast.js';
import { compileAbs } from './filter-arith.js';
import { aggregateCollation } from './filter-compare.js';
import { BINARY_COLLATION, toBytes, type Collation } from './filter-collation.js';
import { formatNow, numberToDatetime, parseDatetime, yearToDatetime } from './filter-temporal.js';
import {
  NOT_FIXED_DEC, nullNode, textOf, toDec, toReal, toStr, type Node, type StrNode, type TimeNode,
} from './filter-values.js';

export interface Clock {
  /** Milliseconds since the epoch at evaluation time. */
  now: () => number;
  /** Offset of the source's session time zone, so NOW() matches what the server would say. */
  utcOffsetMinutes: number;
}

type Fn<T> = (r: Row) => T | null;

export function compileCall(fn: FilterFunction, args: Node[], clock: Clock): Node {
  // The parser has checked the counts (FUNCTION_ARITY); a call built some other way stops here.
  const arg = (i: number): Node => {
    const a = args[i];
    if (a === undefined) throw new MigError('filter-invalid', `${fn} is missing argument ${i + 1}`);
    return a;
  };
  switch (fn) {
    case 'LOWER':
    case 'UPPER':
      return caseMap(arg(0), fn === 'LOWER');
    case 'LENGTH':
      return length(arg(0), true);
    case 'CHAR_LENGTH':
      return length(arg(0), false);
    case 'COALESCE':
    case 'IFNULL':
      return coalesce(args);
    case 'ABS':
      return compileAbs(arg(0));
    case 'SUBSTRING':
      return substring(arg(0), arg(1), args[2]);
    case 'CONCAT':
      return concat(args);
    case 'DATE':
      return dateOf(arg(0));
    case 'YEAR':
      return yearOf(arg(0));
    case 'NOW':
      return now(clock);
  }
}

function strResult(args: readonly Node[], f: Fn<string | Buffer>, coll?: Collation): StrNode {
  return {
    t: 'str', constant: args.every((a) => a.constant), decimals: NOT_FIXED_DEC, f,
    coll: coll ?? aggregateCollation(args),
    coercible: args.every((a) => a.t !== 'str' || a.coercible),
  };
}

/** MySQL's UPPER maps character by character: 'ß' stays 'ß' rather than becoming 'SS'. */
function upper(s: string): string {
  const u = s.toUpperCase();
  if (u.length === s.length) return u;
  let out = '';
  for (const ch of s) {
    const c = ch.toUpperCase();
    out += c.length === ch.length ? c : ch;
  }
  return out;
}

function caseMap(a: Node, lower: boolean): Node {
  const g = toStr(a);
  const coll = aggregateCollation([a]);
  // Case mapping has no effect on binary strings in MySQL.
  if (coll.bytes) return strResult([a], g, coll);
  return strResult([a], (r) => { const v = g(r); return v === null ? null : lower ? textOf(v).toLowerCase() : upper(textOf(v)); }, coll);
}

/** Bytes per character of the charset a collation belongs to, for LENGTH(). */
function byteLength(s: string, coll: Collation): number {
  const charset = coll.name.toLowerCase().split('_')[0];
  if (charset === 'latin1' || charset === 'ascii' || charset === 'latin2' || charset === 'cp1250' || charset === 'cp1251') {
    return s.length;
  }
  if (charset === 'ucs2' || charset === 'utf16' || charset === 'utf16le') return s.length * 2;
  if (charset === 'utf32') return [...s].length * 4;
  return Buffer.byteLength(s, 'utf8');
}

function countCodePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

function length(a: Node, bytes: boolean): Node {
  const g = toStr(a);
  const coll = aggregateCollation([a]);
  return {
    t: 'int', constant: a.constant, decimals: 0,
    f: (r) => {
      const v = g(r);
      if (v === null) return null;
      if (typeof v !== 'string') return String(v.length);
      return String(bytes ? byteLength(v, coll) : countCodePoints(v));
    },
  };
}

/** COALESCE/IFNULL: the first non-NULL argument, in the type MySQL aggregates for the result. */
function coalesce(args: readonly Node[]): Node {
  const typed = args.filter((a) => a.t !== 'null');
  const constant = args.every((a) => a.constant);
  const first = <T>(getters: Fn<T>[]): Fn<T> => (r) => {
    for (const g of getters) {
      const v = g(r);
      if (v !== null) return v;
    }
    return null;
  };
  // Every argument is a NULL literal, and so is the result.
  if (typed.length === 0) return nullNode();
  const kinds = new Set(typed.map((a) => (a.t === 'bool' ? 'int' : a.t)));
  const numeric = [...kinds].every((k) => k === 'int' || k === 'dec' || k === 'real');
  const decimals = Math.max(...typed.map((a) => a.decimals));
  if (numeric) {
    if (kinds.has('real')) return { t: 'real', constant, decimals, f: first(typed.map(toReal)) };
    return { t: kinds.has('dec') ? 'dec' : 'int', constant, decimals, f: first(typed.map(toDec)) };
  }
  if ([...kinds].every((k) => k === 'date' || k === 'datetime')) {
    const t = kinds.has('datetime') ? 'datetime' : 'date';
    return { t, constant, decimals, f: first(typed.map((a) => (a as TimeNode).f)) };
  }
  if (kinds.size === 1 && kinds.has('time')) return { t: 'time', constant, decimals, f: first(typed.map((a) => (a as TimeNode).f)) };
  return strResult(typed, first(typed.map(toStr)));
}

/** An integer argument as MySQL's val_int() reads it: rounded half away from zero. */
function intArg(n: Node): Fn<number> {
  const g = toReal(n);
  return (r) => { const v = g(r); return v === null ? null : Math.sign(v) * Math.round(Math.abs(v)); };
}

function substring(s: Node, pos: Node, len: Node | undefined): Node {
  const gs = toStr(s);
  const gp = intArg(pos);
  const gl = len ? intArg(len) : undefined;
  return strResult([s], (r) => {
    const v = gs(r);
    const p = gp(r);
    const l = gl ? gl(r) : Number.MAX_SAFE_INTEGER;
    if (v === null || p === null || l === null) return null;
    // Characters for text, bytes for binary strings; position 0 and lengths below 1 give ''.
    const chars = typeof v === 'string' ? [...v] : undefined;
    const n = chars ? chars.length : v.length;
    const start = p > 0 ? p - 1 : p < 0 ? n + p : n;
    const empty = start < 0 || start >= n || l < 1;
    const end = Math.min(n, start + l);
    if (chars) return empty ? '' : chars.slice(start, end).join('');
    return typeof v === 'string' || empty ? Buffer.alloc(0) : v.subarray(start, end);
  });
}

/** CONCAT: NULL if any argument is NULL; a binary string if any argument is binary. */
function concat(args: readonly Node[]): Node {
  const getters = args.map(toStr);
  const coll = aggregateCollation(args);
  if (coll.bytes) {
    return strResult(args, (r) => {
      const parts: Buffer[] = [];
      for (const g of getters) {
        const v = g(r);
        if (v === null) return null;
        parts.push(toBytes(v));
      }
      return Buffer.concat(parts);
    }, BINARY_COLLATION);
  }
  return strResult(args, (r) => {
    let out = '';
    for (const g of getters) {
      const v = g(r);
      if (v === null) return null;
      out += textOf(v);
    }
    return out;
  }, coll);
}

/** DATE()/YEAR() read strictly: an impossible date ('2024-02-30') gives NULL, as in MySQL. */
function strictDatetime(a: Node, fn: string): Fn<string> {
  if (a.t === 'time') throw new MigError('filter-unsupported', `${fn}() of a TIME value is not supported in filters`);
  if (a.t === 'date' || a.t === 'datetime' || a.t === 'null') return a.f;
  if (a.column?.dataType.toLowerCase() === 'year') {
    const g = toDec(a);
    return (r) => { const v = g(r); return v === null ? null : yearToDatetime(v); };
  }
  if (a.t === 'str') {
    const g = a.f;
    return (r) => { const v = g(r); return v === null ? null : parseDatetime(textOf(v), true); };
  }
  const g = toDec(a);
  return (r) => { const v = g(r); return v === null ? null : numberToDatetime(v, true); };
}

function dateOf(a: Node): Node {
  const g = strictDatetime(a, 'DATE');
  return { t: 'date', constant: a.constant, decimals: 0, f: (r) => { const v = g(r); return v === null ? null : v.slice(0, 10); } };
}

function yearOf(a: Node): Node {
  const g = strictDatetime(a, 'YEAR');
  return { t: 'int', constant: a.constant, decimals: 0, f: (r) => { const v = g(r); return v === null ? null : String(Number(v.slice(0, 4))); } };
}

/**
 * NOW() is read when the row is evaluated, not when the change happened; DTS likewise evaluates it
 * on each row as it processes it. The text is cached per second, the resolution NOW() has.
 */
function now(clock: Clock): Node {
  let second = Number.NaN;
  let text = '';
  return {
    t: 'datetime', constant: false, decimals: 0,
    f: () => {
      const ms = clock.now();
      const s = Math.floor(ms / 1000);
      if (s !== second) {
        second = s;
        text = formatNow(ms, clock.utcOffsetMinutes);
      }
      return text;
    },
  };
}
