// Full load: one consistent snapshot, read table by table in primary-key chunks (keyset pagination).
// The snapshot's binlog position is where the incremental stream starts, so nothing falls in between.
import type { Connection, FieldPacket, RowDataPacket } from 'mysql2/promise';
import type { ColumnInfo, Row, SqlValue, TableInfo } from '../../../model/source-data.js';
import type { BinlogPosition } from '../../../state/model.js';
import { DEFAULT_VALUE_OPTIONS, fromSnapshot, quoteIdent, selectExpr, type ValueOptions } from './type-map.js';
import { MigError } from '../../../util/errors.js';

export interface Chunk {
  rows: Row[];
  /** Key values of the last row, as stored in the state (binary keys base64). Absent when empty. */
  cursor?: (string | null)[];
  /** True when this chunk reached the end of the table. */
  last: boolean;
}

/**
 * Opens the snapshot transaction and returns the binlog position consistent with it.
 *
 * MariaDB reports that position itself (binlog_snapshot_file/position are captured atomically with
 * START TRANSACTION WITH CONSISTENT SNAPSHOT), so no lock is needed. MySQL has no such status, so we
 * hold FLUSH TABLES WITH READ LOCK only for the instant between opening the snapshot and reading the
 * position: writes wait for milliseconds, not for the whole load.
 */
export async function openSnapshot(conn: Connection, flavor: 'mariadb' | 'mysql'): Promise<BinlogPosition> {
  await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  if (flavor === 'mariadb') {
    await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
    const [st] = await conn.query<RowDataPacket[]>("SHOW STATUS LIKE 'binlog_snapshot_%'");
    const v = Object.fromEntries(st.map((r) => [String(r.Variable_name).toLowerCase(), String(r.Value)]));
    const file = v['binlog_snapshot_file'];
    const pos = Number(v['binlog_snapshot_position']);
    if (!file) throw new MigError('binlog-off', 'the source has no binary log', "enable it: log_bin=ON, binlog_format=ROW");
    const [g] = await conn.query<RowDataPacket[]>('SELECT BINLOG_GTID_POS(?, ?) AS g, @@server_id AS sid', [file, pos]);
    return { file, pos, gtidSet: g[0]?.g ? String(g[0].g) : undefined, serverId: Number(g[0]?.sid) };
  }
  try {
    await conn.query('FLUSH TABLES WITH READ LOCK');
  } catch (e) {
    throw new MigError('snapshot-lock', `cannot take the brief read lock for a consistent snapshot: ${(e as Error).message}`,
      'grant the RELOAD privilege to the migration user');
  }
  try {
    await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
    const [st] = await conn.query<RowDataPacket[]>('SHOW MASTER STATUS');
    const r = st[0];
    if (!r) throw new MigError('binlog-off', 'the source has no binary log', 'enable it: log_bin=ON, binlog_format=ROW');
    const [s] = await conn.query<RowDataPacket[]>('SELECT @@server_id AS sid');
    return {
      file: String(r.File),
      pos: Number(r.Position),
      gtidSet: r.Executed_Gtid_Set ? String(r.Executed_Gtid_Set).replace(/\s+/g, '') : undefined,
      serverId: Number(s[0]?.sid),
    };
  } finally {
    await conn.query('UNLOCK TABLES');
  }
}

/** Reads a table chunk by chunk inside the open snapshot. */
export class TableChunker {
  private readonly sqlFirst: string;
  private readonly sqlNext: string;
  private readonly keyCols: ColumnInfo[];
  private readonly typeCast: (field: CastField, next: () => unknown) => unknown;
  private offset = 0;

  constructor(
    private readonly conn: Connection,
    private readonly table: TableInfo,
    private readonly chunkSize: number,
    private readonly filter?: string,
    private readonly values: ValueOptions = DEFAULT_VALUE_OPTIONS,
  ) {
    const cols = table.columns.map((c) => selectExpr(c, values)).join(', ');
    const from = `${quoteIdent(table.database)}.${quoteIdent(table.table)}`;
    const where = filter ? `(${filter})` : '';
    this.keyCols = table.chunkKey.map((k) => table.columns.find((c) => c.name === k)!);
    const order = table.chunkKey.map(quoteIdent).join(', ');
    if (table.chunkKey.length === 0) {
      // No key to page by: LIMIT/OFFSET is stable only inside this one snapshot, so such tables restart on resume.
      this.sqlFirst = this.sqlNext = `SELECT ${cols} FROM ${from}${where ? ` WHERE ${where}` : ''} LIMIT ? OFFSET ?`;
    } else {
      this.sqlFirst = `SELECT ${cols} FROM ${from}${where ? ` WHERE ${where}` : ''} ORDER BY ${order} LIMIT ?`;
      this.sqlNext = `SELECT ${cols} FROM ${from} WHERE ${keysetPredicate(table.chunkKey)}${where ? ` AND ${where}` : ''} ORDER BY ${order} LIMIT ?`;
    }
    const binary = new Set(table.columns.filter((c) => c.binary).map((c) => c.name));
    // Read every value as the server's text (or bytes): mysql2's own conversions would lose digits.
    this.typeCast = (field) => (binary.has(field.name) ? field.buffer() : field.string('utf8'));
  }

