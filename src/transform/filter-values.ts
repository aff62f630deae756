// Compiled filter nodes: each carries its MySQL result type, decided once at compile time as the
// server decides it, and a closure producing that type's value from a row. Conversions between
// types are closures too, so a row is evaluated without re-inspecting types.
import type { ColumnInfo, Row, SqlValue } from '../model/source-data.js';
import { LITERAL_COLLATION, collationOf, type Collation } from './filter-collation.js';
import {
  bitsToDecimal,
  decimalIsZero,
  doubleToText,
  normalizeDecimal,
  stringToDecimal,
  stringToDouble,
} from './filter-decimal.js';
import {
  ZERO_DATETIME, numberToDatetime, numberToTime, parseDatetime, parseTime, temporalToDecimal, yearToDatetime,
} from './filter-temporal.js';

/** MySQL's marker for "no fixed number of decimals" (strings, DOUBLE without (M,D), exponent literals). */
export const NOT_FIXED_DEC = 39;

type Fn<T> = (row: Row) => T | null;

interface Base {
  /** No column and no clock involved: the value is computed once at compile time. */
  constant: boolean;
  /** Digits after the point, as MySQL tracks them; NOT_FIXED_DEC when unknown. */
  decimals: number;
  /** Set when the node is a bare column reference (MySQL treats those specially in comparisons). */
  column?: ColumnInfo;
}
export interface BoolNode extends Base { t: 'bool'; f: Fn<boolean> }
/** INT and DECIMAL values travel as exact decimal text. */
export interface DecNode extends Base { t: 'int' | 'dec'; f: Fn<string> }
export interface RealNode extends Base { t: 'real'; f: Fn<number> }
export interface StrNode extends Base {
  t: 'str';
  f: Fn<string | Buffer>;
  coll: Collation;
  /** True for literals: a column's collation wins over theirs. */
  coercible: boolean;
  /** ENUM and SET columns are numbers (index, bit set) in numeric context. */
  numeric?: (v: string) => number;
}
/** DATE and DATETIME travel as canonical text, TIME as its text too. */
export interface TimeNode extends Base { t: 'date' | 'datetime' | 'time'; f: Fn<string> }
export interface NullNode extends Base { t: 'null'; f: Fn<never> }
export type Node = BoolNode | DecNode | RealNode | StrNode | TimeNode | NullNode;

export const EMPTY_ROW: Row = {};

/** Evaluates a constant getter once and returns a getter for the stored value. */
export function once<T>(constant: boolean, g: Fn<T>): Fn<T> {
  if (!constant) return g;
  const v = g(EMPTY_ROW);
  return () => v;
}

export function isTemporal(n: Node): n is TimeNode {
  return n.t === 'date' || n.t === 'datetime' || n.t === 'time';
}

export function toReal(n: Node): Fn<number> {
  switch (n.t) {
    case 'bool': {
      const f = n.f;
      return (r) => { const v = f(r); return v === null ? null : v ? 1 : 0; };
    }
    case 'int':
    case 'dec': {
      const f = n.f;
      return (r) => { const v = f(r); return v === null ? null : Number(v); };
    }
    case 'real':
      return n.f;
    case 'str': {
      const f = n.f;
      const numeric = n.numeric ?? stringToDouble;
      return (r) => { const v = f(r); return v === null ? null : numeric(textOf(v)); };
    }
    case 'null':
      return n.f;
    default: {
      const f = n.f;
      return (r) => { const v = f(r); return v === null ? null : Number(temporalToDecimal(v)); };
    }
  }
}

