// Replicated DDL at the destination, applied exactly once although it cannot share a transaction
// with the checkpoint, and the per-feed state that protocol keeps (position, statement pending).
import type { ChangeEvent } from '../../../model/source-data.js';
import { MigError } from '../../../util/errors.js';
import type { ApplierContext } from './applier-context.js';
import { clearPending, writeCheckpoint, type CheckpointTarget, type FeedCheckpoint, type PendingDdl } from './checkpoint.js';
import { translateDdl } from './ddl-translate.js';
import { runDdl } from './ddl-run.js';
import { backoff, inTransaction, isLost } from './transaction.js';

/** Where a feed stands at the destination, as its checkpoint row says. */
export interface FeedState {
  /** Offset of the last message applied; undefined when the feed has no checkpoint yet. */
  offset?: bigint;
  pending?: PendingDdl;
}

export function feedState(r: FeedCheckpoint): FeedState {
  return { offset: r.kafkaOffset === null ? undefined : BigInt(r.kafkaOffset), pending: r.ddlPending ?? undefined };
}

/**
 * DDL cannot share a transaction with the checkpoint: MySQL commits before and after every DDL
 * statement. So it goes in three steps:
 *   1. one transaction sets the feed's checkpoint to this message AND records the statement in
 *      ddl_pending;
 *   2. the statement runs;
 *   3. one transaction clears ddl_pending.
 * A crash before 1 committed: the message is delivered again and the statement never ran. A crash
 * after 1: the checkpoint is past the message, so it is not delivered again, but ddl_pending is set
 * and the statement is run again before anything else on the feed (the applier checks each feed's
 * state first, and finishPendingDdl does it up front). If it had run already, the server says so
 * (table exists, duplicate column, …) and that counts as done (ddl-run.ts). Either way the
 * statement takes effect once, and nothing after it is applied first. A statement that fails for
 * another reason stays pending and is tried again on the next run, after the user fixed the
 * destination.
 */
export async function applyDdl(ctx: ApplierContext, ev: Extract<ChangeEvent, { kind: 'ddl' }>, cp: CheckpointTarget, st: FeedState): Promise<void> {
  const t = translateDdl({ database: ev.database, sql: ev.sql }, ctx.o.names);
  for (const n of t?.notes ?? []) ctx.note(`DDL at ${cp.feed} offset ${cp.offset}: ${n}`);
  const pending: PendingDdl | null = t ? { kind: t.kind, database: t.database, sql: t.sql, tables: t.tables } : null;
  await inTransaction(ctx, [cp], (conn) => writeCheckpoint(conn, ctx.o.checkpointDatabase, ctx.o.migration, cp, pending));
  st.offset = BigInt(cp.offset);
  if (pending) {
    st.pending = pending;
    await finishDdl(ctx, cp.feed, pending, st);
  }
}

/** Steps 2 and 3 of applyDdl. */
export async function finishDdl(ctx: ApplierContext, feed: string, ddl: PendingDdl, st: FeedState): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const r = await runDdl(await ctx.session.get(), ddl);
      if (r.alreadyDone) ctx.note(`DDL already in place at the destination (error ${r.alreadyDone.errno}: ${r.alreadyDone.message}), counted as done: ${ddl.sql.slice(0, 200)}`);
      break;
    } catch (e) {
      const lost = isLost(e);
      if (lost) ctx.session.drop();
      if (!lost || attempt >= ctx.o.maxAttempts) {
        const err = ctx.o.describeError(e, `running DDL ${ddl.sql.slice(0, 200)} (feed ${feed})`);
        throw new MigError(err.code, err.message, err.hint ?? 'fix the destination so the statement can run (or make the change by hand); it stays pending and runs again when the migration restarts');
      }
      await backoff(attempt);
    }
  }
  ctx.forgetTables();
  await inTransaction(ctx, [], (c) => clearPending(c, ctx.o.checkpointDatabase, ctx.o.migration, feed));
  st.pending = undefined;
}
