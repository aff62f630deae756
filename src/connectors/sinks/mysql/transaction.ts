// One destination transaction and its retries. Deadlocks, lock wait timeouts and lost sessions
// are worth another try from the start; anything else is the user's to fix and stops the run.
import type { Connection } from 'mysql2/promise';
import { MigError } from '../../../util/errors.js';
import type { ApplierContext } from './applier-context.js';
import { readCheckpointRows, type CheckpointTarget } from './checkpoint.js';
import { isConnectionLost } from './connect.js';
import { StatementError } from './statements.js';

const ER_LOCK_WAIT_TIMEOUT = 1205;
const ER_LOCK_DEADLOCK = 1213;

/** The session is gone (or could not be opened): worth a new session and another try. */
export function isLost(e: unknown): boolean {
  return isConnectionLost(e) || (e instanceof MigError && e.code === 'destination-unreachable');
}

/** A lost session, a deadlock or a lock wait timeout: the same work may well succeed next time. */
export function isTransient(cause: unknown): boolean {
  const errno = (cause as { errno?: number }).errno;
  return isLost(cause) || errno === ER_LOCK_DEADLOCK || errno === ER_LOCK_WAIT_TIMEOUT;
}

/** Waits before try `attempt` + 1: 50 ms doubling, at most 5 s. */
export function backoff(attempt: number): Promise<void> {
  return new Promise<void>((r) => setTimeout(r, Math.min(5000, 50 * 2 ** (attempt - 1))));
}

/**
 * One destination transaction, tried again from the start on a deadlock, a lock wait timeout or a
 * lost session. When the session is lost the COMMIT may have landed anyway: the checkpoint tells,
 * and a transaction found committed is not run again.
 */
export async function inTransaction(ctx: ApplierContext, cps: CheckpointTarget[], work: (conn: Connection) => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    let conn: Connection | undefined;
    try {
      conn = await ctx.session.get();
      await conn.query('START TRANSACTION');
      await work(conn);
      await conn.query('COMMIT');
      return;
    } catch (e) {
      const cause = e instanceof StatementError ? e.cause : e;
      const lost = isLost(cause);
      if (lost) ctx.session.drop();
      else if (conn) await conn.query('ROLLBACK').catch(() => ctx.session.drop());
      if (!isTransient(cause) || attempt >= ctx.o.maxAttempts) throw describe(ctx, e, cps);
      await backoff(attempt);
      if (lost && (await committed(ctx, cps).catch(() => false))) return;
    }
  }
}

/** Whether every checkpoint in `cps` is already stored (its transaction committed). */
async function committed(ctx: ApplierContext, cps: CheckpointTarget[]): Promise<boolean> {
  if (cps.length === 0) return false;
  const conn = await ctx.session.get();
  for (const cp of cps) {
    const [row] = await readCheckpointRows(conn, ctx.o.checkpointDatabase, ctx.o.migration, cp.feed);
    if (!row || row.kafkaOffset === null || BigInt(row.kafkaOffset) < BigInt(cp.offset)) return false;
  }
  return true;
}

function describe(ctx: ApplierContext, e: unknown, cps: CheckpointTarget[]): MigError {
  const at = cps.map((c) => `${c.feed} offset ${c.offset}`).join(', ');
  if (e instanceof StatementError) return ctx.o.describeError(e.cause, `${e.what} (transaction up to ${at})`);
  return ctx.o.describeError(e, `applying the transaction up to ${at}`);
}
