// MySQL column → Tablestore type: the documented defaults (DEFAULT_TYPE_MAP, shown by the README
// and the plan) and the value conversion from mig's canonical SqlValue to what the SDK encodes.
import type { TablestoreType } from '../../../spec/schema.js';
import type { ColumnInfo, SqlValue } from '../../../model/source-data.js';
import { MigError } from '../../../util/errors.js';
import { tablestoreSdk, type SdkCellValue, type SdkKeyValue } from './sdk.js';

/** Tablestore primary-key columns can only be STRING, INTEGER or BINARY. */
export type KeyType = 'STRING' | 'INTEGER' | 'BINARY';

export interface TypeRule {
  /** MySQL types the rule covers, as a reader would write them. */
  mysql: string;
  /** Attribute type by default. */
  attribute: TablestoreType;
  /** Key type by default; null: the type has no natural key form, the spec must choose one. */
  key: KeyType | null;
  /** Why, and what to do about the edge cases. */
  note: string;
  matches(c: ColumnInfo): boolean;
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

const isInt = (c: ColumnInfo) => ['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint'].includes(c.dataType);
const isBool = (c: ColumnInfo) => c.dataType === 'tinyint' && /^tinyint\(1\)/i.test(c.columnType);
const bitWidth = (c: ColumnInfo) => Number(/^bit\((\d+)\)/i.exec(c.columnType)?.[1] ?? '1');
const TEMPORAL = ['date', 'datetime', 'timestamp', 'time', 'year'];
const TEXT = ['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext'];
const GEOMETRY = ['geometry', 'point', 'linestring', 'polygon', 'multipoint', 'multilinestring', 'multipolygon', 'geometrycollection', 'geomcollection'];

/**
 * The default mapping, first match wins. The same rules drive defaultAttributeType/defaultKeyType,
 * so what the README shows is what mig does.
 */
export const DEFAULT_TYPE_MAP: readonly TypeRule[] = [
  {
    mysql: 'TINYINT(1) / BOOL',
    attribute: 'INTEGER',
    key: 'INTEGER',
    note: '0/1 as an integer, as DTS writes it; columnTypes BOOLEAN stores true/false (any non-zero is true).',
    matches: isBool,
  },
  {
    mysql: 'BIGINT UNSIGNED',
    attribute: 'INTEGER',
    key: 'INTEGER',
    note: 'Tablestore INTEGER is signed 64-bit: a value above 9223372036854775807 is dirty data (skip/block). Map the column to STRING to keep such values.',
    matches: (c) => c.dataType === 'bigint' && c.unsigned,
  },
  {
    mysql: 'TINYINT, SMALLINT, MEDIUMINT, INT, BIGINT (signed; unsigned below BIGINT)',
    attribute: 'INTEGER',
    key: 'INTEGER',
    note: 'Exact: every value fits a signed 64-bit integer.',
    matches: isInt,
  },
  {
    mysql: 'BIT(1..63)',
    attribute: 'INTEGER',
    key: 'INTEGER',
    note: 'The unsigned value of the bits.',
    matches: (c) => c.dataType === 'bit' && bitWidth(c) < 64,
  },
  {
    mysql: 'BIT(64)',
    attribute: 'BINARY',
    key: 'BINARY',
    note: 'The 8 bytes, big-endian: a 64-bit unsigned value may not fit a signed INTEGER.',
    matches: (c) => c.dataType === 'bit',
  },
  {
    mysql: 'DECIMAL, NUMERIC',
    attribute: 'STRING',
    key: null,
    note: 'The exact text (a DOUBLE would round). columnTypes DOUBLE or INTEGER (whole values only) when that is wanted; as a key, choose STRING or INTEGER.',
    matches: (c) => c.dataType === 'decimal' || c.dataType === 'numeric',
  },
  {
    mysql: 'FLOAT, DOUBLE, REAL',
    attribute: 'DOUBLE',
    key: null,
    note: 'As read from the source (see source.floatPrecision). Tablestore keys cannot be DOUBLE.',
    matches: (c) => ['float', 'double', 'real'].includes(c.dataType),
  },
  {
    mysql: 'DATE, DATETIME, TIMESTAMP, TIME, YEAR',
    attribute: 'STRING',
    key: null,
    note: "MySQL's text ('2024-05-01 12:00:00.250'; TIMESTAMP in UTC). columnTypes INTEGER stores DATE/DATETIME/TIMESTAMP as milliseconds since the epoch (UTC) and YEAR as the year. As a key, choose STRING (sorts in time order) or INTEGER.",
    matches: (c) => TEMPORAL.includes(c.dataType),
  },
  {
    mysql: 'CHAR, VARCHAR, TEXT types',
    attribute: 'STRING',
    key: 'STRING',
    note: 'UTF-8 text.',
    matches: (c) => TEXT.includes(c.dataType),
  },
  {
    mysql: 'ENUM, SET',
    attribute: 'STRING',
    key: 'STRING',
    note: "The member text ('a,b' for a SET).",
    matches: (c) => c.dataType === 'enum' || c.dataType === 'set',
  },
  {
    mysql: 'JSON',
    attribute: 'STRING',
    key: null,
    note: 'The JSON text.',
    matches: (c) => c.dataType === 'json',
  },
  {
    mysql: 'BINARY, VARBINARY',
    attribute: 'BINARY',
    key: 'BINARY',
    note: 'The bytes. columnTypes STRING works for bytes that are valid UTF-8.',
    matches: (c) => c.dataType === 'binary' || c.dataType === 'varbinary',
  },
  {
    mysql: 'TINYBLOB, BLOB, MEDIUMBLOB, LONGBLOB',
    attribute: 'BINARY',
    key: null,
    note: 'The bytes (a Tablestore row holds at most 2 MB; larger rows are dirty data).',
    matches: (c) => c.dataType.endsWith('blob'),
  },
  {
    mysql: 'GEOMETRY types',
    attribute: 'STRING',
    key: null,
    note: 'WKT text, the form mig reads geometry in (full load and binlog alike).',
    matches: (c) => GEOMETRY.includes(c.dataType),
  },
  {
    mysql: 'UUID, INET4, INET6 (MariaDB)',
    attribute: 'STRING',
    key: 'STRING',
    note: 'The canonical text form.',
    matches: (c) => ['uuid', 'inet4', 'inet6'].includes(c.dataType),
  },
  {
    mysql: 'any other binary type (e.g. VECTOR)',
    attribute: 'BINARY',
    key: null,
    note: 'The bytes.',
    matches: (c) => c.binary,
  },
  {
    mysql: 'any other type',
    attribute: 'STRING',
    key: null,
    note: 'The text mig reads.',
    matches: () => true,
  },
];

export function typeRuleOf(c: ColumnInfo): TypeRule {
  // The last rule matches everything, so find never fails.
  return DEFAULT_TYPE_MAP.find((r) => r.matches(c))!;
}

export function defaultAttributeType(c: ColumnInfo): TablestoreType {
  return typeRuleOf(c).attribute;
}

/** Throws with the fix when the type has no default key form (DECIMAL, temporal, FLOAT …). */
export function defaultKeyType(c: ColumnInfo, table: string): KeyType {
  const rule = typeRuleOf(c);
  if (rule.key) return rule.key;
  throw new MigError(
    'tablestore-key-type',
    `key column ${c.name} of ${table} is ${c.columnType}, which has no default Tablestore key type (keys are STRING, INTEGER or BINARY)`,
    `give it a type in the table's primaryKey, e.g. primaryKey: [{ column: ${c.name}, type: STRING }]`,
  );
}

/** A value that cannot be stored as the column's Tablestore type: dirty data for that row. */
export class ConversionError extends MigError {
  constructor(column: ColumnInfo, value: SqlValue, type: TablestoreType, why: string, hint: string) {
    super('tablestore-conversion', `column ${column.name} (${column.columnType}) value ${show(value)} cannot be stored as ${type}: ${why}`, hint);
  }
}

function show(v: SqlValue): string {
  if (v === null) return 'NULL';
  if (Buffer.isBuffer(v)) return `0x${v.subarray(0, 32).toString('hex')}${v.length > 32 ? '…' : ''}`;
  return JSON.stringify(v.length > 64 ? `${v.slice(0, 64)}…` : v);
}

const INTEGER_TEXT = /^[+-]?\d+$/;
/** Whole-valued decimal text such as "12.000": exact as an integer. */
const WHOLE_DECIMAL = /^([+-]?\d+)\.0*$/;
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function bitValue(b: Buffer): bigint {
  let v = 0n;
  for (const byte of b) v = (v << 8n) | BigInt(byte);
  return v;
}

function int64(column: ColumnInfo, value: SqlValue, v: bigint): SdkKeyValue {
  if (v > INT64_MAX || v < INT64_MIN) {
    throw new ConversionError(column, value, 'INTEGER', 'it is outside the signed 64-bit range', `map ${column.name} to STRING (columnTypes, or the primaryKey type)`);
  }
  return tablestoreSdk().Long.fromString(v.toString());
}

function toInteger(column: ColumnInfo, value: string | Buffer): SdkKeyValue {
  if (Buffer.isBuffer(value)) {
    if (column.dataType === 'bit') return int64(column, value, bitValue(value));
    throw new ConversionError(column, value, 'INTEGER', 'binary data has no integer form', `map ${column.name} to BINARY`);
  }
  const t = value.trim();
  if (INTEGER_TEXT.test(t)) return int64(column, value, BigInt(t));
  const whole = WHOLE_DECIMAL.exec(t);
  if (whole) return int64(column, value, BigInt(whole[1]!));
  if (['date', 'datetime', 'timestamp'].includes(column.dataType)) return tablestoreSdk().Long.fromNumber(epochMs(column, value));
  if (NUMBER_TEXT.test(t) && Number.isSafeInteger(Number(t))) return tablestoreSdk().Long.fromNumber(Number(t));
  throw new ConversionError(column, value, 'INTEGER', 'it is not a whole number', `map ${column.name} to ${defaultAttributeType(column) === 'INTEGER' ? 'STRING' : defaultAttributeType(column)}`);
}

/** DATE/DATETIME/TIMESTAMP text read as UTC (mig reads the source with time_zone '+00:00'); microseconds are cut to milliseconds. */
function epochMs(column: ColumnInfo, value: string): number {
  const m = DATE_TIME.exec(value);
  if (!m || m[1] === '0000' || m[2] === '00' || m[3] === '00') {
    throw new ConversionError(column, value, 'INTEGER', 'it is not a calendar date MySQL can convert to a point in time', `map ${column.name} to STRING`);
  }
  const ms = (m[7] ?? '').padEnd(3, '0').slice(0, 3);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), Number(ms));
}

