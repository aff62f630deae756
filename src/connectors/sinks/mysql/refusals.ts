// Poison events at a MySQL destination: a statement the server refuses for a row's values (too
// long, out of range, a duplicate of another unique key, a foreign key or CHECK constraint). When a
// table's onError is not block, a refused batch is run again one row at a time, each behind a
// savepoint, so only the refused rows are set aside; under dead-letter each goes to the dead-letter
// table in the same destination transaction as the rows and the checkpoint, so it is written
// exactly when the change it stands for would have been.
import type { Connection } from 'mysql2/promise';
import { createHash } from 'node:crypto';
import type { TableInfo } from '../../../model/source-data.js';
import type { Migration, OnError } from '../../../spec/schema.js';
import { usesDeadLetters } from '../../../spec/error-policy.js';
import { deadLetterDocument, sourceKeyValues, type Refusal } from '../../dead-letter.js';
import { qualified, quoteIdent, type TableRef } from './names.js';
import { executeOps, StatementError, type BatchLimits, type Op, type OpOrigin } from './statements.js';
import type { InsertMode } from './dml.js';

/** Errors about one row's values: another row would go through, so the row can be set aside. */
const ROW_ERRNOS = new Set([
  1048, // column cannot be null
  1062, // duplicate entry (another unique key)
  1264, // out of range
  1265, // data truncated
  1292, // incorrect value
  1366, // incorrect string value
  1406, // data too long
  1451, 1452, // foreign key
  1690, // value out of range in an expression
  3140, // invalid JSON text
  3819, // CHECK constraint (MySQL)
  4025, // CONSTRAINT failed (MariaDB)
]);

export function isRowRefusal(e: unknown): boolean {
  const cause = e instanceof StatementError ? e.cause : e;
  return ROW_ERRNOS.has((cause as { errno?: number }).errno ?? -1);
}

/** What the applier needs to set refused rows aside: the policies, the letters' table, the source shapes. */
export interface RefusalOptions {
  migration: string;
  policyOf: (sourceTable: string) => OnError;
  deadLetter?: TableRef;
  shapes: ReadonlyMap<string, TableInfo>;
}

export function deadLetterTableSql(ref: TableRef): string {
  return `CREATE TABLE IF NOT EXISTS ${qualified(ref)} (
  letter_id CHAR(64) NOT NULL PRIMARY KEY COMMENT 'sha256 of migration, table, key and change: a replay writes the same letter',
  migration VARCHAR(63) NOT NULL,
  source_table VARCHAR(200) NOT NULL,
  row_key TEXT NULL,
  op VARCHAR(8) NOT NULL,
  change_id BIGINT NULL,
  error TEXT NOT NULL,
  document LONGTEXT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  KEY by_migration (migration, source_table)
) COMMENT='dead letters of mig (onError: dead-letter)'`;
}

/**
 * Runs ops; with refusal options, a batch the server refuses for a row's values is rolled back to
 * a savepoint and run again op by op, and refused ops go by their table's policy (block rethrows).
 * Returns the refusals set aside; the caller reports them once its transaction commits. Outside a
 * transaction (`inTransaction` false: the full load, whose statements stand alone and can all run
 * again) no savepoint is needed: a refused statement changed nothing.
 */
export async function executeSettling(conn: Connection, ops: Op[], mode: InsertMode, limits: BatchLimits, o: RefusalOptions | undefined, inTransaction: boolean): Promise<Refusal[]> {
  if (!o) {
    await executeOps(conn, ops, mode, limits);
    return [];
  }
  const savepoint = async (sql: string) => {
    if (inTransaction) await conn.query(sql);
  };
  await savepoint('SAVEPOINT mig_batch');
  try {
    await executeOps(conn, ops, mode, limits);
    return [];
  } catch (e) {
    if (!isRowRefusal(e)) throw e;
    await savepoint('ROLLBACK TO SAVEPOINT mig_batch');
  }
  const refused: Refusal[] = [];
  for (const op of ops) {
    await savepoint('SAVEPOINT mig_op');
    try {
      await executeOps(conn, [op], mode, limits);
    } catch (e) {
      const origin = op.origin;
      if (!isRowRefusal(e) || !origin) throw e;
      const policy = o.policyOf(origin.source);
      if (policy === 'block') throw e;
      await savepoint('ROLLBACK TO SAVEPOINT mig_op');
      const r = refusalOf(o, origin, e as StatementError);
      if (policy === 'dead-letter' && o.deadLetter) await writeDeadLetter(conn, o.deadLetter, o.migration, r);
      refused.push(r);
    }
  }
  return refused;
}

function refusalOf(o: RefusalOptions, origin: OpOrigin, e: StatementError): Refusal {
  const cause = e.cause as { code?: string; errno?: number; sqlMessage?: string; message?: string };
  const image = origin.kind === 'snapshot' ? origin.row : (origin.ev.after ?? origin.ev.before);
  const keyValues = sourceKeyValues(o.shapes.get(origin.source), image);
  return {
    table: origin.source,
    key: keyValues ? JSON.stringify(keyValues) : null,
    keyValues,
    bytes: 0,
    code: cause.code ?? `errno ${cause.errno}`,
    message: `${e.what}: ${cause.sqlMessage ?? cause.message ?? String(e.cause)}`,
    fix: 'change the destination table (column types, constraints) or the value at the source',
    change: origin.kind === 'snapshot' ? { kind: 'snapshot', row: origin.row } : { kind: 'change', ev: origin.ev },
  };
}

async function writeDeadLetter(conn: Connection, ref: TableRef, migration: string, r: Refusal): Promise<void> {
  const doc = deadLetterDocument(migration, r);
  const id = createHash('sha256').update(JSON.stringify([migration, r.table, r.key, doc.changeId ?? 'snapshot'])).digest('hex');
  await conn.query(
    `INSERT INTO ${qualified(ref)} (letter_id, migration, source_table, row_key, op, change_id, error, document, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NOW(3))
     ON DUPLICATE KEY UPDATE ${quoteIdent('error')} = VALUES(${quoteIdent('error')}), document = VALUES(document)`,
    [id, migration, r.table, r.key, doc.op, doc.changeId ?? null, `${r.code}: ${r.message}`, JSON.stringify(doc)],
  );
}

/** The dead-letter table a migration writes to, when any of its tables may dead-letter. */
export function deadLetterRefOf(m: Migration, checkpointDatabase: string): TableRef | undefined {
  if (!usesDeadLetters(m)) return undefined;
  const name = m.spec.deadLetter?.table ?? 'mig_dead_letters';
  const dot = name.indexOf('.');
  return dot < 0 ? { database: checkpointDatabase, table: name } : { database: name.slice(0, dot), table: name.slice(dot + 1) };
}