export function toDec(n: Node): Fn<string> {
  switch (n.t) {
    case 'bool': {
      const f = n.f;
      return (r) => { const v = f(r); return v === null ? null : v ? '1' : '0'; };
    }
    case 'int':
    case 'dec':
      return n.f;
    case 'real': {
      const f = n.f;
      return (r) => { const v = f(r); return v === null || !Number.isFinite(v) ? null : stringToDecimal(String(v)); };
    }
    case 'str': {
      const f = n.f;
      const numeric = n.numeric;
      if (numeric) return (r) => { const v = f(r); return v === null ? null : String(numeric(textOf(v))); };
      return (r) => { const v = f(r); return v === null ? null : stringToDecimal(textOf(v)); };
    }
    case 'null':
      return n.f;
    default: {
      const f = n.f;
      return (r) => { const v = f(r); return v === null ? null : temporalToDecimal(v); };
    }
  }
}

/** The value in string context: numbers in MySQL's text form, booleans as 1/0. */
export function toStr(n: Node): Fn<string | Buffer> {
  switch (n.t) {
    case 'bool': {
      const f = n.f;
      return (r) => { const v = f(r); return v === null ? null : v ? '1' : '0'; };
    }
    case 'real': {
      // A FLOAT/DOUBLE column prints as stored (FLOAT's float32 text is shorter than its double's).
      if (n.column) {
        const key = n.column.name;
        return (r) => stringValue(r[key]);
      }
      const f = n.f;
      return (r) => { const v = f(r); return v === null ? null : doubleToText(v); };
    }
    default:
      return n.f;
  }
}

export function textOf(v: string | Buffer): string {
  return typeof v === 'string' ? v : v.toString('utf8');
}

/**
 * The value as a DATE/DATETIME comparison key. Unreadable strings and numbers compare as the zero
 * date, as in MySQL (which warns); strict readers (DATE(), YEAR()) use parseDatetime directly.
 */
export function toDatetimeKey(n: Node): Fn<string> {
  if (n.t === 'date' || n.t === 'datetime' || n.t === 'null') return n.f;
  if (n.t === 'str') {
    const f = n.f;
    return (r) => { const v = f(r); return v === null ? null : (parseDatetime(textOf(v), false) ?? ZERO_DATETIME); };
  }
  const g = toDec(n);
  if (n.column?.dataType.toLowerCase() === 'year') {
    // MariaDB reads a YEAR column as a date as the start of that year with zero month and day.
    return (r) => { const v = g(r); return v === null ? null : yearToDatetime(v); };
  }
  return (r) => { const v = g(r); return v === null ? null : (numberToDatetime(v, false) ?? ZERO_DATETIME); };
}

/** The value as TIME microseconds; what cannot be read as a time compares as 00:00:00, as in MySQL. */
export function toTimeMicros(n: Node): Fn<number> {
  if (n.t === 'time') {
    const f = n.f;
    return (r) => { const v = f(r); return v === null ? null : (parseTime(v) ?? 0); };
  }
  if (n.t === 'str') {
    const f = n.f;
    return (r) => { const v = f(r); return v === null ? null : (parseTime(textOf(v)) ?? 0); };
  }
  if (n.t === 'date' || n.t === 'datetime') {
    const f = n.f;
    return (r) => { const v = f(r); return v === null ? null : (parseTime(v) ?? 0); };
  }
  const g = toDec(n);
  return (r) => { const v = g(r); return v === null ? null : (numberToTime(v) ?? 0); };
}

/** Truth value as WHERE sees it: non-zero numbers are true, strings by their numeric prefix. */
export function truth(n: Node): Fn<boolean> {
  switch (n.t) {
    case 'bool':
      return n.f;
    case 'int':
    case 'dec': {
      const f = n.f;
      return (r) => { const v = f(r); return v === null ? null : !decimalIsZero(v); };
    }
    case 'null':
      return n.f;
    case 'real':
    case 'str': {
      const g = toReal(n);
      return (r) => { const v = g(r); return v === null ? null : v !== 0; };
    }
    default: {
      const f = n.f;
      return (r) => { const v = f(r); return v === null ? null : !decimalIsZero(temporalToDecimal(v)); };
    }
  }
}

const INT_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint', 'year', 'bit']);
const DEC_TYPES = new Set(['decimal', 'numeric', 'dec', 'fixed']);
const REAL_TYPES = new Set(['float', 'double', 'real', 'double precision']);

