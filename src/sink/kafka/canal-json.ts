// Canal JSON as DTS writes it: one row per message, values as strings, SQL NULL as null, `old` holding
// only the changed columns. Keys are alphabetical, as DTS (and canal's serializer) emit them.
import type { ChangeEvent, ColumnInfo, Row, SqlValue, TableInfo } from '../../source/types.js';
import type { EncodedMessage } from './message.js';

export interface CanalJson {
  data: Record<string, string | null>[] | null;
  database: string;
  es: number;
  id: number;
  isDdl: boolean;
  mysqlType: Record<string, string> | null;
  old: Record<string, string | null>[] | null;
  pkNames: string[] | null;
  sql: string;
  sqlType: Record<string, number> | null;
  table: string;
  ts: number;
  type: string;
}

/** java.sql.Types codes as canal/DTS report them; unsigned integers move up one width (DTS's rule). */
export function sqlTypeCode(c: ColumnInfo): number {
  switch (c.dataType) {
    case 'tinyint': return c.unsigned ? 5 : -6;
    case 'smallint': return c.unsigned ? 4 : 5;
    case 'mediumint': return 4;
    case 'int': case 'integer': return c.unsigned ? -5 : 4;
    case 'bigint': return c.unsigned ? 3 : -5;
    case 'decimal': case 'numeric': return 3;
    case 'float': return 7;
    case 'double': case 'real': return 8;
    case 'bit': case 'set': return -7;
    case 'date': return 91;
    case 'datetime': case 'timestamp': return 93;
    case 'time': return 92;
    case 'year': case 'varchar': case 'json': return 12;
    case 'char': case 'uuid': case 'inet4': case 'inet6': return 1;
    case 'enum': return 4;
    case 'binary': return -2;
    case 'varbinary': return -3;
    case 'tinyblob': case 'blob': case 'mediumblob': case 'longblob': return 2004;
    case 'tinytext': case 'text': case 'mediumtext': case 'longtext': return 2005;
    default: return c.binary ? -2 : 12; // spatial types and anything newer: raw bytes or text
  }
}

/** BIT as its unsigned integer value; other bytes as ISO-8859-1, canal's lossless byte-per-char form. */
export function valueText(c: ColumnInfo, v: SqlValue): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (c.dataType === 'bit') {
    let n = 0n;
    for (const b of v) n = (n << 8n) | BigInt(b);
    return n.toString();
  }
  return v.toString('latin1');
}

function rowText(cols: ColumnInfo[], r: Row): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const c of cols) out[c.name] = valueText(c, r[c.name] ?? null);
  return out;
}

function sameValue(a: SqlValue | undefined, b: SqlValue | undefined): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return a === b;
}

/** Per-table parts of a message that never change between rows: computed once per table shape. */
export interface TableCodec {
  cols: ColumnInfo[];
  mysqlType: Record<string, string>;
  sqlType: Record<string, number>;
  pkNames: string[] | null;
  keyCols: ColumnInfo[];
}

export function tableCodec(t: TableInfo): TableCodec {
  const mysqlType: Record<string, string> = {};
  const sqlType: Record<string, number> = {};
  for (const c of t.columns) {
    mysqlType[c.name] = c.columnType;
    sqlType[c.name] = sqlTypeCode(c);
  }
  return {
    cols: t.columns,
    mysqlType,
    sqlType,
    pkNames: t.primaryKey.length > 0 ? t.primaryKey : null,
    keyCols: t.chunkKey.map((k) => t.columns.find((c) => c.name === k)!),
  };
}

/**
 * Message key: the JSON array of the row's key values as text (primary key, else the NOT NULL unique
 * key). Equal keys land on the same partition in order, and compacted topics keep the latest row.
 */
export function messageKey(codec: TableCodec, r: Row): string | null {
  if (codec.keyCols.length === 0) return null;
  return JSON.stringify(codec.keyCols.map((c) => valueText(c, r[c.name] ?? null)));
}

const DDL_TYPES: [RegExp, string][] = [
  [/^CREATE\s+(UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX/i, 'CINDEX'],
  [/^DROP\s+INDEX/i, 'DINDEX'],
  [/^CREATE\s+(OR\s+REPLACE\s+)?(TEMPORARY\s+)?TABLE/i, 'CREATE'],
  [/^ALTER\s+(ONLINE\s+)?(IGNORE\s+)?TABLE/i, 'ALTER'],
  [/^DROP\s+(TEMPORARY\s+)?TABLE/i, 'ERASE'],
  [/^TRUNCATE/i, 'TRUNCATE'],
  [/^RENAME\s+TABLE/i, 'RENAME'],
];

export function ddlType(sql: string): string {
  const s = sql.replace(/^\s*(\/\*.*?\*\/\s*)*/s, '');
  for (const [re, t] of DDL_TYPES) if (re.test(s)) return t;
  return 'QUERY';
}

export function encodeCanalJson(ev: ChangeEvent, codec: TableCodec | undefined, now: number): EncodedMessage {
  if (ev.kind === 'ddl') {
    const msg: CanalJson = {
      data: null, database: ev.database, es: ev.timestamp, id: ev.id, isDdl: true, mysqlType: null, old: null,
      pkNames: null, sql: ev.sql, sqlType: null, table: ev.table ?? '', ts: now, type: ddlType(ev.sql),
    };
    return { key: null, value: Buffer.from(JSON.stringify(msg)) };
  }
  const c = codec!;
  const image = ev.op === 'delete' ? ev.before! : ev.after!;
  let old: Record<string, string | null>[] | null = null;
  if (ev.op === 'update' && ev.before && ev.after) {
    const changed: Record<string, string | null> = {};
    for (const col of c.cols) {
      if (!sameValue(ev.before[col.name], ev.after[col.name])) changed[col.name] = valueText(col, ev.before[col.name] ?? null);
    }
    old = [changed];
  }
  const msg: CanalJson = {
    data: [rowText(c.cols, image)], database: ev.database, es: ev.timestamp, id: ev.id, isDdl: false,
    mysqlType: c.mysqlType, old, pkNames: c.pkNames, sql: '', sqlType: c.sqlType, table: ev.table, ts: now,
    type: ev.op.toUpperCase(),
  };
  // The key follows the row's new identity; for a key change the old key's partition saw the old row.
  return { key: messageKey(c, image), value: Buffer.from(JSON.stringify(msg)) };
}
