// PutRow, UpdateRow, DeleteRow, GetRow.
import { consumed, type Ctx, type Handler, type Reply } from './context.js';
import { Errors } from './errors.js';
import { decodeRow } from './plain-buffer-reader.js';
import { encodeRow } from './plain-buffer-writer.js';
import { checkRowKey, isConcrete } from './primary-key.js';
import { decodeRequest, type GetRowRequest, type WriteRowRequest } from './protocol.js';
import { readSpecOf } from './read-spec.js';
import { executeWrite, prepareWrite, writeUnits, type WriteKind } from './row-write.js';
import type { MemTable, ReadSpec, StoredRow } from './table.js';
import type { PkValue } from './plain-buffer-types.js';

function writeOp(op: string, kind: WriteKind, field: 'row' | 'rowChange' | 'primaryKey'): Handler {
  return (ctx: Ctx, body: Buffer): Reply => {
    const req = decodeRequest<WriteRowRequest>(op, body);
    const table = ctx.instance.get(req.tableName);
    const bytes = req[field];
    if (!bytes) throw Errors.invalid(`Missing ${field} in ${op}Request.`);
    const prepared = prepareWrite(table, kind, decodeRow(bytes), req.condition);
    const row = executeWrite(table, prepared, req.condition, req.returnContent, ctx.now);
    return {
      type: `${op}Response`,
      message: { consumed: consumed(0, writeUnits(bytes.length)), row: row ?? Buffer.alloc(0) },
    };
  };
}

export const putRow = writeOp('PutRow', 'PUT', 'row');
export const updateRow = writeOp('UpdateRow', 'UPDATE', 'rowChange');
export const deleteRow = writeOp('DeleteRow', 'DELETE', 'primaryKey');

/** A row as a read returns it: primary key plus the selected cells; nothing selected → absent. */
export function encodeReadRow(table: MemTable, row: StoredRow, spec: ReadSpec, nowMs: number): Buffer | undefined {
  const cells = table.readCells(row, spec, nowMs);
  const wanted = spec.columnsToGet ?? [];
  const asksForKey = wanted.length === 0 || wanted.some((n) => table.schema.some((c) => c.name === n));
  if (cells.length === 0 && !asksForKey) return undefined;
  const primaryKey = row.pk.map((v, i) => ({ name: table.schema[i].name, value: v }));
  return encodeRow({ primaryKey, cells, deleteMarker: false });
}

/** Reads one row by its full key; returns empty bytes when it does not exist (as the service). */
export function readOne(table: MemTable, pkBytes: Uint8Array, spec: ReadSpec, nowMs: number): Buffer {
  const pk = checkRowKey(table.schema, decodeRow(pkBytes).primaryKey, false);
  const values: PkValue[] = pk.filter(isConcrete);
  const row = table.find(values, nowMs);
  return (row && encodeReadRow(table, row, spec, nowMs)) ?? Buffer.alloc(0);
}

export function readUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 4096));
}

export const getRow: Handler = (ctx, body) => {
  const req = decodeRequest<GetRowRequest>('GetRow', body);
  const table = ctx.instance.get(req.tableName);
  const row = readOne(table, req.primaryKey, readSpecOf(req), ctx.now);
  return { type: 'GetRowResponse', message: { consumed: consumed(readUnits(row.length), 0), row } };
};
