// The predicates of a filter beyond plain comparison: IN, BETWEEN, LIKE and IS, each with MySQL's
// three-valued result (NULL whenever the answer depends on an unknown value).
import type { Row } from '../model/source-data.js';
import { compileLike, type LikeMatcher } from './filter-like.js';
import {
  aggregateCollation, comparator, comparisonMode, pairComparator, setKey, type Cmp, type Flavor, type Mode,
} from './filter-compare.js';
import { columnInt } from './filter-column-int.js';
import { once, toStr, truth, type BoolNode, type Node } from './filter-values.js';

function bool(constant: boolean, f: (r: Row) => boolean | null): BoolNode {
  return { t: 'bool', constant, decimals: 0, f };
}

export function negate(n: BoolNode): BoolNode {
  const f = n.f;
  return bool(n.constant, (r) => { const v = f(r); return v === null ? null : !v; });
}

/** Lists at least this long and all constant are matched through a Set instead of one by one. */
const SET_THRESHOLD = 8;

/** x IN (a, b, …) is x = a OR x = b OR …: true on any match, else NULL if x or any compared item is NULL. */
export function compileIn(arg: Node, list: readonly Node[], negated: boolean, flavor: Flavor): BoolNode {
  const constant = arg.constant && list.every((n) => n.constant);
  const viaSet = !arg.constant && list.length >= SET_THRESHOLD ? inViaSet(arg, list, flavor) : undefined;
  const result = viaSet ?? bool(constant, inLinear(list.map((item) => pairComparator(arg, item, flavor))));
  return negated ? negate(result) : result;
}

function inLinear(cmps: readonly Cmp[]): (r: Row) => boolean | null {
  return (r) => {
    let unknown = false;
    for (const cmp of cmps) {
      const c = cmp(r);
      if (c === 0) return true;
      if (c === null) unknown = true;
    }
    return unknown ? null : false;
  };
}

function inViaSet(arg: Node, list: readonly Node[], flavor: Flavor): BoolNode | undefined {
  if (!list.every((n) => n.constant)) return undefined;
  // One comparison type for the whole list, as MySQL uses when the types agree.
  const ints = list.map((item) => columnInt(arg, item));
  const allInts = ints.every((n) => n !== undefined);
  const converted = allInts ? ints.map((n, i) => n ?? list[i]) : list;
  const mode = allInts ? ({ m: 'dec' } as const) : comparisonMode([arg, ...list], flavor);
  const pairwise = list.map((item) => (allInts ? mode : comparisonMode([arg, item], flavor)));
  if (!allInts && ints.some((n) => n !== undefined)) return undefined;
  if (pairwise.some((m) => !sameMode(m, mode))) return undefined;
  const key = setKey(mode);
  if (!key) return undefined;
  const keys = new Set<string>();
  let hasNull = false;
  for (const item of converted) {
    const k = key(item)({});
    if (k === null) hasNull = true;
    else keys.add(k);
  }
  const get = key(arg);
  return bool(false, (r) => {
    const k = get(r);
    if (k === null) return null;
    return keys.has(k) ? true : hasNull ? null : false;
  });
}

function sameMode(a: Mode, b: Mode): boolean {
  if (a.m === 'text' && b.m === 'text') return a.coll.name === b.coll.name;
  if (a.m === 'real' && b.m === 'real') return a.precision === b.precision;
  return a.m === b.m;
}

/** x BETWEEN lo AND hi is lo <= x AND x <= hi, compared in one type chosen over all three. */
export function compileBetween(arg: Node, low: Node, high: Node, negated: boolean, flavor: Flavor): BoolNode {
  // Each bound converts on its own; only when both do is the comparison an integer one.
  const loInt = columnInt(arg, low);
  const hiInt = columnInt(arg, high);
  const lo = loInt ?? low;
  const hi = hiInt ?? high;
  const mode = loInt && hiInt ? ({ m: 'dec' } as const) : comparisonMode([arg, lo, hi], flavor);
  const cmpLow = comparator(arg, lo, mode);
  const cmpHigh = comparator(arg, hi, mode);
  const result = bool(arg.constant && low.constant && high.constant, (r) => {
    const a = cmpLow(r);
    if (a !== null && a < 0) return false;
    const b = cmpHigh(r);
    if (b !== null && b > 0) return false;
    return a === null || b === null ? null : true;
  });
  return negated ? negate(result) : result;
}

/** LIKE under the operands' collation; a constant pattern compiles once, others through a one-entry cache. */
export function compileLikeNode(arg: Node, pattern: Node, escape: string, negated: boolean): BoolNode {
  const coll = aggregateCollation([arg, pattern]);
  const subject = toStr(arg);
  const pat = once(pattern.constant, toStr(pattern));
  let lastPattern: string | Buffer | null = null;
  let lastMatcher: LikeMatcher | null = null;
  const matcherFor = (p: string | Buffer): LikeMatcher => {
    if (lastMatcher === null || lastPattern === null || !samePattern(lastPattern, p)) {
      lastMatcher = compileLike(p, escape, coll);
      lastPattern = p;
    }
    return lastMatcher;
  };
  const result = bool(arg.constant && pattern.constant, (r) => {
    const s = subject(r);
    if (s === null) return null;
    const p = pat(r);
    return p === null ? null : matcherFor(p)(s);
  });
  return negated ? negate(result) : result;
}

function samePattern(a: string | Buffer, b: string | Buffer): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return a.equals(b);
}

/** IS [NOT] NULL / TRUE / FALSE / UNKNOWN: the only predicates that never return NULL. */
export function compileIs(arg: Node, test: 'null' | 'true' | 'false' | 'unknown', negated: boolean): BoolNode {
  let f: (r: Row) => boolean;
  if (test === 'null') {
    const g = arg.f;
    f = (r) => g(r) === null;
  } else {
    const g = truth(arg);
    const want = test === 'true' ? true : test === 'false' ? false : null;
    f = (r) => g(r) === want;
  }
  return bool(arg.constant, negated ? (r) => !f(r) : f);
}
