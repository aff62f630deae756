// Applies source changes to a MySQL destination exactly once. Each upstream transaction (or a run
// of them) becomes ONE destination transaction that also moves the feed's row in mig_checkpoint, so
// a crash leaves both the rows and the position from before, or both from after. The full load uses
// writeRows: statements that can run again without changing the result (load-rows.ts).
//
// Events come in with source names; the applier maps them (TargetNames: database, table, column
// selection and renames). Row filters (TableSpec.filter) are the caller's: events arrive filtered.
// The parts: one session (session.ts), statements and their batching (plan-changes.ts,
// statements.ts), the transaction and its retries (transaction.ts), DDL (apply-ddl.ts).
import type { ChangeEvent, Row } from '../../../model/source-data.js';
import { MigError } from '../../../util/errors.js';
import { ApplierContext, type MysqlApplierOptions } from './applier-context.js';
import { applyDdl, feedState, finishDdl, type FeedState } from './apply-ddl.js';
import {
  checkpointTable, createCheckpointTableSql, readCheckpointRows, writeCheckpoint,
  type CheckpointTarget, type FeedCheckpoint, type PendingDdl,
} from './checkpoint.js';
import { connectDestination, destinationError, type DestinationEndpoint } from './connect.js';
import type { InsertMode } from './dml.js';
import { emptyTable, writeRows } from './load-rows.js';
import type { TableRef, TargetNames } from './names.js';
import { quoteIdent } from './names.js';
import { planChanges } from './plan-changes.js';
import { executeSettling } from './refusals.js';
import type { Refusal } from '../../dead-letter.js';
import { inTransaction } from './transaction.js';

export type { MysqlApplierOptions } from './applier-context.js';

/** An upstream transaction and where its feed stands once it is applied. */
export interface UpstreamTransaction {
  events: ChangeEvent[];
  checkpoint: CheckpointTarget;
}

export interface ApplyResult {
  /** Upstream transactions applied now. */
  applied: number;
  /** Upstream transactions skipped because the checkpoint shows them applied already. */
  alreadyApplied: number;
  /** Row changes written. */
  rows: number;
  /** Row changes dropped: table outside the migration or operation not selected. */
  ignoredRows: number;
}

const ER_BAD_DB = 1049;
const ER_NO_SUCH_TABLE = 1146;

export class MysqlApplier {
  readonly #ctx: ApplierContext;
  readonly #feeds = new Map<string, FeedState>();
  /** Public calls run one at a time: they share one session and its transaction. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(opts: MysqlApplierOptions) {
    this.#ctx = new ApplierContext(opts);
  }

  /** An applier for the spec's destination: sessions from connectDestination, errors with fixes. */
  static async open(ep: DestinationEndpoint, opts: { migration: string; names: TargetNames; onNote?: (note: string) => void }): Promise<MysqlApplier> {
    const a = new MysqlApplier({
      ...opts,
      checkpointDatabase: ep.spec.checkpointDatabase,
      batchRows: ep.spec.batchRows,
      connect: () => connectDestination(ep),
      describeError: (e, doing) => destinationError(ep, e, doing),
    });
    await a.#serial(() => a.#ctx.session.get());
    return a;
  }

