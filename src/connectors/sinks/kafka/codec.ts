// Table facts shared by every message format, and the text form of values that keys (and Canal
// JSON) use. Computed once per table shape, so the per-row path only reads them.
import type { ColumnInfo, Row, SqlValue, TableInfo } from '../../../model/source-data.js';
import type { TableCodec } from './formats/format.js';

/**
 * java.sql.Types codes as canal/DTS report them (checked against Canal's LogEventConvert and TiCDC's
 * canal-json table: BLOB 2004, TEXT 2005, YEAR 12, ENUM 4, SET -7, BIT -7, DECIMAL 3, FLOAT 7, DOUBLE 8,
 * DATE 91, DATETIME/TIMESTAMP 93, TIME 92, CHAR 1, VARCHAR 12, JSON 12). Unsigned integers move up one
 * width for every value: DTS documents a fixed code per unsigned column type, where open-source Canal
 * raises it only for values outside the signed range.
 */
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
    // Canal's LogEventConvert gives BINARY/VARBINARY/LONGVARBINARY of non-text columns BLOB (2004),
    // and TiCDC's canal-json table says the same for BINARY/VARBINARY/*BLOB.
    case 'binary': case 'varbinary':
    case 'tinyblob': case 'blob': case 'mediumblob': case 'longblob': return 2004;
    case 'tinytext': case 'text': case 'mediumtext': case 'longtext': return 2005;
    // Spatial types and anything newer: canal's BINARY for GEOMETRY becomes BLOB by the same rule; text stays VARCHAR.
    default: return c.binary ? 2004 : 12;
  }
}

/** BIT as its unsigned integer value; other bytes as ISO-8859-1, canal's lossless byte-per-char form. */
export function valueText(c: ColumnInfo, v: SqlValue): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (c.dataType === 'bit') return bitText(v);
  return v.toString('latin1');
}

/** BIT bytes (big-endian) as their unsigned integer in decimal. */
export function bitText(v: Buffer): string {
  let n = 0n;
  for (const b of v) n = (n << 8n) | BigInt(b);
  return n.toString();
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
    uniqueKeys: t.uniqueKeys ?? (t.primaryKey.length > 0 ? { PRIMARY: t.primaryKey } : {}),
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