function toDouble(column: ColumnInfo, value: string | Buffer): number {
  if (Buffer.isBuffer(value)) {
    if (column.dataType === 'bit') return Number(bitValue(value));
    throw new ConversionError(column, value, 'DOUBLE', 'binary data has no numeric form', `map ${column.name} to BINARY`);
  }
  const t = value.trim();
  // Number('') is 0 and Number('0x10') is 16: only decimal number text is taken.
  if (NUMBER_TEXT.test(t) || t === 'NaN' || /^[+-]?Infinity$/.test(t)) return Number(t);
  throw new ConversionError(column, value, 'DOUBLE', 'it is not a number', `map ${column.name} to STRING`);
}

function toBoolean(column: ColumnInfo, value: string | Buffer): boolean {
  if (Buffer.isBuffer(value)) {
    if (column.dataType === 'bit') return value.some((b) => b !== 0);
    throw new ConversionError(column, value, 'BOOLEAN', 'binary data has no true/false form', `map ${column.name} to BINARY`);
  }
  const t = value.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  // MySQL's truth: any non-zero number is true.
  if (NUMBER_TEXT.test(t)) return Number(t) !== 0;
  throw new ConversionError(column, value, 'BOOLEAN', "it is neither a number nor 'true'/'false'", `map ${column.name} to STRING`);
}

