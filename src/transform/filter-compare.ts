// Comparisons with MySQL's (MariaDB's) choice of comparison type: strings by collation, numbers
// exactly unless a DOUBLE or a string is involved, temporals as dates. Used by =, <, IN, BETWEEN.
import type { Row } from '../model/source-data.js';
import { MigError } from '../util/errors.js';
import type { CompareOp } from './filter-ast.js';
import { LITERAL_COLLATION, compareBytes, compareText, textKey, type Collation } from './filter-collation.js';
import { columnInt } from './filter-column-int.js';
import { compareDecimal, normalizeDecimal } from './filter-decimal.js';
import { ZERO_DATETIME, compareDatetimeText } from './filter-temporal.js';
import {
  NOT_FIXED_DEC, isTemporal, once, textOf, toDatetimeKey, toDec, toReal, toStr, toTimeMicros,
  type BoolNode, type Node, type StrNode,
} from './filter-values.js';

export type Mode =
  | { m: 'dec' }
  | { m: 'real'; precision: number }
  | { m: 'text'; coll: Collation }
  | { m: 'datetime' }
  | { m: 'time' };

/** -1, 0, 1, or null when either side is NULL. */
export type Cmp = (row: Row) => number | null;

const UNICODE_CHARSET = /^(utf8|utf8mb3|utf8mb4|ucs2|utf16|utf16le|utf32)_/;

/**
 * The collation MySQL picks for an operation on strings: a binary string wins, then a column's
 * collation over a literal's; between columns a Unicode charset wins over an 8-bit one (the other
 * side converts to it), and within a charset a _bin collation wins.
 */
export function aggregateCollation(nodes: readonly Node[]): Collation {
  const strs = nodes.filter((n): n is StrNode => n.t === 'str');
  let columns = strs.filter((n) => !n.coercible);
  const unicode = columns.filter((n) => UNICODE_CHARSET.test(n.coll.name));
  if (unicode.length > 0) columns = unicode;
  return (
    strs.find((n) => n.coll.bytes)?.coll ??
    columns.find((n) => n.coll.fold === 'none')?.coll ??
    columns[0]?.coll ??
    strs[0]?.coll ??
    LITERAL_COLLATION
  );
}

/** A string's bytes in its own charset: what a binary comparison sees. */
export function bytesIn(n: Node, v: string | Buffer): Buffer {
  if (typeof v !== 'string') return v;
  return n.t === 'str' && n.coll.name.toLowerCase().startsWith('latin1') ? Buffer.from(v, 'latin1') : Buffer.from(v, 'utf8');
}

/**
 * Which server's rules to follow where MySQL and MariaDB differ: MariaDB (since 10.3.36) compares a
 * string with an integer as DECIMAL, MySQL as DOUBLE.
 */
export type Flavor = 'mariadb' | 'mysql';

type Cls = 'int' | 'dec' | 'real' | 'str' | 'temporal';

function cls(n: Node): Cls {
  if (n.t === 'bool' || n.t === 'int') return 'int';
  if (n.t === 'dec' || n.t === 'real' || n.t === 'str') return n.t;
  return 'temporal';
}

/** aggregate_for_comparison of two operand classes. */
function aggregate(a: Cls, b: Cls, flavor: Flavor): Cls {
  if (a === b) return a;
  if (a === 'temporal' || b === 'temporal') return 'temporal';
  if ((a === 'int' || a === 'dec') && (b === 'int' || b === 'dec')) return 'dec';
  if (flavor === 'mariadb' && ((a === 'str' && b === 'int') || (a === 'int' && b === 'str'))) return 'dec';
  return 'real';
}

/** MariaDB's aggregate_for_comparison over the operands (NULL literals take no part). */
export function comparisonMode(nodes: readonly Node[], flavor: Flavor): Mode {
  const ns = nodes.filter((n) => n.t !== 'null');
  if (ns.length === 0) return { m: 'text', coll: LITERAL_COLLATION };
  const agg = ns.map(cls).reduce((x, y) => aggregate(x, y, flavor));
  switch (agg) {
    case 'str':
      return { m: 'text', coll: aggregateCollation(ns) };
    case 'int':
    case 'dec':
      return { m: 'dec' };
    case 'temporal': {
      const temporals = ns.filter(isTemporal);
      const times = temporals.filter((n) => n.t === 'time').length;
      if (times === temporals.length) return { m: 'time' };
      if (times > 0) {
        throw new MigError('filter-unsupported', "filters cannot compare a TIME with a DATE or DATETIME (MySQL would use today's date)");
      }
      return { m: 'datetime' };
    }
    case 'real':
      break;
  }
  // A non-constant DECIMAL against a constant string compares as DECIMAL, not to lose precision.
  const d = ns.find((n) => n.t === 'dec');
  const s = ns.find((n) => n.t === 'str');
  if (ns.length === 2 && d && s && !d.constant && s.constant) return { m: 'dec' };
  // With fixed decimals on every side, MySQL treats doubles closer than half a unit in the last place as equal.
  const maxDec = Math.max(...ns.map((n) => n.decimals));
  return { m: 'real', precision: maxDec < NOT_FIXED_DEC ? 5 / 10 ** (maxDec + 1) : 0 };
}

