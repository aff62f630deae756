// Arithmetic in filters with MySQL's result types: exact for INT and DECIMAL operands (DECIMAL
// division keeps 4 more digits), DOUBLE as soon as a DOUBLE or a string takes part; NULL propagates.
import type { Row } from '../model/source-data.js';
import type { ArithOp } from './filter-ast.js';
import {
  decimalAbs, decimalAdd, decimalDivide, decimalIntDivide, decimalModulo, decimalMultiply, decimalNegate,
} from './filter-decimal.js';
import { NOT_FIXED_DEC, nullNode, toDec, toReal, type Node } from './filter-values.js';

const MAX_SCALE = 30;

/** INT when every operand is integral, DOUBLE when a DOUBLE or string is involved, else DECIMAL. */
function numericClass(n: Node): 'int' | 'dec' | 'real' {
  switch (n.t) {
    case 'bool':
    case 'int':
      return 'int';
    case 'real':
    case 'str':
      return 'real';
    case 'null':
      return 'int';
    case 'dec':
      return 'dec';
    default:
      // Temporals become numbers like 20240102 or 20240102123000.5.
      return n.decimals > 0 ? 'dec' : 'int';
  }
}

function resultDecimals(op: ArithOp, a: number, b: number): number {
  if (a >= NOT_FIXED_DEC || b >= NOT_FIXED_DEC) return NOT_FIXED_DEC;
  if (op === '*') return Math.min(a + b, MAX_SCALE);
  if (op === '/') return Math.min(a + 4, MAX_SCALE);
  if (op === 'div') return 0;
  return Math.max(a, b);
}

function realOp(op: ArithOp): (x: number, y: number) => number | null {
  switch (op) {
    case '+':
      return (x, y) => x + y;
    case '-':
      return (x, y) => x - y;
    case '*':
      return (x, y) => x * y;
    case '/':
      return (x, y) => (y === 0 ? null : x / y);
    case 'mod':
      // JavaScript's % is fmod: the sign follows the dividend, as MySQL's MOD.
      return (x, y) => (y === 0 ? null : x % y);
    case 'div':
      return (x, y) => (y === 0 ? null : Math.trunc(x / y));
  }
}

function decOp(op: ArithOp): (x: string, y: string) => string | null {
  switch (op) {
    case '+':
      return (x, y) => decimalAdd(x, y, false);
    case '-':
      return (x, y) => decimalAdd(x, y, true);
    case '*':
      return decimalMultiply;
    case '/':
      return decimalDivide;
    case 'mod':
      return decimalModulo;
    case 'div':
      return decimalIntDivide;
  }
}

function binary<T, U>(ga: (r: Row) => T | null, gb: (r: Row) => T | null, op: (x: T, y: T) => U | null) {
  return (r: Row): U | null => {
    const x = ga(r);
    if (x === null) return null;
    const y = gb(r);
    return y === null ? null : op(x, y);
  };
}

export function compileArith(op: ArithOp, a: Node, b: Node): Node {
  if (a.t === 'null' || b.t === 'null') return nullNode();
  const constant = a.constant && b.constant;
  const decimals = resultDecimals(op, a.decimals, b.decimals);
  const ca = numericClass(a);
  const cb = numericClass(b);
  if (ca === 'real' || cb === 'real') {
    const f = binary(toReal(a), toReal(b), realOp(op));
    if (op !== 'div') return { t: 'real', constant, decimals, f };
    // DIV always yields an integer, even from doubles.
    return {
      t: 'int', constant, decimals: 0,
      f: (r) => { const v = f(r); return v === null || !Number.isFinite(v) ? null : BigInt(v).toString(); },
    };
  }
  const t = op === 'div' || (op !== '/' && ca === 'int' && cb === 'int') ? 'int' : 'dec';
  return { t, constant, decimals: t === 'int' ? 0 : decimals, f: binary(toDec(a), toDec(b), decOp(op)) };
}

export function compileNegate(a: Node): Node {
  if (a.t === 'null') return a;
  const cls = numericClass(a);
  if (cls === 'real') {
    const g = toReal(a);
    return { t: 'real', constant: a.constant, decimals: a.decimals, f: (r) => { const v = g(r); return v === null ? null : -v; } };
  }
  const g = toDec(a);
  return {
    t: cls, constant: a.constant, decimals: a.decimals === NOT_FIXED_DEC ? 0 : a.decimals,
    f: (r) => { const v = g(r); return v === null ? null : decimalNegate(v); },
  };
}

export function compileAbs(a: Node): Node {
  if (a.t === 'null') return a;
  const cls = numericClass(a);
  if (cls === 'real') {
    const g = toReal(a);
    return { t: 'real', constant: a.constant, decimals: a.decimals, f: (r) => { const v = g(r); return v === null ? null : Math.abs(v); } };
  }
  const g = toDec(a);
  return {
    t: cls, constant: a.constant, decimals: a.decimals === NOT_FIXED_DEC ? 0 : a.decimals,
    f: (r) => { const v = g(r); return v === null ? null : decimalAbs(v); },
  };
}
