// One canonical value per column type, whichever way the row was read (SELECT or binlog).
// Full load and incremental must emit byte-identical values for the same row; this file is where that holds.
import type { ColumnInfo, SqlValue } from '../../../model/source-data.js';
import { DEFAULT_VALUE_OPTIONS, roundingDigits, type ValueOptions } from '../../../model/float-rounding.js';

const BINARY_TYPES = new Set([
  'binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob', 'bit',
]);
const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint']);
const GEOMETRY_TYPES = new Set([
  'geometry', 'point', 'linestring', 'polygon', 'multipoint', 'multilinestring', 'multipolygon',
  'geometrycollection',
]);

export function isBinaryType(dataType: string): boolean {
  return BINARY_TYPES.has(dataType);
}
export function isIntegerType(dataType: string): boolean {
  return INTEGER_TYPES.has(dataType);
}
export function isGeometryType(dataType: string): boolean {
  return GEOMETRY_TYPES.has(dataType);
}

/**
 * DTS's FLOAT/DOUBLE rule: values are read with ROUND(col, n). With the defaults (38 and 308 decimal
 * places) no stored digit is lost, so mig then prints the shortest text that reads back as the stored
 * value; a smaller n rounds like the server's ROUND, in both the full load and the binlog.
 */
export { DEFAULT_VALUE_OPTIONS, type ValueOptions } from '../../../model/float-rounding.js';

const rounds = (c: ColumnInfo, o: ValueOptions): number | undefined => roundingDigits(c.dataType, o);

/** The server's ROUND(x, d) on a DOUBLE: scale, round half to even (rint), scale back. */
export function roundDouble(v: number, d: number): number {
  const t = 10 ** d;
  const m = v * t;
  if (!Number.isFinite(m)) return v;
  const r = Math.abs(m % 1) === 0.5 ? 2 * Math.round(m / 2) : Math.round(m);
  return r / t;
}

/**
 * The SELECT expression for a column in the full load. FLOAT is widened to DOUBLE because the
 * server's text form of a FLOAT keeps only 6 digits, while the binlog carries all 32 bits; reading
 * the widened value lets both paths print the same shortest round-trip text. GEOMETRY is read as
 * WKT because the binlog decoder hands us parsed shapes, not the stored bytes.
 */
export function selectExpr(c: ColumnInfo, o: ValueOptions = DEFAULT_VALUE_OPTIONS): string {
  const q = quoteIdent(c.name);
  const d = rounds(c, o);
  if (d !== undefined) return `ROUND(${q}, ${d}) AS ${q}`;
  if (c.dataType === 'float') return `CAST(${q} AS DOUBLE) AS ${q}`;
  if (isGeometryType(c.dataType)) return `ST_AsText(${q}) AS ${q}`;
  return q;
}

export function quoteIdent(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/** Shortest decimal text that reads back as the same float32 (what MySQL would print with enough digits). */
export function float32Text(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const f = Math.fround(v);
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  for (let p = 1; p <= 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return String(Number(s));
  }
  return String(f);
}

/** Canonical value from a full-load row (mysql2 text protocol; see snapshotTypeCast). */
export function fromSnapshot(c: ColumnInfo, raw: string | Buffer | null, o: ValueOptions = DEFAULT_VALUE_OPTIONS): SqlValue {
  if (raw === null) return null;
  if (rounds(c, o) !== undefined) return String(Number(raw));
  switch (c.dataType) {
    case 'float':
      return float32Text(Number(raw));
    case 'double':
    case 'real':
      return String(Number(raw));
    default:
      return raw;
  }
}

type ZongjiValue = string | number | bigint | boolean | Buffer | null | undefined | object;

/** Canonical value from a binlog row image decoded by zongji (dateStrings, exact big numbers). */
export function fromBinlog(c: ColumnInfo, v: ZongjiValue, o: ValueOptions = DEFAULT_VALUE_OPTIONS): SqlValue {
  if (v === null || v === undefined) return null;
  const d = rounds(c, o);
  if (d !== undefined) return String(roundDouble(Number(v), d));
  if (Buffer.isBuffer(v)) {
    if (c.binary) return v;
    // Under binlog_row_metadata=FULL the decoder sees MariaDB's UUID/INET types as plain BINARY(n).
    if (c.dataType === 'uuid' && v.length === 16) return uuidText(v);
    if (c.dataType === 'inet6' && v.length === 16) return inet6Text(v);
    if (c.dataType === 'inet4' && v.length === 4) return `${v[0]}.${v[1]}.${v[2]}.${v[3]}`;
    return v.toString('utf8');
  }
  switch (c.dataType) {
    case 'float':
      return float32Text(Number(v));
    case 'double':
    case 'real':
      return String(Number(v));
    case 'year':
      return String(v).padStart(4, '0');
    default:
      if (isGeometryType(c.dataType) && typeof v === 'object') return geometryText(v, c.dataType);
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'bigint') return String(v);
      if (typeof v === 'object') return JSON.stringify(v);
      return String(v);
  }
}

interface Pt { x: number; y: number }
type Shape = Pt | Shape[];
const isPt = (s: unknown): s is Pt =>
  typeof s === 'object' && s !== null && !Array.isArray(s) && 'x' in s && 'y' in s;

const coord = (p: Pt) => `${p.x} ${p.y}`;
const ring = (pts: Shape[]) => `(${pts.map((p) => coord(p as Pt)).join(',')})`;

/**
 * WKT from the shape zongji parsed out of the WKB. The column's declared type disambiguates
 * arrays; a generic GEOMETRY column holding a multi-shape is read as the nearest simple shape.
 */
function geometryText(v: object, dataType: string): string {
  const s = v as Shape;
  if (isPt(s)) return `POINT(${coord(s)})`;
  const arr = s as Shape[];
  switch (dataType) {
    case 'multipoint':
      return `MULTIPOINT(${arr.map((p) => coord(p as Pt)).join(',')})`;
    case 'multilinestring':
      return `MULTILINESTRING(${arr.map((l) => ring(l as Shape[])).join(',')})`;
    case 'multipolygon':
      return `MULTIPOLYGON(${arr.map((pg) => `(${(pg as Shape[]).map((r) => ring(r as Shape[])).join(',')})`).join(',')})`;
    default:
      if (arr.length > 0 && isPt(arr[0])) return `LINESTRING(${arr.map((p) => coord(p as Pt)).join(',')})`;
      return `POLYGON(${arr.map((r) => ring(r as Shape[])).join(',')})`;
  }
}

function uuidText(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** RFC 5952 text, with IPv4-mapped and IPv4-compatible addresses dotted, as the server prints them. */
function inet6Text(b: Buffer): string {
  if (b.subarray(0, 10).every((x) => x === 0)) {
    const v4 = `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
    if (b[10] === 0xff && b[11] === 0xff) return `::ffff:${v4}`;
    if (b[10] === 0 && b[11] === 0 && b.readUInt32BE(12) > 1) return `::${v4}`;
  }
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push(b.readUInt16BE(i));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (x: number) => x.toString(16);
  if (bestStart < 0) return g.map(hex).join(':');
  return `${g.slice(0, bestStart).map(hex).join(':')}::${g.slice(bestStart + bestLen).map(hex).join(':')}`;
}