function pair<T>(ga: (r: Row) => T | null, gb: (r: Row) => T | null, cmp: (x: T, y: T) => number): Cmp {
  return (r) => {
    const x = ga(r);
    if (x === null) return null;
    const y = gb(r);
    return y === null ? null : cmp(x, y);
  };
}

function compareNumbers(x: number, y: number): number {
  return x === y ? 0 : x < y ? -1 : 1;
}

export function comparator(a: Node, b: Node, mode: Mode): Cmp {
  switch (mode.m) {
    case 'dec':
      return pair(once(a.constant, toDec(a)), once(b.constant, toDec(b)), compareDecimal);
    case 'real': {
      const precision = mode.precision;
      const cmp =
        precision === 0
          ? compareNumbers
          : (x: number, y: number) => (x === y || Math.abs(x - y) < precision ? 0 : x < y ? -1 : 1);
      return pair(once(a.constant, toReal(a)), once(b.constant, toReal(b)), cmp);
    }
    case 'text': {
      const coll = mode.coll;
      if (coll.bytes) {
        const bytes = (n: Node): ((r: Row) => Buffer | null) => {
          const g = toStr(n);
          return once(n.constant, (r) => { const v = g(r); return v === null ? null : bytesIn(n, v); });
        };
        return pair(bytes(a), bytes(b), compareBytes);
      }
      const text = (n: Node): ((r: Row) => string | null) => {
        const g = toStr(n);
        return once(n.constant, (r) => { const v = g(r); return v === null ? null : textOf(v); });
      };
      return pair(text(a), text(b), (x, y) => compareText(x, y, coll));
    }
    case 'datetime':
      return pair(once(a.constant, toDatetimeKey(a)), once(b.constant, toDatetimeKey(b)), compareDatetimeText);
    case 'time':
      return pair(once(a.constant, toTimeMicros(a)), once(b.constant, toTimeMicros(b)), compareNumbers);
  }
}

/** The comparator for one binary comparison, with MySQL's operand conversions applied. */
export function pairComparator(a: Node, b: Node, flavor: Flavor): Cmp {
  const bInt = columnInt(a, b);
  if (bInt) return comparator(a, bInt, { m: 'dec' });
  const aInt = columnInt(b, a);
  if (aInt) return comparator(aInt, b, { m: 'dec' });
  return comparator(a, b, comparisonMode([a, b], flavor));
}

const TESTS: Readonly<Record<Exclude<CompareOp, '<=>'>, (c: number) => boolean>> = {
  '=': (c) => c === 0,
  '<>': (c) => c !== 0,
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
};

export function compileCompare(op: CompareOp, a: Node, b: Node, flavor: Flavor): BoolNode {
  const cmp = pairComparator(a, b, flavor);
  const constant = a.constant && b.constant;
  if (op === '<=>') {
    // NULL-safe equality: NULL <=> NULL is true, NULL <=> x is false; never NULL.
    const fa = a.f;
    const fb = b.f;
    return {
      t: 'bool', constant, decimals: 0,
      f: (r) => {
        const an = fa(r) === null;
        const bn = fb(r) === null;
        return an || bn ? an && bn : cmp(r) === 0;
      },
    };
  }
  const test = TESTS[op];
  return { t: 'bool', constant, decimals: 0, f: (r) => { const c = cmp(r); return c === null ? null : test(c); } };
}

/** Lookup keys for IN lists of constants: equal under the comparison exactly when the keys are equal. */
export function setKey(mode: Mode): ((n: Node) => (r: Row) => string | null) | undefined {
  switch (mode.m) {
    case 'dec':
      return (n) => { const g = toDec(n); return (r) => { const v = g(r); return v === null ? null : decimalKey(v); }; };
    case 'datetime':
      return (n) => { const g = toDatetimeKey(n); return (r) => { const v = g(r); return v === null ? null : v + ZERO_DATETIME.slice(v.length); }; };
    case 'text': {
      const coll = mode.coll;
      return (n) => {
        const g = toStr(n);
        return (r) => {
          const v = g(r);
          if (v === null) return null;
          return coll.bytes ? bytesIn(n, v).toString('hex') : textKey(textOf(v), coll);
        };
      };
    }
    default:
      return undefined;
  }
}

function decimalKey(v: string): string {
  const n = normalizeDecimal(v);
  const t = n.includes('.') ? n.replace(/\.?0+$/, '') : n;
  return t === '-0' ? '0' : t;
}
