// Change events → Tablestore row operations. Every operation is idempotent (condition IGNORE,
// whole-row or every-column writes), so replaying changes after a crash converges to the same rows.
import type { ChangeEvent, Row, SqlValue } from '../../../model/source-data.js';
import { MigError } from '../../../util/errors.js';
import type { TableMapping } from './mapping.js';
import type { Refusal } from '../../dead-letter.js';
import { isSdkLong, type SdkCellValue, type SdkColumns, type SdkPrimaryKey } from './sdk.js';
import { toCell, toKeyCell } from './type-map.js';

interface OpBase {
  /** Destination table. */
  table: string;
  /** `database.table` of the source row, for messages and dirty-data records. */
  source: string;
  primaryKey: SdkPrimaryKey;
  /** The key as text (`id=5, code="x"`): names the row in messages and picks its lane. */
  keyText: string;
  /** Conservative encoded size in bytes, for cutting requests. */
  bytes: number;
  /** Set when a value could not be converted: the row is dirty data and is never sent. */
  invalid?: { code: string; message: string };
  /** The change or row the op writes, kept only while dead letters may need its images. */
  origin?: Refusal['change'];
}

/** PutRow: the row is replaced by exactly these attribute columns. */
export interface PutOp extends OpBase {
  type: 'put';
  columns: SdkColumns;
}

/** UpdateRow: these columns are set, these are deleted (all versions); others are kept. */
export interface UpdateOp extends OpBase {
  type: 'update';
  put: SdkColumns;
  deleteAll: string[];
}

export interface DeleteOp extends OpBase {
  type: 'delete';
}

export type RowOp = PutOp | UpdateOp | DeleteOp;

/**
 * A write already encoded as its PlainBuffer row (plain-buffer.ts encodeOp): the form a full-load
 * row waits in while its chunk is in flight, about a third of a RowOp's heap (no key and column
 * objects, no Longs), so the chunks in flight no longer set the process's peak memory.
 */
export interface EncodedOp {
  type: RowOp['type'];
  table: string;
  source: string;
  keyText: string;
  bytes: number;
  plain: Buffer;
  invalid?: undefined;
  origin?: Refusal['change'];
}

/** What the writer takes: ops to encode per request, or already encoded. */
export type WriteOp = RowOp | EncodedOp;

/**
 * The writes for one change:
 * - insert: PutRow (overwrite mode) or UpdateRow setting every mapped column, NULLs deleted (update mode);
 * - update: the same with the after image; when the key changed, a DeleteRow of the old key first;
 * - delete: DeleteRow.
 * DDL and events of other tables give nothing. Values that cannot be converted mark the op `invalid`.
 */
export function rowOps(mapping: TableMapping, ev: ChangeEvent): RowOp[] {
  if (ev.kind !== 'row') return [];
  switch (ev.op) {
    case 'insert':
      return ev.after ? [writeOp(mapping, ev.after)] : [];
    case 'delete':
      return ev.before ? [deleteOp(mapping, ev.before)] : [];
    case 'update': {
      if (!ev.after) return [];
      const write = writeOp(mapping, ev.after);
      if (!ev.before) return [write];
      const old = keyOf(mapping, ev.before);
      // Tablestore has no key update: the old row must go, or it would stay behind as a stale copy.
      return old.keyText === write.keyText ? [write] : [deleteOp(mapping, ev.before), write];
    }
  }
}

/** A full-load row: the same write as an insert. */
export function loadOp(mapping: TableMapping, row: Row): RowOp {
  return writeOp(mapping, row);
}

