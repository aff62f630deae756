// The write path shared by PutRow, UpdateRow, DeleteRow, BatchWriteRow and BulkImport.
// `prepareWrite` does the checks the service applies to the request as a whole (schema, names,
// shape); `executeWrite` does the per-row part (condition, timestamps, apply), whose errors a
// batch reports on the row alone.
import { Errors, OtsError } from './errors.js';
import { checkColumnName } from './instance.js';
import type { Cell, PkBound, PkValue, PlainRow } from './plain-buffer-types.js';
import { encodeRow } from './plain-buffer-writer.js';
import { checkRowKey } from './primary-key.js';
import type { ConditionMsg, ReturnContentMsg } from './protocol.js';
import type { MemTable } from './table.js';

export type WriteKind = 'PUT' | 'UPDATE' | 'DELETE';
export const MAX_COLUMNS_PER_ROW = 1024;
export const MAX_ATTRIBUTE_BYTES = 2 * 1024 * 1024;

export interface PreparedWrite {
  kind: WriteKind;
  pk: PkBound[];
  cells: Cell[];
}

function checkCell(table: MemTable, kind: WriteKind, c: Cell): void {
  checkColumnName(c.name);
  if (table.schema.some((p) => p.name === c.name))
    throw Errors.invalid(`The attribute column '${c.name}' has the same name as a primary key column.`);
  const v = c.value;
  if (v && (v.type === 'STRING' || v.type === 'BINARY')) {
    const len = v.type === 'STRING' ? Buffer.byteLength(v.value, 'utf8') : v.value.length;
    if (len > MAX_ATTRIBUTE_BYTES)
      throw Errors.invalid(`The length of attribute column: '${c.name}' exceeds the MaxLength:${MAX_ATTRIBUTE_BYTES} with CurrentLength:${len}.`);
  }
  if (kind === 'PUT' && (c.op !== 'PUT' || !v)) throw Errors.invalid(`PutRow column '${c.name}' must be a plain value.`);
  if ((c.op === 'PUT' || c.op === 'INCREMENT') && !v) throw Errors.invalid(`Column '${c.name}' has no value.`);
  if (c.op === 'DELETE_ONE_VERSION' && c.timestamp === undefined)
    throw Errors.invalid(`Deleting one version of column '${c.name}' requires its timestamp.`);
  if (c.op === 'DELETE_ALL_VERSION' && (v || c.timestamp !== undefined))
    throw Errors.invalid(`Deleting all versions of column '${c.name}' takes neither value nor timestamp.`);
}

export function prepareWrite(table: MemTable, kind: WriteKind, row: PlainRow, condition?: ConditionMsg): PreparedWrite {
  const pk = checkRowKey(table.schema, row.primaryKey, kind === 'PUT');
  if (kind === 'DELETE') {
    if (row.cells.length > 0) throw Errors.invalid('DeleteRow takes no attribute columns.');
  } else if (row.deleteMarker) {
    throw Errors.invalid('Only a delete carries the delete-row marker.');
  }
  if (row.cells.length > MAX_COLUMNS_PER_ROW)
    throw Errors.invalid(`The number of columns in one row exceeds the limit: ${MAX_COLUMNS_PER_ROW}.`);
  for (const c of row.cells) checkCell(table, kind, c);
  if (condition) {
    if (condition.columnCondition && condition.columnCondition.length > 0)
      throw Errors.invalid('Column conditions are not supported by this test server.');
    if (![0, 1, 2].includes(condition.rowExistence)) throw Errors.invalid(`Invalid row existence expectation: ${condition.rowExistence}.`);
    if (kind === 'DELETE' && condition.rowExistence === 2)
      throw Errors.invalid('Invalid condition: EXPECT_NOT_EXIST while deleting row.');
  }
  return { kind, pk, cells: row.cells };
}

function concretePk(table: MemTable, pk: PkBound[]): PkValue[] {
  return pk.map((v): PkValue => {
    if (v.type === 'AUTO_INCREMENT') return { type: 'INTEGER', value: table.allocateAutoIncrement() };
    if (v.type === 'INF_MIN' || v.type === 'INF_MAX') throw Errors.invalid('INF_MIN/INF_MAX are only valid in range bounds.');
    return v;
  });
}

/** Applies a prepared write. Returns the row bytes the request asked back for, if any. */
export function executeWrite(
  table: MemTable,
  w: PreparedWrite,
  condition: ConditionMsg | undefined,
  returnContent: ReturnContentMsg | undefined,
  nowMs: number,
): Buffer | undefined {
  const hasAutoIncrement = w.pk.some((v) => v.type === 'AUTO_INCREMENT');
  const pk = concretePk(table, w.pk);
  const existing = hasAutoIncrement ? undefined : table.find(pk, nowMs);
  const expectation = condition?.rowExistence ?? 0;
  if (expectation === 1 && !existing) throw Errors.conditionFailed();
  if (expectation === 2 && existing) throw Errors.conditionFailed();
  // Timestamps first, so a rejected cell leaves the row untouched.
  for (const c of w.cells) if (c.timestamp !== undefined && c.op !== 'DELETE_ONE_VERSION') table.checkTimestamp(c.timestamp, nowMs);

  if (w.kind === 'DELETE') {
    table.delete(pk);
  } else {
    const row = table.upsert(pk, w.kind === 'PUT');
    for (const c of w.cells) table.applyCell(row, c, nowMs);
  }

  const returnType = returnContent?.returnType ?? 0;
  if (returnType === 0) return undefined;
  const primaryKey = pk.map((v, i) => ({ name: table.schema[i].name, value: v }));
  if (returnType === 1) return encodeRow({ primaryKey, cells: [], deleteMarker: false });
  const names = returnContent?.returnColumnNames ?? [];
  const stored = table.find(pk, nowMs);
  const cells = stored && names.length > 0 ? table.readCells(stored, { columnsToGet: names, maxVersions: 1 }, nowMs) : [];
  return encodeRow({ primaryKey, cells, deleteMarker: false });
}

/** Write capacity units: one per started 4 KB of the row change, at least one. */
export function writeUnits(rowBytes: number): number {
  return Math.max(1, Math.ceil(rowBytes / 4096));
}

/** The error a batch reports on one row; anything that is not a service error propagates. */
export function rowErrorOf(e: unknown): OtsError {
  if (e instanceof OtsError) return e;
  throw e; // a bug in the server, not a row error: let it surface as a 500

}
