// Statements the applier runs inside its transactions (or one by one in the full load): planned
// row operations, batched into multi-row INSERTs and keyed DELETEs, and an error that remembers
// which operation failed.
import type { Connection, ResultSetHeader } from 'mysql2/promise';
import type { ChangeEvent, Row } from '../../../model/source-data.js';
import type { DestTable } from './dest-table.js';
import { insertParts, tuple, type InsertMode } from './dml.js';
import { qualified } from './names.js';

/** The change (or full-load row) an op writes, so a refused op can be named and set aside (refusals.ts). */
export type OpOrigin = { source: string } & ({ kind: 'change'; ev: Extract<ChangeEvent, { kind: 'row' }> } | { kind: 'snapshot'; row: Row });

/** One statement of a planned transaction. */
export type Op = (
  /** `key` groups inserts that can share one multi-row INSERT (same table, same columns). */
  | { kind: 'insert'; table: DestTable; columns: string[]; key: string; tuple: string; what: string }
  | { kind: 'update'; table: DestTable; sql: string; after: Row; what: string }
  /** keyed: `cond` is a key condition, so consecutive keyed deletes of a table share one statement. */
  | { kind: 'delete'; table: DestTable; sql: string; cond?: string; what: string }
) & { origin?: OpOrigin };

export interface BatchLimits {
  /** Rows per multi-row statement (spec.destination.batchRows). */
  batchRows: number;
  /** Bytes per statement (under max_allowed_packet). */
  bytes: number;
}

/** A failed statement and what it was doing, so the error can name the table and operation. */
export class StatementError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly what: string,
  ) {
    super(String((cause as Error)?.message ?? cause));
  }
}

export async function runStatement(conn: Connection, sql: string, what: string): Promise<ResultSetHeader> {
  try {
    const [r] = await conn.query<ResultSetHeader>(sql);
    return r;
  } catch (e) {
    throw new StatementError(e, what);
  }
}

/**
 * Within each run of inserts (upserts) uninterrupted by an update or delete, gathers each table's
 * inserts together, keeping their order within the table. Upserts of different tables commute (the
 * destination session runs with foreign key checks off) and a table's own stay in order, so the
 * result is the same with a statement per table instead of one per change: a feed of small
 * transactions touching tables in turn (TiDB's Drainer) went from about one statement per row to
 * one per table and column list.
 */
export function groupInserts(ops: Op[]): Op[] {
  const out: Op[] = [];
  let run = new Map<DestTable, Op[]>();
  const flush = () => {
    for (const group of run.values()) out.push(...group);
    run = new Map();
  };
  for (const op of ops) {
    if (op.kind !== 'insert') {
      flush();
      out.push(op);
      continue;
    }
    const group = run.get(op.table);
    if (group) group.push(op);
    else run.set(op.table, [op]);
  }
  flush();
  return out;
}

/**
 * Runs ops in order (inserts grouped first, see groupInserts). Consecutive inserts into the same table with the same columns share one
 * multi-row INSERT, cut at batchRows and at the statement size limit.
 */
export async function executeOps(conn: Connection, planned: Op[], mode: InsertMode, limits: BatchLimits): Promise<void> {
  const ops = groupInserts(planned);
  const limit = limits.bytes;
  for (let i = 0; i < ops.length; ) {
    const op = ops[i]!;
    if (op.kind === 'insert') {
      const { head, tail } = insertParts(op.table, op.columns, mode);
      const tuples = [op.tuple];
      let bytes = Buffer.byteLength(head) + Buffer.byteLength(tail) + Buffer.byteLength(op.tuple);
      let j = i + 1;
      for (; j < ops.length && tuples.length < limits.batchRows; j++) {
        const next = ops[j]!;
        if (next.kind !== 'insert' || next.key !== op.key) break;
        const b = Buffer.byteLength(next.tuple) + 2;
        if (bytes + b > limit) break;
        tuples.push(next.tuple);
        bytes += b;
      }
      await runStatement(conn, head + tuples.join(', ') + tail, op.what);
      i = j;
    } else if (op.kind === 'update') {
      const r = await runStatement(conn, op.sql, op.what);
      // No row had the before image's key: the destination missed the row (a filter let the update
      // through but not the insert, or the row was changed by hand). Writing the after image makes
      // the destination converge on the source's row instead of losing the change.
      if (r.affectedRows === 0) {
        const columns = Object.keys(op.after);
        const { head, tail } = insertParts(op.table, columns, 'upsert');
        await runStatement(conn, head + tuple(op.table, columns, op.after) + tail, `${op.what} (row missing: inserted)`);
      }
      i++;
    } else if (op.cond !== undefined) {
      // Deletes by key of one table: one statement, each key finds at most one row.
      const conds = [op.cond];
      let bytes = Buffer.byteLength(op.sql) + 8;
      let j = i + 1;
      for (; j < ops.length && conds.length < limits.batchRows; j++) {
        const next = ops[j]!;
        if (next.kind !== 'delete' || next.table !== op.table || next.cond === undefined) break;
        const b = Buffer.byteLength(next.cond) + 8;
        if (bytes + b > limit) break;
        conds.push(next.cond);
        bytes += b;
      }
      const sql = conds.length === 1 ? op.sql : `DELETE FROM ${qualified(op.table.ref)} WHERE ${conds.map((c) => `(${c})`).join(' OR ')}`;
      await runStatement(conn, sql, op.what);
      i = j;
    } else {
      await runStatement(conn, op.sql, op.what);
      i++;
    }
  }
}
