// Column values as DTS Avro image items: which branch of the 13-way union each column type takes,
// what goes in its fields, and the MySQL binlog type code (`dataTypeNumber`) announced for it.
// A plan per column is computed once per table shape; the per-row path only switches on its kind.
import type { ColumnInfo, SqlValue } from '../../../../model/source-data.js';
import { bitText } from '../codec.js';
import { charsetPlan, textBytes, type TextEncoding } from './dts-avro-charset.js';
import { dateTimeValue, dateValue, timestampValue, timeValue, yearValue } from './dts-avro-time.js';

const NS = 'com.alibaba.dts.formats.avro.';
const INTEGER = `${NS}Integer`;
const CHARACTER = `${NS}Character`;
const DECIMAL = `${NS}Decimal`;
const FLOAT = `${NS}Float`;
const TIMESTAMP = `${NS}Timestamp`;
const DATETIME = `${NS}DateTime`;
const BINARY_GEOMETRY = `${NS}BinaryGeometry`;
const TEXT_GEOMETRY = `${NS}TextGeometry`;
const BINARY_OBJECT = `${NS}BinaryObject`;
const TEXT_OBJECT = `${NS}TextObject`;

/** One image item: null (SQL NULL, branch 0) or a single-key object naming the union branch. */
export type ImageValue = Readonly<Record<string, object>> | null;

type Kind =
  | 'integer' | 'decimal' | 'float' | 'timestamp' | 'date' | 'datetime' | 'time' | 'year'
  | 'character' | 'binary' | 'text' | 'geometry' | 'bit';

export interface ColumnPlan {
  kind: Kind;
  /** MySQL binlog type code (enum_field_types). */
  dataTypeNumber: number;
  /** Integer: byte width. Decimal/Float: digits. */
  precision: number;
  scale: number;
  /** Character: charset name. Binary/Text objects and geometry: the object type. */
  label: string;
  encoding: TextEncoding;
}

const INT_WIDTH: Record<string, [width: number, code: number]> = {
  tinyint: [1, 1], smallint: [2, 2], mediumint: [3, 9], int: [4, 3], integer: [4, 3], bigint: [8, 8],
};
const TEXT_CODE: Record<string, number> = {
  char: 254, varchar: 15, tinytext: 249, text: 252, mediumtext: 250, longtext: 251,
};
// BinaryObject.type must be a constant of the DTS subscription SDK's ObjectType (BINARY, BOOL, BLOB,
// XML, JSON, TEXT, BFILE, RAW, LONG_RAW, ROWID, UROWID, ENUM, SET, BYTEA, GEOMETRY, XTYPE, UUID): the SDK
// reads it with ObjectType.valueOf and throws on anything else. Only BINARY and BLOB are used here.
const BINARY_CODE: Record<string, [type: string, code: number]> = {
  binary: ['BINARY', 254], varbinary: ['BINARY', 15],
  tinyblob: ['BLOB', 249], blob: ['BLOB', 252], mediumblob: ['BLOB', 250], longblob: ['BLOB', 251],
};
const TEXT_OBJECT_CODE: Record<string, [type: string, code: number]> = {
  json: ['JSON', 245], enum: ['ENUM', 247], set: ['SET', 248],
};
const GEOMETRY = new Set([
  'geometry', 'point', 'linestring', 'polygon', 'multipoint', 'multilinestring', 'multipolygon', 'geometrycollection',
]);

/** (M,D) of a declared type such as `decimal(65,30)` or `float(7,3) unsigned`; undefined when absent. */
function declaredDigits(columnType: string): [number, number] | undefined {
  const m = /\((\d+)(?:\s*,\s*(\d+))?\)/.exec(columnType);
  return m ? [Number(m[1]), Number(m[2] ?? 0)] : undefined;
}

function plan(kind: Kind, dataTypeNumber: number, extra: Partial<ColumnPlan> = {}): ColumnPlan {
  return { kind, dataTypeNumber, precision: 0, scale: 0, label: '', encoding: 'utf8', ...extra };
}