  async next(cursor: (string | null)[] | undefined): Promise<Chunk> {
    const { table } = this;
    let sql: string;
    let params: unknown[];
    if (table.chunkKey.length === 0) {
      sql = this.sqlFirst;
      params = [this.chunkSize, this.offset];
    } else if (!cursor) {
      sql = this.sqlFirst;
      params = [this.chunkSize];
    } else {
      sql = this.sqlNext;
      params = [...keysetParams(cursor.map((v, i) => decodeCursorValue(this.keyCols[i]!, v))), this.chunkSize];
    }
    const rows = await this.read(sql, params);
    this.offset += rows.length;
    const lastRow = rows[rows.length - 1];
    return {
      rows,
      cursor: lastRow && this.keyCols.length > 0 ? this.keyCols.map((c) => encodeCursorValue(c, lastRow[c.name] ?? null)) : undefined,
      last: rows.length < this.chunkSize,
    };
  }

  /**
   * The rows with these key values (each in chunk-key order), through the filter: `mig redrive`
   * reads the current rows of keys whose changes were set aside. Keys without a row are left out.
   */
  async byKeys(keys: SqlValue[][]): Promise<Row[]> {
    const { table } = this;
    if (keys.length === 0 || table.chunkKey.length === 0) return [];
    const cols = table.columns.map((c) => selectExpr(c, this.values)).join(', ');
    const from = `${quoteIdent(table.database)}.${quoteIdent(table.table)}`;
    const tuple = `(${table.chunkKey.map(() => '?').join(', ')})`;
    const where = `(${table.chunkKey.map(quoteIdent).join(', ')}) IN (${keys.map(() => tuple).join(', ')})`;
    return this.read(`SELECT ${cols} FROM ${from} WHERE ${where}${this.filter ? ` AND (${this.filter})` : ''}`, keys.flat());
  }

  private async read(sql: string, values: unknown[]): Promise<Row[]> {
    const [raw] = (await this.conn.query({ sql, values, typeCast: this.typeCast as never })) as [RowDataPacket[], FieldPacket[]];
    const rows: Row[] = new Array(raw.length);
    const cols = this.table.columns;
    for (let i = 0; i < raw.length; i++) {
      const r = raw[i]!;
      const out: Row = {};
      for (const c of cols) out[c.name] = fromSnapshot(c, r[c.name] as string | Buffer | null, this.values);
      rows[i] = out;
    }
    return rows;
  }
}

interface CastField {
  name: string;
  string(encoding?: string): string | null;
  buffer(): Buffer | null;
}

/** `(k1 > ?) OR (k1 = ? AND k2 > ?) …`: expanded so every server can use the index range. */
export function keysetPredicate(keys: string[]): string {
  const ors: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    const eqs = keys.slice(0, i).map((k) => `${quoteIdent(k)} = ?`);
    ors.push(`(${[...eqs, `${quoteIdent(keys[i]!)} > ?`].join(' AND ')})`);
  }
  return `(${ors.join(' OR ')})`;
}

export function keysetParams(values: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < values.length; i++) out.push(...values.slice(0, i + 1));
  return out;
}

export function encodeCursorValue(c: ColumnInfo, v: string | Buffer | null): string | null {
  if (v === null) return null;
  return Buffer.isBuffer(v) ? v.toString('base64') : v;
}

function decodeCursorValue(c: ColumnInfo, v: string | null): string | Buffer | null {
  if (v === null) return null;
  if (c.binary) return Buffer.from(v, 'base64');
  // FLOAT keys were read widened to DOUBLE text; the server compares the literal as a number.
  return v;
}

export async function closeSnapshot(conn: Connection): Promise<void> {
  await conn.query('COMMIT').catch(() => undefined);
}
