// Cutting one lane's operations into requests: at most 200 rows and 4 MB (BatchWriteRow's limits;
// used for BulkImport too), and never the same row twice in one request.
import type { RowOp } from './row-ops.js';

export const MAX_BATCH_ROWS = 200;
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
/** Per table entry in a request: its name and protobuf framing. */
const TABLE_OVERHEAD = 16;

export interface CutOptions {
  maxRows?: number;
  maxBytes?: number;
  /** BulkImport: a request names one table. */
  oneTable?: boolean;
}

type Cuttable = Pick<RowOp, 'table' | 'keyText' | 'bytes'>;

/**
 * Consecutive runs of `ops`, in order. A new request starts when the row or byte limit would be
 * passed, or when a row repeats: the service rejects a request naming one row twice, and a row's
 * changes must land in order. With oneTable the ops are first split by table, keeping each
 * table's order (ops of different tables are different rows, so their relative order is free).
 * A single op larger than maxBytes still gets a request of its own; the service decides.
 */
export function cutBatches<T extends Cuttable>(ops: readonly T[], o: CutOptions = {}): T[][] {
  const maxRows = o.maxRows ?? MAX_BATCH_ROWS;
  const maxBytes = o.maxBytes ?? MAX_REQUEST_BYTES;
  if (o.oneTable) {
    const byTable = new Map<string, T[]>();
    for (const op of ops) {
      const list = byTable.get(op.table) ?? [];
      list.push(op);
      byTable.set(op.table, list);
    }
    return [...byTable.values()].flatMap((list) => cutBatches(list, { maxRows, maxBytes }));
  }
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  let keys = new Set<string>();
  let tables = new Set<string>();
  for (const op of ops) {
    const id = `${op.table}\u0000${op.keyText}`;
    const add = op.bytes + (tables.has(op.table) ? 0 : op.table.length + TABLE_OVERHEAD);
    if (cur.length > 0 && (cur.length >= maxRows || bytes + add > maxBytes || keys.has(id))) {
      out.push(cur);
      cur = [];
      bytes = 0;
      keys = new Set();
      tables = new Set();
    }
    bytes += op.bytes + (tables.has(op.table) ? 0 : op.table.length + TABLE_OVERHEAD);
    cur.push(op);
    keys.add(id);
    tables.add(op.table);
  }
  if (cur.length > 0) out.push(cur);
  return out;
}
