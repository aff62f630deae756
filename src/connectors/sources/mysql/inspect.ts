// Reads what the live source holds: server identity and settings, tables, columns and keys.
// The planner compares this with the spec; the readers use it to decode rows.
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { ColumnInfo, TableInfo } from '../../../model/source-data.js';
import { isBinaryType } from './type-map.js';

export interface ServerInfo {
  version: string;
  flavor: 'mariadb' | 'mysql';
  serverId: number;
  logBin: boolean;
  binlogFormat: string;
  binlogRowImage: string;
  /** MariaDB 10.5+/MySQL 8: FULL makes row events self-describing; required for safe replay across ALTERs. */
  binlogRowMetadata: string | null;
  timeZone: string;
}

export async function serverInfo(conn: Connection): Promise<ServerInfo> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT VERSION() AS version, @@server_id AS serverId, @@log_bin AS logBin,
            @@binlog_format AS binlogFormat, @@binlog_row_image AS binlogRowImage,
            @@time_zone AS timeZone`,
  );
  const r = rows[0]!;
  let binlogRowMetadata: string | null = null;
  try {
    const [m] = await conn.query<RowDataPacket[]>('SELECT @@binlog_row_metadata AS v');
    binlogRowMetadata = String(m[0]!.v);
  } catch {
    binlogRowMetadata = null; // servers before MariaDB 10.5 / MySQL 8.0 have no such variable
  }
  const version = String(r.version);
  return {
    version,
    flavor: /mariadb/i.test(version) ? 'mariadb' : 'mysql',
    serverId: Number(r.serverId),
    logBin: Number(r.logBin) === 1,
    binlogFormat: String(r.binlogFormat),
    binlogRowImage: String(r.binlogRowImage),
    binlogRowMetadata,
    timeZone: String(r.timeZone),
  };
}

export async function listDatabases(conn: Connection): Promise<string[]> {
  const [rows] = await conn.query<RowDataPacket[]>('SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA');
  return rows.map((r) => String(r.s));
}

/** Base tables of a database (views are not migrated as data). */
export async function listTables(conn: Connection, database: string): Promise<string[]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT TABLE_NAME AS t FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`,
    [database],
  );
  return rows.map((r) => String(r.t));
}

export async function describeTable(conn: Connection, database: string, table: string): Promise<TableInfo | undefined> {
  const [cols] = await conn.query<RowDataPacket[]>(
    `SELECT COLUMN_NAME AS name, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType,
            IS_NULLABLE AS nullable, CHARACTER_SET_NAME AS charset, COLLATION_NAME AS collation, DATETIME_PRECISION AS fsp
       FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [database, table],
  );
  if (cols.length === 0) return undefined;
  const columns: ColumnInfo[] = cols.map((c) => {
    const dataType = String(c.dataType).toLowerCase();
    const columnType = String(c.columnType).toLowerCase();
    return {
      name: String(c.name),
      dataType,
      columnType,
      unsigned: /\bunsigned\b/.test(columnType),
      nullable: c.nullable === 'YES',
      charset: c.charset === null ? undefined : String(c.charset),
      collation: c.collation === null ? undefined : String(c.collation),
      fsp: c.fsp === null ? undefined : Number(c.fsp),
      binary: isBinaryType(dataType),
    };
  });
  const [keys] = await conn.query<RowDataPacket[]>(
    `SELECT INDEX_NAME AS idx, COLUMN_NAME AS col, NON_UNIQUE AS nonUnique, NULLABLE AS nullable
       FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    [database, table],
  );
  const byIndex = new Map<string, { cols: string[]; unique: boolean; nullable: boolean }>();
  for (const k of keys) {
    const name = String(k.idx);
    const e = byIndex.get(name) ?? { cols: [], unique: Number(k.nonUnique) === 0, nullable: false };
    e.cols.push(String(k.col));
    if (String(k.nullable) === 'YES') e.nullable = true;
    byIndex.set(name, e);
  }
  const primaryKey = byIndex.get('PRIMARY')?.cols ?? [];
  // A unique key over NOT NULL columns identifies rows as well as a primary key does.
  const unique = [...byIndex.entries()]
    .filter(([n, e]) => n !== 'PRIMARY' && e.unique && !e.nullable)
    .sort((a, b) => a[1].cols.length - b[1].cols.length || a[0].localeCompare(b[0]))[0];
  const chunkKey = primaryKey.length > 0 ? primaryKey : (unique?.[1].cols ?? []);
  const [est] = await conn.query<RowDataPacket[]>(
    'SELECT TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [database, table],
  );
  return {
    database,
    table,
    columns,
    primaryKey,
    chunkKey,
    keyKind: primaryKey.length > 0 ? 'primary' : unique ? 'unique' : 'none',
    uniqueKeys: Object.fromEntries(
      [...byIndex.entries()].filter(([, e]) => e.unique).sort((a, b) => (a[0] === 'PRIMARY' ? -1 : b[0] === 'PRIMARY' ? 1 : a[0].localeCompare(b[0]))).map(([n, e]) => [n, e.cols]),
    ),
    estimatedRows: Number(est[0]?.n ?? 0),
  };
}

/** The source's current end of log: where "caught up" is measured. */
export async function currentBinlogEnd(conn: Connection): Promise<{ file: string; pos: number }> {
  const [rows] = await conn.query<RowDataPacket[]>('SHOW MASTER STATUS');
  const r = rows[0];
  if (!r) throw new Error('binary logging is off on the source (SHOW MASTER STATUS is empty)');
  return { file: String(r.File), pos: Number(r.Position) };
}
