// BatchWriteRow, BulkImport and BatchGetRow. Problems with the request as a whole (a missing
// table, a bad key, too many rows or bytes, duplicate keys) fail the whole request; condition
// failures, timestamp errors and injected row faults fail only their row (is_ok = false).
import { consumed, type Ctx, type Handler } from './context.js';
import { Errors, type OtsError } from './errors.js';
import { decodeRow } from './plain-buffer-reader.js';
import { isConcrete, keyString } from './primary-key.js';
import {
  decodeRequest,
  type BatchGetRowRequest,
  type BatchWriteRowRequest,
  type BulkImportRequest,
  type ConditionMsg,
  type ReturnContentMsg,
  type RowResultMsg,
} from './protocol.js';
import { readSpecOf } from './read-spec.js';
import { readOne, readUnits } from './ops-row.js';
import { executeWrite, prepareWrite, rowErrorOf, writeUnits, type PreparedWrite, type WriteKind } from './row-write.js';
import type { MemTable } from './table.js';

export const MAX_BATCH_WRITE_ROWS = 200;
export const MAX_BATCH_WRITE_BYTES = 4 * 1024 * 1024;
export const MAX_BATCH_GET_ROWS = 100;

const KINDS: Record<number, WriteKind> = { 1: 'PUT', 2: 'UPDATE', 3: 'DELETE' };

interface RowIn {
  type: number;
  rowChange: Uint8Array;
  condition?: ConditionMsg;
  returnContent?: ReturnContentMsg;
}

function checkLimits(rowCount: number, bytes: number): void {
  if (rowCount > MAX_BATCH_WRITE_ROWS) throw Errors.invalid(`Rows count exceeds the upper limit: ${MAX_BATCH_WRITE_ROWS}.`);
  if (bytes > MAX_BATCH_WRITE_BYTES)
    throw Errors.invalid(`The total data size of BatchWriteRow request exceeds the limit, limit size: ${MAX_BATCH_WRITE_BYTES}, data size: ${bytes}.`);
}

/** Decodes and checks every row of one table; throws on anything that fails the whole request. */
function prepareTable(table: MemTable, rows: RowIn[]): PreparedWrite[] {
  if (rows.length === 0) throw Errors.invalid(`No row specified in table: '${table.name}'.`);
  const seen = new Set<string>();
  return rows.map((r) => {
    const kind = KINDS[r.type];
    if (!kind) throw Errors.invalid(`Invalid operation type: ${r.type}.`);
    const prepared = prepareWrite(table, kind, decodeRow(r.rowChange), r.condition);
    if (prepared.pk.every(isConcrete)) {
      const key = keyString(prepared.pk.filter(isConcrete));
      if (seen.has(key)) throw Errors.invalid(`Duplicated primary key in table: '${table.name}'.`);
      seen.add(key);
    }
    return prepared;
  });
}

function failed(e: OtsError): RowResultMsg {
  return { isOk: false, error: { code: e.code, message: e.message } };
}

function runRows(ctx: Ctx, op: string, table: MemTable, rows: RowIn[], prepared: PreparedWrite[]): RowResultMsg[] {
  return prepared.map((w, i) => {
    const fault = ctx.faults.takeRowFault(op);
    if (fault) return failed(fault);
    try {
      const row = executeWrite(table, w, rows[i].condition, rows[i].returnContent, ctx.now);
      return { isOk: true, consumed: consumed(0, writeUnits(rows[i].rowChange.length)), ...(row ? { row } : {}) };
    } catch (e) {
      return failed(rowErrorOf(e));
    }
  });
}

export const batchWriteRow: Handler = (ctx, body) => {
  const req = decodeRequest<BatchWriteRowRequest>('BatchWriteRow', body);
  const tables = req.tables ?? [];
  if (tables.length === 0) throw Errors.invalid('No table specified in BatchWriteRow.');
  const names = new Set<string>();
  let rowCount = 0;
  let bytes = 0;
  for (const t of tables) {
    if (names.has(t.tableName)) throw Errors.invalid(`Duplicated table name: '${t.tableName}'.`);
    names.add(t.tableName);
    for (const r of t.rows ?? []) {
      rowCount++;
      bytes += r.rowChange.length;
    }
  }
  checkLimits(rowCount, bytes);
  const plan = tables.map((t) => {
    const table = ctx.instance.get(t.tableName);
    const rows = t.rows ?? [];
    return { table, rows, prepared: prepareTable(table, rows) };
  });
  const results = plan.map((p) => ({ tableName: p.table.name, rows: runRows(ctx, 'BatchWriteRow', p.table, p.rows, p.prepared) }));
  return { type: 'BatchWriteRowResponse', message: { tables: results } };
};

export const bulkImport: Handler = (ctx, body) => {
  const req = decodeRequest<BulkImportRequest>('BulkImport', body);
  const rows: RowIn[] = req.rows ?? [];
  checkLimits(
    rows.length,
    rows.reduce((n, r) => n + r.rowChange.length, 0),
  );
  const table = ctx.instance.get(req.tableName);
  // BulkImport rows carry no condition: every row is written as with IGNORE.
  const results = runRows(ctx, 'BulkImport', table, rows, prepareTable(table, rows));
  return { type: 'BulkImportResponse', message: { tableName: table.name, rows: results } };
};

export const batchGetRow: Handler = (ctx, body) => {
  const req = decodeRequest<BatchGetRowRequest>('BatchGetRow', body);
  const tables = req.tables ?? [];
  if (tables.length === 0) throw Errors.invalid('No table specified in BatchGetRow.');
  const total = tables.reduce((n, t) => n + (t.primaryKey?.length ?? 0), 0);
  if (total > MAX_BATCH_GET_ROWS) throw Errors.invalid(`Rows count exceeds the upper limit: ${MAX_BATCH_GET_ROWS}.`);
  const names = new Set<string>();
  const results = tables.map((t) => {
    if (names.has(t.tableName)) throw Errors.invalid(`Duplicated table name: '${t.tableName}'.`);
    names.add(t.tableName);
    const table = ctx.instance.get(t.tableName);
    const keys = t.primaryKey ?? [];
    if (keys.length === 0) throw Errors.invalid(`No row specified in table: '${t.tableName}'.`);
    const spec = readSpecOf(t);
    const rows = keys.map((pk): RowResultMsg => {
      const row = readOne(table, pk, spec, ctx.now);
      return { isOk: true, consumed: consumed(readUnits(row.length), 0), row };
    });
    return { tableName: table.name, rows };
  });
  return { type: 'BatchGetRowResponse', message: { tables: results } };
};