function toText(column: ColumnInfo, value: string | Buffer): string {
  if (!Buffer.isBuffer(value)) return value;
  if (column.dataType === 'bit') return bitValue(value).toString();
  try {
    return utf8.decode(value);
  } catch {
    throw new ConversionError(column, value, 'STRING', 'the bytes are not valid UTF-8', `map ${column.name} to BINARY`);
  }
}

/**
 * One cell as the SDK encodes it; null for SQL NULL (the caller leaves the column out or deletes it).
 * Throws ConversionError when the value has no form in `type`.
 */
export function toCell(value: SqlValue, type: TablestoreType, column: ColumnInfo): SdkCellValue | null {
  if (value === null) return null;
  switch (type) {
    case 'STRING':
      return toText(column, value);
    case 'INTEGER':
      return toInteger(column, value);
    case 'DOUBLE':
      return toDouble(column, value);
    case 'BOOLEAN':
      return toBoolean(column, value);
    case 'BINARY':
      return Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
  }
}

/** A primary-key cell: like toCell, but NULL is an error (every key column needs a value). */
export function toKeyCell(value: SqlValue, type: KeyType, column: ColumnInfo): SdkKeyValue {
  if (value === null) {
    throw new ConversionError(column, value, type, 'a primary-key column needs a value', `choose NOT NULL key columns in the table's primaryKey`);
  }
  switch (type) {
    case 'STRING':
      return toText(column, value);
    case 'INTEGER':
      return toInteger(column, value);
    case 'BINARY':
      return Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
  }
}
