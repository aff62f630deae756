// Column shapes of feed rows. Feeds describe columns thinly (Drainer: base type, length, scale;
// canal-json: a type text, sometimes without parameters), so a schema lookup may supply the exact
// column; otherwise the shape is rebuilt from what the message says.
import type { ColumnInfo } from '../../../model/source-data.js';
import { isBinaryType, isIntegerType } from '../mysql/type-map.js';
import { typeElements } from './labels.js';

/**
 * What the engine knows about tables from the source or destination schema. Both lookups are
 * optional; without them ENUM/SET numbers cannot be named and BIT widths come from the message.
 */
export interface FeedSchema {
  /** Labels of an ENUM or SET column in definition order, or undefined when unknown. */
  labelsOf?(database: string, table: string, column: string): readonly string[] | undefined;
  /** The column as the schema describes it; used when its data type matches the message's. */
  columnOf?(database: string, table: string, column: string): ColumnInfo | undefined;
}

const TEMPORAL_FSP = new Set(['datetime', 'timestamp', 'time']);

export interface TypeFacts {
  dataType: string;
  /** Display length, precision, BIT width or string length; undefined or < 0 when unspecified. */
  flen?: number;
  /** Scale, or fractional-seconds digits of temporal types; undefined or < 0 when unspecified. */
  decimal?: number;
  unsigned: boolean;
  elements?: string[];
  /** A type text to keep as the column type (canal-json's mysqlType with parameters). */
  columnType?: string;
}

const quoteLabel = (l: string) => `'${l.replace(/'/g, "''")}'`;

/** information_schema-style COLUMN_TYPE rebuilt from the facts a feed gives. */
function columnTypeText(f: TypeFacts): string {
  const dt = f.dataType;
  const has = (n: number | undefined): n is number => n !== undefined && n > 0;
  let t = dt;
  if (dt === 'decimal' || dt === 'numeric') {
    if (has(f.flen)) t = `${dt}(${f.flen},${Math.max(f.decimal ?? 0, 0)})`;
  } else if (TEMPORAL_FSP.has(dt)) {
    if (has(f.decimal)) t = `${dt}(${f.decimal})`;
  } else if (['char', 'varchar', 'binary', 'varbinary', 'bit'].includes(dt)) {
    if (has(f.flen)) t = `${dt}(${f.flen})`;
  } else if ((dt === 'enum' || dt === 'set') && f.elements) {
    t = `${dt}(${f.elements.map(quoteLabel).join(',')})`;
  }
  const numeric = isIntegerType(dt) || ['decimal', 'numeric', 'float', 'double', 'real'].includes(dt);
  return f.unsigned && numeric ? `${t} unsigned` : t;
}

/** The column for `name` in db.table: the schema's when it agrees on the data type, else rebuilt. */
export function feedColumn(name: string, f: TypeFacts, database: string, table: string, schema?: FeedSchema): ColumnInfo {
  const known = schema?.columnOf?.(database, table, name);
  if (known && known.dataType === f.dataType) return known;
  const col: ColumnInfo = {
    name,
    dataType: f.dataType,
    columnType: f.columnType ?? columnTypeText(f),
    unsigned: f.unsigned,
    nullable: true,
    binary: isBinaryType(f.dataType),
  };
  if (TEMPORAL_FSP.has(f.dataType)) col.fsp = Math.max(f.decimal ?? 0, 0);
  return col;
}

/** Labels of an ENUM/SET column: the schema lookup first, then the column's own type text. */
export function labelsFor(c: ColumnInfo, database: string, table: string, schema?: FeedSchema): readonly string[] | undefined {
  return schema?.labelsOf?.(database, table, c.name) ?? typeElements(c.columnType);
}

/**
 * Facts from a MySQL type text with or without parameters: `bigint(20) unsigned`, `decimal(10,2)`,
 * `datetime(6)`, `enum('a','b')`, `int unsigned`, `varchar`.
 */
export function parseTypeText(text: string): TypeFacts {
  const t = text.trim();
  const m = /^([a-z0-9_ ]*?[a-z0-9_]+)\s*(?:\((.*)\))?\s*([a-z ]*)$/is.exec(t);
  if (!m) return { dataType: t.toLowerCase().split(/[ (]/)[0] ?? '', unsigned: /\bunsigned\b/i.test(t) };
  let dataType = m[1]!.toLowerCase();
  let tail = (m[3] ?? '').toLowerCase();
  // "int unsigned" without parameters: the modifier was read as part of the name.
  const mods = /^(\S+)((?:\s+(?:unsigned|signed|zerofill))+)$/.exec(dataType);
  if (mods) {
    dataType = mods[1]!;
    tail = `${mods[2]} ${tail}`;
  }
  const f: TypeFacts = { dataType, unsigned: /\bunsigned\b/.test(tail) };
  const params = m[2];
  if (params !== undefined) {
    f.columnType = `${dataType}(${params})${m[3] ? ` ${m[3].trim().toLowerCase()}` : ''}`;
    if (dataType === 'enum' || dataType === 'set') {
      f.elements = typeElements(`${dataType}(${params})`);
    } else {
      const nums = params.split(',').map((s) => Number(s.trim()));
      if (TEMPORAL_FSP.has(dataType)) f.decimal = nums[0];
      else {
        f.flen = nums[0];
        if (nums.length > 1) f.decimal = nums[1];
      }
    }
  }
  return f;
}