function present(v: SqlValue | undefined): v is string | Buffer {
  return v !== null && v !== undefined;
}

/** `decimal(10,2)` → 2; `double` → undefined. */
function declaredScale(columnType: string): number | undefined {
  const m = /\(\s*\d+\s*,\s*(\d+)\s*\)/.exec(columnType);
  return m ? Number(m[1]) : undefined;
}

/** Members of `enum('a','b')` / `set('a','b')`, with '' unescaped. */
function members(columnType: string): string[] {
  const out: string[] = [];
  for (const [, member] of columnType.matchAll(/'((?:[^'\\]|''|\\.)*)'/g)) {
    if (member !== undefined) out.push(member.replace(/''/g, "'"));
  }
  return out;
}

/** A column reference, typed by its declared type; missing row keys (partial images) read as NULL. */
export function columnNode(col: ColumnInfo): Node {
  const key = col.name;
  const type = col.dataType.toLowerCase();
  const base = { constant: false, column: col };
  if (INT_TYPES.has(type)) {
    return {
      ...base, t: 'int', decimals: 0,
      f: (r) => { const v = r[key]; return present(v) ? (typeof v === 'string' ? v : bitsToDecimal(v)) : null; },
    };
  }
  if (DEC_TYPES.has(type)) {
    return { ...base, t: 'dec', decimals: declaredScale(col.columnType) ?? 0, f: (r) => stringValue(r[key]) };
  }
  if (REAL_TYPES.has(type)) {
    // FLOAT text is the shortest form of a float32; comparing needs the float32 itself, as MySQL does.
    const single = type === 'float';
    return {
      ...base, t: 'real', decimals: declaredScale(col.columnType) ?? NOT_FIXED_DEC,
      f: (r) => { const v = stringValue(r[key]); return v === null ? null : single ? Math.fround(Number(v)) : Number(v); },
    };
  }
  if (type === 'date' || type === 'datetime' || type === 'timestamp' || type === 'time') {
    const t = type === 'date' ? 'date' : type === 'time' ? 'time' : 'datetime';
    return { ...base, t, decimals: col.fsp ?? 0, f: (r) => stringValue(r[key]) };
  }
  const coll = collationOf(col);
  const node: StrNode = {
    ...base, t: 'str', decimals: NOT_FIXED_DEC, coll, coercible: false,
    f: coll.bytes ? (r) => { const v = r[key]; return present(v) ? v : null; } : (r) => stringValue(r[key]),
  };
  if (type === 'enum' || type === 'set') {
    const list = members(col.columnType);
    const index = new Map(list.map((m, i) => [m, i]));
    node.numeric =
      type === 'enum'
        ? (v) => (index.get(v) ?? -1) + 1
        : (v) => (v === '' ? 0 : v.split(',').reduce((acc, m) => { const i = index.get(m); return i === undefined ? acc : acc + 2 ** i; }, 0));
  }
  return node;
}

function stringValue(v: SqlValue | undefined): string | null {
  if (!present(v)) return null;
  return typeof v === 'string' ? v : v.toString('utf8');
}

export function nullNode(): NullNode {
  return { t: 'null', constant: true, decimals: 0, f: () => null };
}

export function stringLiteral(value: string): StrNode {
  return { t: 'str', constant: true, decimals: NOT_FIXED_DEC, coll: LITERAL_COLLATION, coercible: true, f: () => value };
}

export function numberLiteral(text: string, kind: 'int' | 'decimal' | 'real'): Node {
  if (kind === 'real') {
    const v = Number(text);
    return { t: 'real', constant: true, decimals: NOT_FIXED_DEC, f: () => v };
  }
  const v = normalizeDecimal(text);
  const scale = v.includes('.') ? v.length - v.indexOf('.') - 1 : 0;
  return { t: kind === 'int' ? 'int' : 'dec', constant: true, decimals: scale, f: () => v };
}
