// The SQL `mig verify` runs on both servers of a MySQL → MySQL migration: one normalised text per
// column, a chunk checksum over those texts, and key-range predicates. The same builder writes the
// source's statement (source names, the spec's filter) and the destination's (mapped names), so
// equal values give equal texts and equal checksums on either side.
import type { ColumnInfo, SqlValue } from '../../../model/source-data.js';
import { roundingDigits, type ValueOptions } from '../../../model/float-rounding.js';
import type { KeyRange } from '../../contract.js';
import { quoteIdent } from './sql-tokens.js';

/** One side of a table: its qualified name, its columns under that side's names, its key and filter. */
export interface SideTable {
  from: string;
  /** The compared columns in one order for both sides: [type, name on this side]. */
  columns: { info: ColumnInfo; name: string }[];
  /** Key columns under this side's names, in key order; empty when the table has none. */
  key: string[];
  /** The spec's row filter (source side only). */
  filter?: string;
  /** The migration's FLOAT/DOUBLE rounding, applied on both sides alike. */
  values?: ValueOptions;
}

/**
 * A column as text that does not depend on the server's charset or on how the driver reads it:
 * bytes as hex, FLOAT widened to DOUBLE (the server's FLOAT text keeps 6 digits), geometry as WKT,
 * text converted to utf8mb4 so columns of different charsets concatenate without a collation error.
 * Integers, DECIMAL and temporal values are the server's own text, equal for equal values of the
 * same type (the destination table is created from the source's definition). Under a FLOAT/DOUBLE
 * rounding the migration wrote ROUND(col, n) into a column of the same type, so both sides are
 * rounded again: the destination's stored value rounds back to the source's rounded one.
 */
export function normalised(c: ColumnInfo, name: string, values?: ValueOptions): string {
  const q = quoteIdent(name);
  const digits = values ? roundingDigits(c.dataType, values) : undefined;
  if (digits !== undefined) return `ROUND(${q}, ${digits})`;
  if (c.dataType === 'float') return `CAST(${q} AS DOUBLE)`;
  if (['geometry', 'point', 'linestring', 'polygon', 'multipoint', 'multilinestring', 'multipolygon', 'geometrycollection'].includes(c.dataType)) return `ST_AsText(${q})`;
  if (c.binary) return `HEX(${q})`;
  if (c.charset) return `CONVERT(${q} USING utf8mb4)`;
  return q;
}

/**
 * A row's digest: every column's text joined with '#', then which columns are NULL (CONCAT_WS skips
 * NULLs, so NULL and '' would otherwise agree), as pt-table-checksum builds it.
 */
function rowText(t: SideTable): string {
  const cols = t.columns.map((c) => normalised(c.info, c.name, t.values));
  const nulls = t.columns.map((c) => `ISNULL(${quoteIdent(c.name)})`);
  return `CONCAT_WS('#', ${cols.join(', ')}, CONCAT(${nulls.join(', ')}))`;
}

/**
 * `(k1 > ?) OR (k1 = ? AND k2 > ?) …` for `after`, `… k2 < ?) OR (k1 = ? AND k2 = ?)` for `upTo`:
 * expanded rather than row constructors so every server reads an index range.
 */
export function keyBound(key: string[], values: SqlValue[], op: '>' | '<='): { sql: string; params: SqlValue[] } {
  const ors: string[] = [];
  const params: SqlValue[] = [];
  const strict = op === '>' ? '>' : '<';
  for (let i = 0; i < key.length; i++) {
    ors.push(`(${[...key.slice(0, i).map((k) => `${quoteIdent(k)} = ?`), `${quoteIdent(key[i]!)} ${strict} ?`].join(' AND ')})`);
    params.push(...values.slice(0, i + 1));
  }
  if (op === '<=') {
    ors.push(`(${key.map((k) => `${quoteIdent(k)} = ?`).join(' AND ')})`);
    params.push(...values.slice(0, key.length));
  }
  return { sql: `(${ors.join(' OR ')})`, params };
}

/** The WHERE clause of a range (and the filter on the source side), with its parameters. */
export function rangeWhere(t: SideTable, range: KeyRange): { sql: string; params: SqlValue[] } {
  const parts: string[] = [];
  const params: SqlValue[] = [];
  if (range.after && t.key.length > 0) {
    const b = keyBound(t.key, range.after, '>');
    parts.push(b.sql);
    params.push(...b.params);
  }
  if (range.upTo && t.key.length > 0) {
    const b = keyBound(t.key, range.upTo, '<=');
    parts.push(b.sql);
    params.push(...b.params);
  }
  if (t.filter) parts.push(`(${t.filter})`);
  return { sql: parts.length > 0 ? ` WHERE ${parts.join(' AND ')}` : '', params };
}

/**
 * How rows are digested: `crc` (MariaDB 10.8+ on both sides) XORs each row's CRC32 and CRC32C, two
 * independent 32-bit checks, about twice as fast as MD5; `md5` XORs each row's MD5 in two 64-bit
 * halves (BIT_XOR works on BIGINT UNSIGNED). Either way with the chunk's row count beside it.
 */
export type RowHash = 'crc' | 'md5';

/** Row count and an order-free checksum of the range, computed on the server: no row leaves it. */
export function checksumSql(t: SideTable, range: KeyRange, hash: RowHash = 'md5'): { sql: string; params: SqlValue[] } {
  const w = rangeWhere(t, range);
  const [a, b] = hash === 'crc'
    ? ['CRC32(h)', 'CRC32C(h)']
    : ['CAST(CONV(LEFT(MD5(h), 16), 16, 10) AS UNSIGNED)', 'CAST(CONV(RIGHT(MD5(h), 16), 16, 10) AS UNSIGNED)'];
  const sql = `SELECT COUNT(*) AS n, COALESCE(BIT_XOR(${a}), 0) AS a, COALESCE(BIT_XOR(${b}), 0) AS b ` +
    `FROM (SELECT ${rowText(t)} AS h FROM ${t.from}${w.sql}) AS rows_of_chunk`;
  return { sql, params: w.params };
}

/** The range's rows as normalised texts (c0, c1 …) and key texts (k0 …), in key order. */
export function rowsSql(t: SideTable, range: KeyRange): { sql: string; params: SqlValue[] } {
  const w = rangeWhere(t, range);
  const cols = t.columns.map((c, i) => `${normalised(c.info, c.name, t.values)} AS c${i}`);
  const keys = t.key.map((k, i) => {
    const c = t.columns.find((col) => col.name === k)!;
    return `${normalised(c.info, k)} AS k${i}`;
  });
  const order = t.key.length > 0 ? ` ORDER BY ${t.key.map(quoteIdent).join(', ')}` : '';
  return { sql: `SELECT ${[...cols, ...keys].join(', ')} FROM ${t.from}${w.sql}${order}`, params: w.params };
}

/** The key of the row `every` rows into the range, in key order. */
export function boundarySql(t: SideTable, range: KeyRange, every: number): { sql: string; params: (SqlValue | number)[] } {
  const w = rangeWhere(t, range);
  return { sql: `SELECT ${t.key.map(quoteIdent).join(', ')} FROM ${t.from}${w.sql} ORDER BY ${t.key.map(quoteIdent).join(', ')} LIMIT ?, 1`, params: [...w.params, every - 1] };
}
