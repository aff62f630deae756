// SQL text for row changes on one destination table. Values are escaped into the text (the driver's
// own escaping, the same the `?` placeholders use) so the size of each statement is known exactly
// before it is sent: multi-row INSERTs are cut to fit max_allowed_packet.
import mysql from 'mysql2/promise';
import type { Row, SqlValue } from '../../../model/source-data.js';
import type { DestColumn, DestTable } from './dest-table.js';
import { qualified, quoteIdent } from './names.js';

/**
 * One value as SQL. The canonical values are MySQL's own text (numbers, DECIMAL, temporal, ENUM,
 * SET, JSON) or bytes (binary strings, BIT), and the server converts text to the column's type just
 * as it parses a literal. Geometry arrives as WKT (what the source reads with ST_AsText) or, from
 * other readers, as WKB bytes; both go through the matching constructor.
 */
export function valueSql(col: DestColumn | undefined, v: SqlValue): string {
  if (v === null) return 'NULL';
  const lit = mysql.escape(v);
  if (col?.geometry) return Buffer.isBuffer(v) ? `ST_GeomFromWKB(${lit})` : `ST_GeomFromText(${lit})`;
  return lit;
}

/** The row without generated columns (the server computes them and rejects values for them). */
export function writable(t: DestTable, row: Row): Row {
  if (!t.columns.some((c) => c.generated)) return row;
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) if (!t.byName.get(k.toLowerCase())?.generated) out[k] = v;
  return out;
}

/** `(v1, v2, …)` for the given columns. */
export function tuple(t: DestTable, columns: string[], row: Row): string {
  return `(${columns.map((c) => valueSql(t.byName.get(c.toLowerCase()), row[c] ?? null)).join(', ')})`;
}

export type InsertMode = 'upsert' | 'keep-existing';

/** INSERT … VALUES head and tail around the tuples. */
export function insertParts(t: DestTable, columns: string[], mode: InsertMode): { head: string; tail: string } {
  const cols = columns.map(quoteIdent);
  const head = `INSERT INTO ${qualified(t.ref)} (${cols.join(', ')}) VALUES `;
  // keep-existing: a duplicate key leaves the stored row as it is. This is INSERT IGNORE's effect on
  // duplicates without INSERT IGNORE's other effect: turning bad values into warnings and clipped data.
  const tail =
    mode === 'upsert'
      ? ` ON DUPLICATE KEY UPDATE ${cols.map((c) => `${c} = VALUES(${c})`).join(', ')}`
      : ` ON DUPLICATE KEY UPDATE ${cols[0]} = ${cols[0]}`;
  return { head, tail };
}

/** Column types whose stored value may not equal its text: left out when a whole row is matched. */
const INEXACT = new Set(['float', 'double', 'real', 'json']);

/**
 * WHERE finding the row `before` describes: the table's key (primary, or unique over NOT NULL
 * columns) when the image has it, else every comparable column with <=> (NULL-safe). FLOAT/DOUBLE
 * (the text may not give back the same stored bits), JSON (MySQL compares JSON with text as a JSON
 * string) and geometry are skipped in that case; LIMIT 1 on the statement keeps one row changed.
 */
export function whereSql(t: DestTable, before: Row): string {
  const byKey = keyCondition(t, before);
  if (byKey !== undefined) return byKey;
  const parts: string[] = [];
  for (const [c, v] of Object.entries(before)) {
    const col = t.byName.get(c.toLowerCase());
    if (!col || col.generated || col.geometry || INEXACT.has(col.dataType)) continue;
    parts.push(`${quoteIdent(c)} <=> ${valueSql(col, v)}`);
  }
  return parts.length > 0 ? parts.join(' AND ') : '1 = 1';
}

/**
 * The key condition (`k = v AND …`) when the table has a key and the image holds all of it, NOT NULL;
 * undefined otherwise (the row is then matched on every column, see whereSql).
 */
export function keyCondition(t: DestTable, image: Row): string | undefined {
  if (t.key.length === 0) return undefined;
  const parts: string[] = [];
  for (const k of t.key) {
    const c = Object.keys(image).find((n) => n.toLowerCase() === k.toLowerCase());
    const v = c === undefined ? null : image[c]!;
    if (v === null) return undefined;
    parts.push(`${quoteIdent(c!)} = ${valueSql(t.byName.get(k.toLowerCase()), v)}`);
  }
  return parts.join(' AND ');
}

/** Whether the update keeps the row's key (same key values before and after). */
export function keepsKey(t: DestTable, before: Row, after: Row): boolean {
  if (t.key.length === 0) return false;
  const find = (r: Row, k: string) => Object.keys(r).find((n) => n.toLowerCase() === k.toLowerCase());
  return t.key.every((k) => {
    const b = find(before, k);
    const a = find(after, k);
    if (a === undefined || b === undefined) return false;
    const x = before[b]!;
    const y = after[a]!;
    if (x === null || y === null) return false;
    return Buffer.isBuffer(x) && Buffer.isBuffer(y) ? x.equals(y) : x === y;
  });
}

export function updateSql(t: DestTable, before: Row, after: Row): string {
  const sets = Object.entries(after).map(([c, v]) => `${quoteIdent(c)} = ${valueSql(t.byName.get(c.toLowerCase()), v)}`);
  return `UPDATE ${qualified(t.ref)} SET ${sets.join(', ')} WHERE ${whereSql(t, before)} LIMIT 1`;
}

export function deleteSql(t: DestTable, before: Row): string {
  return `DELETE FROM ${qualified(t.ref)} WHERE ${whereSql(t, before)} LIMIT 1`;
}
