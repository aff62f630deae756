// The full load's writes: rows of one source table under mapped names, and emptying a table whose
// load starts over. Nothing here moves a feed checkpoint: the caller records its own cursor once a
// call returns, and every statement gives the same result when it runs again after a crash.
import { MigError } from '../../../util/errors.js';
import type { Row } from '../../../model/source-data.js';
import type { ApplierContext } from './applier-context.js';
import { tuple, writable, type InsertMode } from './dml.js';
import { qualified, type TableMap, type TableRef } from './names.js';
import { StatementError, type Op } from './statements.js';
import { executeSettling } from './refusals.js';
import { backoff, isLost, isTransient } from './transaction.js';

/** MySQL refuses TRUNCATE of a table another table's foreign key references. */
const ER_TRUNCATE_ILLEGAL_FK = 1701;

/**
 * Full-load rows of one source table. keep-existing leaves rows already at the destination alone
 * (DTS's full load with conflicts ignored); upsert overwrites them (reading a chunk again after a
 * crash gives the same result). Statements commit one by one: each is idempotent.
 */
export async function writeRows(ctx: ApplierContext, source: TableRef, rows: Row[], mode: InsertMode): Promise<number> {
  const map = mapped(ctx, source);
  const t = await ctx.table(map.target);
  const what = `loading ${map.target.database}.${map.target.table}`;
  const id = `${source.database}.${source.table}`;
  const ops: Op[] = rows.map((r) => {
    const row = writable(t, map.project(r));
    const columns = Object.keys(row);
    const origin = ctx.o.refusals ? { source: id, kind: 'snapshot' as const, row: r } : undefined;
    return { kind: 'insert', table: t, columns, key: columns.join('\u0000'), tuple: tuple(t, columns, row), what, origin };
  });
  for (let attempt = 1; ; attempt++) {
    const conn = await ctx.session.get();
    try {
      const refused = await executeSettling(conn, ops, mode, { batchRows: ctx.o.batchRows, bytes: ctx.session.statementLimit() }, ctx.o.refusals, false);
      ctx.o.onRefused?.(refused);
      return rows.length - refused.length;
    } catch (e) {
      const cause = e instanceof StatementError ? e.cause : e;
      if (isLost(cause)) ctx.session.drop();
      if (!isTransient(cause) || attempt >= ctx.o.maxAttempts) {
        throw ctx.o.describeError(cause, e instanceof StatementError ? e.what : what);
      }
      await backoff(attempt);
    }
  }
}

/**
 * Removes every row of the source table's destination table. TRUNCATE because it takes no time
 * whatever the table holds; DELETE where MySQL refuses TRUNCATE (a foreign key points at it).
 * Both leave an empty table, so running this again after a crash changes nothing.
 */
export async function emptyTable(ctx: ApplierContext, source: TableRef): Promise<void> {
  const ref = mapped(ctx, source).target;
  const target = qualified(ref);
  for (let attempt = 1; ; attempt++) {
    const conn = await ctx.session.get();
    try {
      try {
        await conn.query(`TRUNCATE TABLE ${target}`);
      } catch (e) {
        if ((e as { errno?: number }).errno !== ER_TRUNCATE_ILLEGAL_FK) throw e;
        await conn.query(`DELETE FROM ${target}`);
      }
      return;
    } catch (e) {
      if (isLost(e)) ctx.session.drop();
      if (!isTransient(e) || attempt >= ctx.o.maxAttempts) throw ctx.o.describeError(e, `emptying ${ref.database}.${ref.table}`);
      await backoff(attempt);
    }
  }
}

function mapped(ctx: ApplierContext, source: TableRef): TableMap {
  const map = ctx.o.names.table(source.database, source.table);
  if (!map) throw new MigError('table-not-migrated', `${source.database}.${source.table} is not part of the migration`, 'this is a bug in the caller; report it');
  return map;
}
