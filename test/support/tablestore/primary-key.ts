// Primary-key schema checks, ordering and map keys. Order is the service's: INTEGER as signed
// int64, STRING and BINARY bytewise (STRING by its UTF-8 bytes); INF_MIN/INF_MAX sort before
// and after every value of a column.
import { Errors } from './errors.js';
import type { PkBound, PkColumn, PkValue } from './plain-buffer-types.js';

export type PkType = 'INTEGER' | 'STRING' | 'BINARY';
export interface PkSchemaColumn {
  name: string;
  type: PkType;
  autoIncrement: boolean;
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const MAX_PK_VALUE_BYTES = 1024;

export function isValidName(name: string): boolean {
  return name.length >= 1 && name.length <= 255 && NAME_RE.test(name);
}

const VT: Record<PkBound['type'], string> = {
  INTEGER: 'VT_INTEGER',
  STRING: 'VT_STRING',
  BINARY: 'VT_BLOB',
  INF_MIN: 'VT_INF_MIN',
  INF_MAX: 'VT_INF_MAX',
  AUTO_INCREMENT: 'VT_AUTO_INCREMENT',
};

function checkNamesAndCount(schema: PkSchemaColumn[], pk: PkColumn[]): void {
  if (pk.length !== schema.length) throw Errors.invalid(`Validate PK size fail. Input: ${pk.length}, Meta: ${schema.length}.`);
  schema.forEach((col, i) => {
    if (pk[i].name !== col.name) throw Errors.invalid(`Validate PK name fail. Input: ${pk[i].name}, Meta: ${col.name}.`);
  });
}

function typeMismatch(value: PkBound, col: PkSchemaColumn): Error {
  return Errors.invalid(`Validate PK type fail. Input: ${VT[value.type]}, Meta: ${VT[col.type]}.`);
}

function checkLength(col: PkSchemaColumn, v: PkValue): void {
  const len = v.type === 'STRING' ? Buffer.byteLength(v.value, 'utf8') : v.type === 'BINARY' ? v.value.length : 0;
  if (len > MAX_PK_VALUE_BYTES)
    throw Errors.invalid(`The length of primary key column: '${col.name}' exceeds the MaxLength:${MAX_PK_VALUE_BYTES} with CurrentLength:${len}.`);
}

/**
 * A key that names one row. AUTO_INCREMENT placeholders pass only where `allowAutoIncrement`
 * (PutRow, an auto-increment column); the caller fills them in.
 */
export function checkRowKey(schema: PkSchemaColumn[], pk: PkColumn[], allowAutoIncrement: boolean): PkBound[] {
  checkNamesAndCount(schema, pk);
  return schema.map((col, i) => {
    const v = pk[i].value;
    if (v.type === 'AUTO_INCREMENT') {
      if (!allowAutoIncrement || !col.autoIncrement) throw typeMismatch(v, col);
      return v;
    }
    if (v.type !== col.type) throw typeMismatch(v, col);
    checkLength(col, v);
    return v;
  });
}

/** A range bound: each column a value of its type, INF_MIN or INF_MAX. */
export function checkRangeKey(schema: PkSchemaColumn[], pk: PkColumn[]): PkBound[] {
  checkNamesAndCount(schema, pk);
  return schema.map((col, i) => {
    const v = pk[i].value;
    if (v.type === 'INF_MIN' || v.type === 'INF_MAX') return v;
    if (v.type !== col.type) throw typeMismatch(v, col);
    return v;
  });
}

function rank(v: PkBound): number {
  return v.type === 'INF_MIN' ? -1 : v.type === 'INF_MAX' ? 1 : 0;
}

export function compareValue(a: PkBound, b: PkBound): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== 0 || rb !== 0) return ra - rb;
  if (a.type === 'INTEGER' && b.type === 'INTEGER') return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  if (a.type === 'STRING' && b.type === 'STRING') return Buffer.compare(Buffer.from(a.value, 'utf8'), Buffer.from(b.value, 'utf8'));
  if (a.type === 'BINARY' && b.type === 'BINARY') return Buffer.compare(a.value, b.value);
  throw new Error(`cannot compare ${a.type} with ${b.type}`); // schema checks make this unreachable
}

export function compareKeys(a: readonly PkBound[], b: readonly PkBound[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareValue(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** A string naming the row in the table's Map; equal keys give equal strings. */
export function keyString(pk: readonly PkValue[]): string {
  return pk
    .map((v) => (v.type === 'INTEGER' ? `i${v.value}` : v.type === 'STRING' ? `s${Buffer.from(v.value, 'utf8').toString('hex')}` : `b${v.value.toString('hex')}`))
    .join('|');
}

export function isConcrete(v: PkBound): v is PkValue {
  return v.type === 'INTEGER' || v.type === 'STRING' || v.type === 'BINARY';
}