function writeOp(m: TableMapping, row: Row): PutOp | UpdateOp {
  const key = keyOf(m, row);
  const base = { table: m.table, source: `${m.source.database}.${m.source.table}`, primaryKey: key.primaryKey, keyText: key.keyText };
  const put: SdkColumns = [];
  const deleteAll: string[] = [];
  let invalid = key.invalid;
  let bytes = key.bytes;
  for (const a of m.attributes) {
    // A column the image does not carry (written before an ALTER added it) is left alone.
    if (!(a.source.name in row)) continue;
    const v = row[a.source.name] ?? null;
    let cell: SdkCellValue | null = null;
    try {
      cell = toCell(v, a.type, a.source);
    } catch (e) {
      invalid ??= asInvalid(e);
      continue;
    }
    if (cell === null) {
      deleteAll.push(a.name);
      bytes += cellBytes(a.name, null);
    } else {
      put.push({ [a.name]: cell });
      bytes += cellBytes(a.name, cell);
    }
  }
  // UpdateRow needs at least one column to set, and one that only deletes would not create the
  // row at all; PutRow writes such a row (all mapped attributes NULL, or a key-only table) exactly.
  if (m.writeMode === 'overwrite' || put.length === 0) {
    return { ...base, type: 'put', columns: put, bytes: bytes + ROW_OVERHEAD, ...(invalid ? { invalid } : {}) };
  }
  return { ...base, type: 'update', put, deleteAll, bytes: bytes + ROW_OVERHEAD, ...(invalid ? { invalid } : {}) };
}

function deleteOp(m: TableMapping, row: Row): DeleteOp {
  const key = keyOf(m, row);
  return {
    type: 'delete',
    table: m.table,
    source: `${m.source.database}.${m.source.table}`,
    primaryKey: key.primaryKey,
    keyText: key.keyText,
    bytes: key.bytes + ROW_OVERHEAD,
    ...(key.invalid ? { invalid: key.invalid } : {}),
  };
}

interface Key {
  primaryKey: SdkPrimaryKey;
  keyText: string;
  bytes: number;
  invalid?: { code: string; message: string };
}

function keyOf(m: TableMapping, row: Row): Key {
  const primaryKey: SdkPrimaryKey = [];
  const text: string[] = [];
  let bytes = 0;
  let invalid: Key['invalid'];
  for (const k of m.primaryKey) {
    const raw: SqlValue = k.source ? (row[k.source.name] ?? null) : m.merge!.value;
    text.push(`${k.name}=${valueText(raw)}`);
    if (!k.source) {
      primaryKey.push({ [k.name]: m.merge!.value });
      bytes += cellBytes(k.name, m.merge!.value);
      continue;
    }
    try {
      const cell = toKeyCell(raw, k.type, k.source);
      primaryKey.push({ [k.name]: cell });
      bytes += cellBytes(k.name, cell);
    } catch (e) {
      invalid ??= asInvalid(e);
    }
  }
  return { primaryKey, keyText: text.join(', '), bytes, ...(invalid ? { invalid } : {}) };
}

/** Source text of a key value: stable for the same key in the full load and the binlog. */
function valueText(v: SqlValue): string {
  if (v === null) return 'NULL';
  if (Buffer.isBuffer(v)) return `0x${v.toString('hex')}`;
  return /^-?\d+$/.test(v) ? v : JSON.stringify(v);
}

function asInvalid(e: unknown): { code: string; message: string } {
  if (e instanceof MigError) return { code: e.code, message: e.hint ? `${e.message} (${e.hint})` : e.message };
  throw e;
}

/**
 * Per PlainBuffer cell: tags, the 4-byte name length, value length and type, checksum; rounded
 * up. Per row: header, row tags, checksum and the protobuf framing of the row in the request.
 */
const CELL_OVERHEAD = 24;
const ROW_OVERHEAD = 32;

export function cellBytes(name: string, value: SdkCellValue | null): number {
  const n = Buffer.byteLength(name, 'utf8') + CELL_OVERHEAD;
  if (value === null) return n;
  if (typeof value === 'string') return n + Buffer.byteLength(value, 'utf8');
  if (Buffer.isBuffer(value)) return n + value.length;
  if (isSdkLong(value) || typeof value === 'number') return n + 8;
  return n + 1;
}
