// The schema phase for a MySQL destination: databases, tables and views created from what the
// source says about itself (SHOW CREATE …), under the destination's names. Tables that already
// exist are kept as they are (CREATE … IF NOT EXISTS); whether that is allowed at all is the
// precheck's question (existingTables, conflictMode).
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { MigError } from '../../../util/errors.js';
import { rewriteCreateTable } from './create-table.js';
import { translateDdl } from './ddl-translate.js';
import type { TableRef, TargetNames } from './names.js';
import { qualified, quoteIdent } from './names.js';
import { isWord, readName, significant, tokenize } from './sql-tokens.js';

export interface CreatedObject {
  source: TableRef;
  target: TableRef;
  /** It was there already and was left as it is. */
  existed: boolean;
  /** The statement run at the destination. */
  sql: string;
  /** What was changed beyond names (dropped foreign keys, …). */
  notes: string[];
}

/**
 * CREATE DATABASE IF NOT EXISTS for the destination of a source database, with the source's
 * default character set and collation. Returns the destination database name.
 */
export async function createDatabase(source: Connection, dest: Connection, names: TargetNames, database: string): Promise<string> {
  const target = names.database(database);
  if (target === undefined) throw new MigError('database-not-migrated', `database ${database} is not part of the migration`);
  const [rows] = await source.query<RowDataPacket[]>(`SHOW CREATE DATABASE ${quoteIdent(database)}`);
  const text = String(rows[0]!['Create Database']);
  const sig = significant(tokenize(text));
  // CREATE DATABASE [/*!32312 IF NOT EXISTS*/] `name` …: everything after the name is options.
  let i = 2;
  while (isWord(sig[i], 'IF', 'NOT', 'EXISTS')) i++;
  const n = readName(sig, i);
  const options = n ? text.slice(n.end).replace(/\/\*!32312 IF NOT EXISTS\*\/\s*/i, '') : '';
  await dest.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(target)}${options}`);
  return target;
}

/** The destination tables among `refs` that exist (for the precheck and conflictMode). */
export async function existingTables(conn: Connection, refs: readonly TableRef[]): Promise<TableRef[]> {
  if (refs.length === 0) return [];
  const out: TableRef[] = [];
  // One query per database keeps the IN list short and uses the schema index.
  const byDb = new Map<string, string[]>();
  for (const r of refs) byDb.set(r.database, [...(byDb.get(r.database) ?? []), r.table]);
  for (const [db, tables] of byDb) {
    const [rows] = await conn.query<RowDataPacket[]>(
      'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (?)',
      [db, tables],
    );
    const have = new Set(rows.map((r) => String(r.t).toLowerCase()));
    for (const t of tables) if (have.has(t.toLowerCase())) out.push({ database: db, table: t });
  }
  return out;
}

/**
 * Fails when destination tables exist and conflictMode is error (the default), naming them; with
 * ignore, existing tables are kept and the full load leaves their existing rows alone (as DTS).
 */
export async function checkNoConflicts(conn: Connection, refs: readonly TableRef[], conflictMode: 'error' | 'ignore' | undefined): Promise<TableRef[]> {
  const existing = await existingTables(conn, refs);
  if (existing.length > 0 && (conflictMode ?? 'error') === 'error') {
    const list = existing.slice(0, 10).map((r) => `${r.database}.${r.table}`).join(', ');
    throw new MigError(
      'destination-tables-exist',
      `${existing.length} destination table(s) already exist: ${list}${existing.length > 10 ? ', …' : ''}`,
      'drop them, map the tables to other names (spec.objects[].target, tables[].target), or set spec.conflictMode: ignore to keep them and their rows',
    );
  }
  return existing;
}

/** Creates the destination table of a source table from its SHOW CREATE TABLE. */
export async function createTable(source: Connection, dest: Connection, names: TargetNames, table: TableRef): Promise<CreatedObject> {
  const map = names.table(table.database, table.table);
  if (!map) throw new MigError('table-not-migrated', `${table.database}.${table.table} is not part of the migration`);
  const [rows] = await source.query<RowDataPacket[]>(`SHOW CREATE TABLE ${qualified(table)}`);
  const text = rows[0]?.['Create Table'];
  if (typeof text !== 'string') throw new MigError('not-a-table', `${table.database}.${table.table} is not a base table at the source`);
  const r = rewriteCreateTable(text, map, { ifNotExists: true, names, defaultDatabase: table.database });
  const existed = (await existingTables(dest, [map.target])).length > 0;
  await dest.query(r.sql);
  return { source: map.source, target: map.target, existed, sql: r.sql, notes: r.notes };
}

/** Views of a source database (SHOW CREATE VIEW needs SHOW VIEW at the source). */
export async function listViews(source: Connection, database: string): Promise<string[]> {
  const [rows] = await source.query<RowDataPacket[]>(
    "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'VIEW' ORDER BY TABLE_NAME",
    [database],
  );
  return rows.map((r) => String(r.t));
}

/**
 * Creates views of a migrated database at the destination, DEFINER removed (the view runs as the
 * user that created it there) and database names mapped. Views may read other views: those that
 * fail because what they read is not there yet are tried again after the others, until a round
 * creates nothing. A view that exists already is kept.
 */
export async function createViews(source: Connection, dest: Connection, names: TargetNames, database: string, views: readonly string[]): Promise<CreatedObject[]> {
  const todo: Array<{ view: string; sql: string; target: TableRef; notes: string[] }> = [];
  for (const view of views) {
    const [rows] = await source.query<RowDataPacket[]>(`SHOW CREATE VIEW ${qualified({ database, table: view })}`);
    const t = translateDdl({ database, sql: String(rows[0]!['Create View']) }, names);
    if (!t) continue; // the database's tables are picked one by one: views stay behind (as DTS)
    todo.push({ view, sql: t.sql, target: t.tables[0]!, notes: t.notes });
  }
  const out: CreatedObject[] = [];
  let pending = todo;
  while (pending.length > 0) {
    const failed: typeof todo = [];
    let lastError: unknown;
    for (const v of pending) {
      const existed = (await existingTables(dest, [v.target])).length > 0;
      if (existed) {
        out.push({ source: { database, table: v.view }, target: v.target, existed, sql: v.sql, notes: v.notes });
        continue;
      }
      try {
        await dest.query(`USE ${quoteIdent(v.target.database)}`);
        await dest.query(v.sql);
        out.push({ source: { database, table: v.view }, target: v.target, existed, sql: v.sql, notes: v.notes });
      } catch (e) {
        lastError = e;
        failed.push(v);
      }
    }
    if (failed.length === pending.length) {
      const msg = (lastError as { sqlMessage?: string; message?: string })?.sqlMessage ?? String((lastError as Error)?.message);
      throw new MigError('view-create-failed', `cannot create view(s) ${failed.map((f) => `${f.target.database}.${f.target.table}`).join(', ')} at the destination: ${msg}`, 'a view reads a table or view that is not migrated, or a function the destination lacks; migrate what it reads or create the view by hand');
    }
    pending = failed;
  }
  return out;
}
