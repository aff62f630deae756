// MySQL's convert_const_to_int: a constant compared with a BIGINT or YEAR column is first stored
// into that column's type, and when that works the comparison becomes an integer one. That makes
// `big = '18446744073709551614'` exact and `year_col = 24` mean 2024.
import type { ColumnInfo } from '../model/source-data.js';
import { decimalAsInteger, decimalRound, normalizeDecimal } from './filter-decimal.js';
import { EMPTY_ROW, isTemporal, textOf, toDec, type Node } from './filter-values.js';

const INT_TEXT = /^\s*[+-]?\d+\s*$/;

/** The integer the constant becomes in the column's type, or undefined when MySQL would not convert it. */
function constantAsColumnInt(column: ColumnInfo | undefined, n: Node): string | undefined {
  if (!column || !n.constant || n.t === 'null' || isTemporal(n)) return undefined;
  const type = column.dataType.toLowerCase();
  if (type === 'year') return yearOf(n);
  if (type !== 'bigint' || n.t === 'int' || n.t === 'bool') return undefined;
  // BIGINT keeps the conversion only when it loses nothing.
  let int: string | undefined;
  if (n.t === 'str') {
    const v = n.f(EMPTY_ROW);
    const text = v === null ? '' : textOf(v);
    if (INT_TEXT.test(text)) int = normalizeDecimal(text);
  } else if (n.t === 'real') {
    const v = n.f(EMPTY_ROW);
    if (v !== null && Number.isInteger(v)) int = BigInt(v).toString();
  } else {
    const v = toDec(n)(EMPTY_ROW);
    if (v !== null) int = decimalAsInteger(v);
  }
  if (int === undefined) return undefined;
  const min = column.unsigned ? 0n : -(2n ** 63n);
  const max = column.unsigned ? 2n ** 64n - 1n : 2n ** 63n - 1n;
  const big = BigInt(int);
  return big >= min && big <= max ? int : undefined;
}

/**
 * Storing into YEAR: numbers round; strings must be whole integers; 1-69 mean 2001-2069, 70-99
 * mean 1970-1999, 0 means 2000 except as the number 0 or the string '0000'; negative values,
 * 100-1900 and beyond 2155 do not store.
 */
function yearOf(n: Node): string | undefined {
  let nr: bigint;
  let zeroIsYear0: boolean;
  if (n.t === 'str') {
    const v = n.f(EMPTY_ROW);
    const text = v === null ? '' : textOf(v);
    if (!INT_TEXT.test(text)) return undefined;
    nr = BigInt(normalizeDecimal(text));
    zeroIsYear0 = Buffer.byteLength(text) === 4;
  } else {
    const v = toDec(n)(EMPTY_ROW);
    if (v === null) return undefined;
    nr = BigInt(decimalRound(v));
    zeroIsYear0 = true;
  }
  if (nr < 0n || (nr >= 100n && nr <= 1900n) || nr > 2155n) return undefined;
  if (nr === 0n && zeroIsYear0) return '0';
  if (nr < 70n) return String(2000n + nr);
  if (nr < 100n) return String(1900n + nr);
  return nr.toString();
}

function intLiteral(text: string): Node {
  return { t: 'int', constant: true, decimals: 0, f: () => text };
}

/** The constant `other` as an integer literal in the type of the column `arg`, if MySQL would convert it. */
export function columnInt(arg: Node, other: Node): Node | undefined {
  const v = constantAsColumnInt(arg.column, other);
  return v === undefined ? undefined : intLiteral(v);
}