  async close(): Promise<void> {
    await this.#queue.catch(() => undefined);
    await this.#ctx.session.close();
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Creates the checkpoint database and table when missing. */
  ensureCheckpointTable(): Promise<void> {
    return this.#serial(() => this.#ensureCheckpointTable());
  }

  async #ensureCheckpointTable(): Promise<void> {
    const { o, session } = this.#ctx;
    const conn = await session.get();
    try {
      await conn.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(o.checkpointDatabase)}`);
      await conn.query(createCheckpointTableSql(o.checkpointDatabase));
    } catch (e) {
      throw o.describeError(e, `creating ${checkpointTable(o.checkpointDatabase)}`);
    }
  }

  /** Creates the database and a table of mig's own (the dead-letter table) when missing. */
  ensureTable(ref: TableRef, createSql: string): Promise<void> {
    return this.#serial(async () => {
      const conn = await this.#ctx.session.get();
      try {
        await conn.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(ref.database)}`);
        await conn.query(createSql);
      } catch (e) {
        throw this.#ctx.o.describeError(e, `creating ${ref.database}.${ref.table}`);
      }
    });
  }

  /** Every feed's checkpoint of a migration (default: this applier's). */
  readCheckpoints(migration: string = this.#ctx.o.migration): Promise<FeedCheckpoint[]> {
    return this.#serial(async () => {
      const rows = await readCheckpointRows(await this.#ctx.session.get(), this.#ctx.o.checkpointDatabase, migration);
      if (migration === this.#ctx.o.migration) for (const r of rows) this.#feeds.set(r.feed, feedState(r));
      return rows;
    });
  }

  /**
   * Runs every DDL statement left pending by a crash (see apply-ddl.ts). Also done on its own before
   * anything else is applied to such a feed; call it at start to have it done up front.
   */
  finishPendingDdl(): Promise<PendingDdl[]> {
    return this.#serial(async () => {
      const rows = await readCheckpointRows(await this.#ctx.session.get(), this.#ctx.o.checkpointDatabase, this.#ctx.o.migration);
      const done: PendingDdl[] = [];
      for (const r of rows) {
        const st = feedState(r);
        this.#feeds.set(r.feed, st);
        if (r.ddlPending) {
          await finishDdl(this.#ctx, r.feed, r.ddlPending, st);
          done.push(r.ddlPending);
        }
      }
      return done;
    });
  }

  /** One upstream transaction: see applyTransactions. */
  applyTransaction(events: ChangeEvent[], checkpoint: CheckpointTarget): Promise<ApplyResult> {
    return this.applyTransactions([{ events, checkpoint }]);
  }

  /**
   * Upstream transactions in feed order. Consecutive row-change transactions share one destination
   * transaction (fewer commits, same guarantee: their last checkpoint commits with them). A DDL
   * transaction is applied on its own. Transactions at or before a feed's checkpoint are skipped, so
   * a redelivered message is never applied twice.
   */
  applyTransactions(txs: UpstreamTransaction[]): Promise<ApplyResult> {
    return this.#serial(async () => {
      const result: ApplyResult = { applied: 0, alreadyApplied: 0, rows: 0, ignoredRows: 0 };
      let group: UpstreamTransaction[] = [];
      const flush = async () => {
        if (group.length === 0) return;
        const r = await this.#applyRows(group);
        result.applied += group.length;
        result.rows += r.rows;
        result.ignoredRows += r.ignored;
        group = [];
      };
      for (const tx of txs) {
        const feed = await this.#feed(tx.checkpoint.feed);
        const offset = BigInt(tx.checkpoint.offset);
        const queued = group.filter((g) => g.checkpoint.feed === tx.checkpoint.feed).at(-1);
        if ((feed.offset !== undefined && offset <= feed.offset) || (queued && offset <= BigInt(queued.checkpoint.offset))) {
          result.alreadyApplied++;
          continue;
        }
        const ddl = tx.events.filter((e) => e.kind === 'ddl');
        if (ddl.length > 0) {
          await flush();
          if (ddl.length !== tx.events.length || ddl.length > 1) {
            throw new MigError('feed-mixed-ddl', `${tx.checkpoint.feed} offset ${tx.checkpoint.offset}: a DDL statement must come alone (this message has ${tx.events.length} changes)`, 'this is a bug in the feed decoder; report it');
          }
          await applyDdl(this.#ctx, ddl[0]!, tx.checkpoint, feed);
          result.applied++;
          continue;
        }
        group.push(tx);
      }
      await flush();
      return result;
    });
  }

  /** The feed's state, read from the checkpoint table once; a pending DDL is finished first. */
  async #feed(feed: string): Promise<FeedState> {
    let st = this.#feeds.get(feed);
    if (!st) {
      const rows = await this.#readFeed(feed);
      st = rows[0] ? feedState(rows[0]) : {};
      this.#feeds.set(feed, st);
    }
    if (st.pending) await finishDdl(this.#ctx, feed, st.pending, st);
    return st;
  }

  /** The feed's checkpoint row; the checkpoint table is created the first time it is missing. */
  async #readFeed(feed: string): Promise<FeedCheckpoint[]> {
    const { o, session } = this.#ctx;
    const conn = await session.get();
    try {
      return await readCheckpointRows(conn, o.checkpointDatabase, o.migration, feed);
    } catch (e) {
      if ((e as { errno?: number }).errno !== ER_NO_SUCH_TABLE && (e as { errno?: number }).errno !== ER_BAD_DB) throw o.describeError(e, 'reading the checkpoint');
    }
    await this.#ensureCheckpointTable();
    return [];
  }

  async #applyRows(group: UpstreamTransaction[]): Promise<{ rows: number; ignored: number }> {
    const { o, session } = this.#ctx;
    const { ops, ignored } = await planChanges(this.#ctx, group.flatMap((g) => g.events));
    const last = new Map<string, CheckpointTarget>();
    for (const g of group) last.set(g.checkpoint.feed, g.checkpoint);
    let refused: Refusal[] = [];
    await inTransaction(this.#ctx, [...last.values()], async (conn) => {
      refused = await executeSettling(conn, ops, 'upsert', { batchRows: o.batchRows, bytes: session.statementLimit() }, o.refusals, true);
      for (const cp of last.values()) await writeCheckpoint(conn, o.checkpointDatabase, o.migration, cp, null);
    });
    for (const cp of last.values()) this.#feeds.get(cp.feed)!.offset = BigInt(cp.offset);
    o.onRefused?.(refused);
    return { rows: ops.length - refused.length, ignored };
  }

  /**
   * Full-load rows of one source table, under mapped names (see load-rows.ts). The caller
   * checkpoints its own cursor after this returns.
   */
  writeRows(source: TableRef, rows: Row[], mode: InsertMode): Promise<number> {
    return this.#serial(() => writeRows(this.#ctx, source, rows, mode));
  }

  /** Empties the source table's destination table, for a full load that starts it over. */
  emptyTable(source: TableRef): Promise<void> {
    return this.#serial(() => emptyTable(this.#ctx, source));
  }

  /** Forgets cached table shapes (after DDL made outside the applier). */
  forgetTables(): void {
    this.#ctx.forgetTables();
  }
}