export function planColumn(c: ColumnInfo): ColumnPlan {
  const t = c.dataType;
  const int = INT_WIDTH[t];
  if (int) return plan('integer', int[1], { precision: int[0] });
  switch (t) {
    case 'decimal': case 'numeric': case 'dec': case 'fixed': {
      const [p, s] = declaredDigits(c.columnType) ?? [10, 0];
      return plan('decimal', 246, { precision: p, scale: s });
    }
    // Precision: the decimal digits the binary type holds (declared M when given). Scale: the digits
    // DTS keeps after the point when it reads with ROUND(col, n): the declared D, else its defaults
    // of 38 (FLOAT) and 308 (DOUBLE), i.e. nothing is cut. The value itself is never rounded.
    case 'float': {
      const [p, s] = declaredDigits(c.columnType) ?? [7, 38];
      return plan('float', 4, { precision: p, scale: s });
    }
    case 'double': case 'real': case 'double precision': {
      const [p, s] = declaredDigits(c.columnType) ?? [15, 308];
      return plan('float', 5, { precision: p, scale: s });
    }
    case 'timestamp': return plan('timestamp', 7);
    case 'date': return plan('date', 10);
    case 'time': return plan('time', 11);
    case 'datetime': return plan('datetime', 12);
    case 'year': return plan('year', 13);
    // BIT(M): the Integer branch with the value as an unsigned decimal, MySQL type 16. Decided by the
    // public demo's MysqlFieldConverter (subscribe_example), which reads type 16 through its number
    // adapter as an Integer; the SDK agrees by having no BIT in ObjectType (a BinaryObject "BIT"
    // makes it throw). Precision is the bytes the column occupies, ceil(M/8), like the integers' width.
    case 'bit': {
      const m = declaredDigits(c.columnType)?.[0] ?? 1;
      return plan('bit', 16, { precision: Math.ceil(m / 8) });
    }
    // MariaDB's UUID/INET types travel as fixed strings in the binlog (code 254), and DTS's readers
    // expect a Character for 254; their text is always ASCII.
    case 'uuid': case 'inet4': case 'inet6': return plan('character', 254, { label: 'ascii', encoding: 'latin1' });
  }
  const text = TEXT_CODE[t];
  if (text !== undefined) {
    const cs = charsetPlan(c.charset);
    return plan('character', text, { label: cs.label, encoding: cs.encoding });
  }
  const bin = BINARY_CODE[t];
  if (bin) return plan('binary', bin[1], { label: bin[0] });
  const obj = TEXT_OBJECT_CODE[t];
  if (obj) return plan('text', obj[1], { label: obj[0] });
  if (GEOMETRY.has(t)) return plan('geometry', 255, { label: 'WKT' });
  // Types newer than this table: keep the bytes or the text, announced as a fixed string.
  if (c.binary) return plan('binary', 254, { label: 'BINARY' });
  const cs = charsetPlan(c.charset);
  return plan('character', 254, { label: cs.label, encoding: cs.encoding });
}

const asText = (v: string | Buffer): string => (typeof v === 'string' ? v : v.toString('utf8'));
const asBytes = (v: string | Buffer): Buffer => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v);

export function imageValue(p: ColumnPlan, v: SqlValue): ImageValue {
  if (v === null) return null;
  switch (p.kind) {
    case 'integer': return { [INTEGER]: { precision: p.precision, value: asText(v) } };
    case 'decimal': return { [DECIMAL]: { value: asText(v), precision: p.precision, scale: p.scale } };
    case 'float': return { [FLOAT]: { value: Number(asText(v)), precision: p.precision, scale: p.scale } };
    case 'timestamp': return { [TIMESTAMP]: timestampValue(asText(v)) };
    case 'date': return { [DATETIME]: dateValue(asText(v)) };
    case 'datetime': return { [DATETIME]: dateTimeValue(asText(v)) };
    case 'time': return { [DATETIME]: timeValue(asText(v)) };
    case 'year': return { [DATETIME]: yearValue(asText(v)) };
    case 'character': {
      const value = typeof v === 'string' ? textBytes(p.encoding, v) : v;
      return { [CHARACTER]: { charset: p.label, value } };
    }
    case 'bit': return { [INTEGER]: { precision: p.precision, value: typeof v === 'string' ? v : bitText(v) } };
    case 'binary': return { [BINARY_OBJECT]: { type: p.label, value: asBytes(v) } };
    case 'text': return { [TEXT_OBJECT]: { type: p.label, value: asText(v) } };
    case 'geometry':
      // Canonical geometry is WKT; stored bytes, should a reader hand them on, are WKB.
      if (Buffer.isBuffer(v)) return { [BINARY_GEOMETRY]: { type: 'WKB', value: v } };
      return { [TEXT_GEOMETRY]: { type: p.label, value: v } };
  }
}
