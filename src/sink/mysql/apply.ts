// Applies source changes to a MySQL destination exactly once. Each upstream transaction (or a run
// of them) becomes ONE destination transaction that also moves the feed's row in mig_checkpoint, so
// a crash leaves both the rows and the position from before, or both from after. The full load uses
// writeRows: statements that can run again without changing the result.
//
// Events come in with source names; the applier maps them (TargetNames: database, table, column
// selection and renames). Row filters (TableSpec.filter) are the caller's: events arrive filtered.
import type { Connection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { ChangeEvent, Row } from '../../source/types.js';
import { MigError } from '../../util/errors.js';
import {
  checkpointTable, clearPending, createCheckpointTableSql, readCheckpointRows, writeCheckpoint,
  type CheckpointTarget, type FeedCheckpoint, type PendingDdl,
} from './checkpoint.js';
import { connectDestination, destinationError, isConnectionLost, type DestinationEndpoint } from './connect.js';
import { translateDdl } from './ddl-translate.js';
import { runDdl } from './ddl-run.js';
import { describeDestTable, type DestTable } from './dest-table.js';
import { deleteSql, insertParts, keepsKey, keyCondition, tuple, updateSql, writable, type InsertMode } from './dml.js';
import type { TableRef, TargetNames } from './names.js';
import { qualified, quoteIdent } from './names.js';

export interface MysqlApplierOptions {
  /** metadata.name of the migration: the checkpoint rows' key. */
  migration: string;
  names: TargetNames;
  /** spec.destination.checkpointDatabase. */
  checkpointDatabase: string;
  /** spec.destination.batchRows: rows per INSERT in writeRows. */
  batchRows: number;
  /** Opens a new destination session (connectDestination does the session settings). */
  connect: () => Promise<Connection>;
  /** Driver errors as MigErrors; default: generic. */
  describeError?: (e: unknown, doing: string) => MigError;
  /** Tries of one transaction on deadlocks, lock wait timeouts and lost connections. Default 8. */
  maxAttempts?: number;
  /** Things the user should know that do not stop the migration (skipped DDL clauses, …). */
  onNote?: (note: string) => void;
}

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

const ER_LOCK_WAIT_TIMEOUT = 1205;
const ER_LOCK_DEADLOCK = 1213;
const ER_BAD_DB = 1049;
const ER_NO_SUCH_TABLE = 1146;
/** Margin under max_allowed_packet for the protocol header and the statement's own text. */
const PACKET_MARGIN = 4096;

interface FeedState {
  /** Offset of the last message applied; undefined when the feed has no checkpoint yet. */
  offset?: bigint;
  pending?: PendingDdl;
}

/** One statement of a planned transaction. */
type Op =
  | { kind: 'insert'; table: DestTable; columns: string[]; key: string; tuple: string; what: string }
  | { kind: 'update'; table: DestTable; sql: string; after: Row; what: string }
  /** keyed: `cond` is a key condition, so consecutive keyed deletes of a table share one statement. */
  | { kind: 'delete'; table: DestTable; sql: string; cond?: string; what: string };

export class MysqlApplier {
  readonly #o: Required<Omit<MysqlApplierOptions, 'onNote'>> & Pick<MysqlApplierOptions, 'onNote'>;
  #conn?: Connection;
  #maxPacket?: number;
  readonly #tables = new Map<string, DestTable>();
  readonly #feeds = new Map<string, FeedState>();
  /** Public calls run one at a time: they share one session and its transaction. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(opts: MysqlApplierOptions) {
    this.#o = {
      maxAttempts: 8,
      describeError: (e, doing) => (e instanceof MigError ? e : new MigError('destination-error', `${doing}: ${String((e as Error).message ?? e)}`)),
      ...opts,
    };
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
    await a.#serial(() => a.#session());
    return a;
  }

  async close(): Promise<void> {
    await this.#queue.catch(() => undefined);
    const c = this.#conn;
    this.#conn = undefined;
    await c?.end().catch(() => c.destroy());
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #session(): Promise<Connection> {
    if (this.#conn) return this.#conn;
    try {
      this.#conn = await this.#o.connect();
    } catch (e) {
      throw this.#o.describeError(e, 'connecting to the destination');
    }
    if (this.#maxPacket === undefined) {
      const [rows] = await this.#conn.query<RowDataPacket[]>('SELECT @@max_allowed_packet AS p');
      this.#maxPacket = Number(rows[0]!.p);
    }
    return this.#conn;
  }

  #drop(): void {
    this.#conn?.destroy();
    this.#conn = undefined;
  }

  /** Creates the checkpoint database and table when missing. */
  ensureCheckpointTable(): Promise<void> {
    return this.#serial(() => this.#ensureCheckpointTable());
  }

  async #ensureCheckpointTable(): Promise<void> {
    const conn = await this.#session();
    try {
      await conn.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(this.#o.checkpointDatabase)}`);
      await conn.query(createCheckpointTableSql(this.#o.checkpointDatabase));
    } catch (e) {
      throw this.#o.describeError(e, `creating ${checkpointTable(this.#o.checkpointDatabase)}`);
    }
  }

  /** Every feed's checkpoint of a migration (default: this applier's). */
  readCheckpoints(migration: string = this.#o.migration): Promise<FeedCheckpoint[]> {
    return this.#serial(async () => {
      const rows = await readCheckpointRows(await this.#session(), this.#o.checkpointDatabase, migration);
      if (migration === this.#o.migration) for (const r of rows) this.#feeds.set(r.feed, feedState(r));
      return rows;
    });
  }

  /**
   * Runs every DDL statement left pending by a crash (see #applyDdl). Also done on its own before
   * anything else is applied to such a feed; call it at start to have it done up front.
   */
  finishPendingDdl(): Promise<PendingDdl[]> {
    return this.#serial(async () => {
      const rows = await readCheckpointRows(await this.#session(), this.#o.checkpointDatabase, this.#o.migration);
      const done: PendingDdl[] = [];
      for (const r of rows) {
        this.#feeds.set(r.feed, feedState(r));
        if (r.ddlPending) {
          await this.#finishDdl(r.feed, r.ddlPending);
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
          await this.#applyDdl(ddl[0]!, tx.checkpoint);
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
    if (st.pending) await this.#finishDdl(feed, st.pending);
    return st;
  }

  /** The feed's checkpoint row; the checkpoint table is created the first time it is missing. */
  async #readFeed(feed: string): Promise<FeedCheckpoint[]> {
    const conn = await this.#session();
    try {
      return await readCheckpointRows(conn, this.#o.checkpointDatabase, this.#o.migration, feed);
    } catch (e) {
      if ((e as { errno?: number }).errno !== ER_NO_SUCH_TABLE && (e as { errno?: number }).errno !== ER_BAD_DB) throw this.#o.describeError(e, 'reading the checkpoint');
    }
    await this.#ensureCheckpointTable();
    return [];
  }

  /** Resolves tables and builds the statements before the transaction starts (no locks held meanwhile). */
  async #plan(events: ChangeEvent[]): Promise<{ ops: Op[]; ignored: number }> {
    const ops: Op[] = [];
    let ignored = 0;
    for (const ev of events) {
      if (ev.kind !== 'row') continue;
      const map = this.#o.names.table(ev.database, ev.table);
      if (!map || !map.operations.has(ev.op)) {
        ignored++;
        continue;
      }
      const t = await this.#table(map.target);
      const what = `${ev.op} on ${map.target.database}.${map.target.table}`;
      const after = ev.after && writable(t, map.project(ev.after));
      const before = ev.before && map.project(ev.before);
      if (ev.op === 'insert' && after) {
        const columns = Object.keys(after);
        ops.push({ kind: 'insert', table: t, columns, key: `${map.target.database}.${map.target.table}\u0000${columns.join('\u0000')}`, tuple: tuple(t, columns, after), what });
      } else if (ev.op === 'update' && after && before) {
        if (keepsKey(t, before, after) && Object.keys(after).length === Object.keys(writable(t, before)).length) {
          // Same key, whole row: UPDATE … WHERE key, or the after image when the row is missing, is
          // exactly what an upsert of the after image does, and upserts batch with inserts.
          const columns = Object.keys(after);
          ops.push({ kind: 'insert', table: t, columns, key: `${map.target.database}.${map.target.table}\u0000${columns.join('\u0000')}`, tuple: tuple(t, columns, after), what });
        } else {
          ops.push({ kind: 'update', table: t, sql: updateSql(t, before, after), after, what });
        }
      } else if (ev.op === 'delete' && before) {
        ops.push({ kind: 'delete', table: t, sql: deleteSql(t, before), cond: keyCondition(t, before), what });
      } else {
        throw new MigError('feed-event', `${what}: the change lacks its ${ev.op === 'insert' ? 'after' : 'before'} image`, 'this is a bug in the feed decoder; report it');
      }
    }
    return { ops, ignored };
  }

  async #table(ref: TableRef): Promise<DestTable> {
    const id = `${ref.database}.${ref.table}`;
    const known = this.#tables.get(id);
    if (known) return known;
    const t = await describeDestTable(await this.#session(), ref);
    if (!t) {
      throw new MigError('destination-table-missing', `the destination has no table ${id}`, 'run the schema phase (spec.types has schema) or create the table at the destination, then run again');
    }
    this.#tables.set(id, t);
    return t;
  }

  async #applyRows(group: UpstreamTransaction[]): Promise<{ rows: number; ignored: number }> {
    const { ops, ignored } = await this.#plan(group.flatMap((g) => g.events));
    const last = new Map<string, CheckpointTarget>();
    for (const g of group) last.set(g.checkpoint.feed, g.checkpoint);
    await this.#transaction([...last.values()], async (conn) => {
      await this.#execute(conn, ops, 'upsert');
      for (const cp of last.values()) await writeCheckpoint(conn, this.#o.checkpointDatabase, this.#o.migration, cp, null);
    });
    for (const cp of last.values()) this.#feeds.get(cp.feed)!.offset = BigInt(cp.offset);
    return { rows: ops.length, ignored };
  }

  /**
   * Runs ops in order. Consecutive inserts into the same table with the same columns share one
   * multi-row INSERT, cut at batchRows and at max_allowed_packet.
   */
  async #execute(conn: Connection, ops: Op[], mode: InsertMode): Promise<void> {
    const limit = Math.max(1024, (this.#maxPacket ?? 16 << 20) - PACKET_MARGIN);
    for (let i = 0; i < ops.length; ) {
      const op = ops[i]!;
      if (op.kind === 'insert') {
        const { head, tail } = insertParts(op.table, op.columns, mode);
        const tuples = [op.tuple];
        let bytes = Buffer.byteLength(head) + Buffer.byteLength(tail) + Buffer.byteLength(op.tuple);
        let j = i + 1;
        for (; j < ops.length && tuples.length < this.#o.batchRows; j++) {
          const next = ops[j]!;
          if (next.kind !== 'insert' || next.key !== op.key) break;
          const b = Buffer.byteLength(next.tuple) + 2;
          if (bytes + b > limit) break;
          tuples.push(next.tuple);
          bytes += b;
        }
        await this.#query(conn, head + tuples.join(', ') + tail, op.what);
        i = j;
      } else if (op.kind === 'update') {
        const r = await this.#query(conn, op.sql, op.what);
        // No row had the before image's key: the destination missed the row (a filter let the update
        // through but not the insert, or the row was changed by hand). Writing the after image makes
        // the destination converge on the source's row instead of losing the change.
        if (r.affectedRows === 0) {
          const columns = Object.keys(op.after);
          const { head, tail } = insertParts(op.table, columns, 'upsert');
          await this.#query(conn, head + tuple(op.table, columns, op.after) + tail, `${op.what} (row missing: inserted)`);
        }
        i++;
      } else if (op.cond !== undefined) {
        // Deletes by key of one table: one statement, each key finds at most one row.
        const conds = [op.cond];
        let bytes = Buffer.byteLength(op.sql) + 8;
        let j = i + 1;
        for (; j < ops.length && conds.length < this.#o.batchRows; j++) {
          const next = ops[j]!;
          if (next.kind !== 'delete' || next.table !== op.table || next.cond === undefined) break;
          const b = Buffer.byteLength(next.cond) + 8;
          if (bytes + b > limit) break;
          conds.push(next.cond);
          bytes += b;
        }
        const sql = conds.length === 1 ? op.sql : `DELETE FROM ${qualified(op.table.ref)} WHERE ${conds.map((c) => `(${c})`).join(' OR ')}`;
        await this.#query(conn, sql, op.what);
        i = j;
      } else {
        await this.#query(conn, op.sql, op.what);
        i++;
      }
    }
  }

  async #query(conn: Connection, sql: string, what: string): Promise<ResultSetHeader> {
    try {
      const [r] = await conn.query<ResultSetHeader>(sql);
      return r;
    } catch (e) {
      throw new StatementError(e, what);
    }
  }

  /**
   * One destination transaction, tried again from the start on a deadlock, a lock wait timeout or a
   * lost session. When the session is lost the COMMIT may have landed anyway: the checkpoint tells,
   * and a transaction found committed is not run again.
   */
  async #transaction(cps: CheckpointTarget[], work: (conn: Connection) => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let conn: Connection | undefined;
      try {
        conn = await this.#session();
        await conn.query('START TRANSACTION');
        await work(conn);
        await conn.query('COMMIT');
        return;
      } catch (e) {
        const cause = e instanceof StatementError ? e.cause : e;
        const lost = isLost(cause);
        if (lost) this.#drop();
        else if (conn) await conn.query('ROLLBACK').catch(() => this.#drop());
        const errno = (cause as { errno?: number }).errno;
        const retry = lost || errno === ER_LOCK_DEADLOCK || errno === ER_LOCK_WAIT_TIMEOUT;
        if (!retry || attempt >= this.#o.maxAttempts) throw this.#describe(e, cps);
        await sleep(Math.min(5000, 50 * 2 ** (attempt - 1)));
        if (lost && (await this.#committed(cps).catch(() => false))) return;
      }
    }
  }

  /** Whether every checkpoint in `cps` is already stored (its transaction committed). */
  async #committed(cps: CheckpointTarget[]): Promise<boolean> {
    if (cps.length === 0) return false;
    const conn = await this.#session();
    for (const cp of cps) {
      const [row] = await readCheckpointRows(conn, this.#o.checkpointDatabase, this.#o.migration, cp.feed);
      if (!row || row.kafkaOffset === null || BigInt(row.kafkaOffset) < BigInt(cp.offset)) return false;
    }
    return true;
  }

  #describe(e: unknown, cps: CheckpointTarget[]): MigError {
    const at = cps.map((c) => `${c.feed} offset ${c.offset}`).join(', ');
    if (e instanceof StatementError) return this.#o.describeError(e.cause, `${e.what} (transaction up to ${at})`);
    return this.#o.describeError(e, `applying the transaction up to ${at}`);
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
   * and the statement is run again before anything else on the feed (#feed, finishPendingDdl). If it
   * had run already, the server says so (table exists, duplicate column, …) and that counts as done
   * (ddl-run.ts). Either way the statement takes effect once, and nothing after it is applied first.
   * A statement that fails for another reason stays pending and is tried again on the next run,
   * after the user fixed the destination.
   */
  async #applyDdl(ev: Extract<ChangeEvent, { kind: 'ddl' }>, cp: CheckpointTarget): Promise<void> {
    const t = translateDdl({ database: ev.database, sql: ev.sql }, this.#o.names);
    for (const n of t?.notes ?? []) this.#note(`DDL at ${cp.feed} offset ${cp.offset}: ${n}`);
    const pending: PendingDdl | null = t ? { kind: t.kind, database: t.database, sql: t.sql, tables: t.tables } : null;
    await this.#transaction([cp], (conn) => writeCheckpoint(conn, this.#o.checkpointDatabase, this.#o.migration, cp, pending));
    const st = this.#feeds.get(cp.feed)!;
    st.offset = BigInt(cp.offset);
    if (pending) {
      st.pending = pending;
      await this.#finishDdl(cp.feed, pending);
    }
  }

  /** Steps 2 and 3 of #applyDdl. */
  async #finishDdl(feed: string, ddl: PendingDdl): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await runDdl(await this.#session(), ddl);
        if (r.alreadyDone) this.#note(`DDL already in place at the destination (error ${r.alreadyDone.errno}: ${r.alreadyDone.message}), counted as done: ${ddl.sql.slice(0, 200)}`);
        break;
      } catch (e) {
        const lost = isLost(e);
        if (lost) this.#drop();
        if (!lost || attempt >= this.#o.maxAttempts) {
          const err = this.#o.describeError(e, `running DDL ${ddl.sql.slice(0, 200)} (feed ${feed})`);
          throw new MigError(err.code, err.message, err.hint ?? 'fix the destination so the statement can run (or make the change by hand); it stays pending and runs again when the migration restarts');
        }
        await sleep(Math.min(5000, 50 * 2 ** (attempt - 1)));
      }
    }
    this.#tables.clear();
    await this.#transaction([], (c) => clearPending(c, this.#o.checkpointDatabase, this.#o.migration, feed));
    const st = this.#feeds.get(feed);
    if (st) st.pending = undefined;
  }

  /**
   * Full-load rows of one source table, under mapped names. keep-existing leaves rows already at
   * the destination alone (DTS's full load with conflicts ignored); upsert overwrites them (reading
   * a chunk again after a crash gives the same result). Statements commit one by one: each is
   * idempotent, and the caller checkpoints its own cursor after this returns.
   */
  writeRows(source: TableRef, rows: Row[], mode: InsertMode): Promise<number> {
    return this.#serial(async () => {
      const map = this.#o.names.table(source.database, source.table);
      if (!map) throw new MigError('table-not-migrated', `${source.database}.${source.table} is not part of the migration`, 'this is a bug in the caller; report it');
      const t = await this.#table(map.target);
      const what = `loading ${map.target.database}.${map.target.table}`;
      const ops: Op[] = rows.map((r) => {
        const row = writable(t, map.project(r));
        const columns = Object.keys(row);
        return { kind: 'insert', table: t, columns, key: columns.join('\u0000'), tuple: tuple(t, columns, row), what };
      });
      for (let attempt = 1; ; attempt++) {
        const conn = await this.#session();
        try {
          await this.#execute(conn, ops, mode);
          return rows.length;
        } catch (e) {
          const cause = e instanceof StatementError ? e.cause : e;
          const lost = isLost(cause);
          if (lost) this.#drop();
          const errno = (cause as { errno?: number }).errno;
          if (!(lost || errno === ER_LOCK_DEADLOCK || errno === ER_LOCK_WAIT_TIMEOUT) || attempt >= this.#o.maxAttempts) {
            throw this.#o.describeError(cause, e instanceof StatementError ? e.what : what);
          }
          await sleep(Math.min(5000, 50 * 2 ** (attempt - 1)));
        }
      }
    });
  }

  /** Forgets cached table shapes (after DDL made outside the applier). */
  forgetTables(): void {
    this.#tables.clear();
  }

  #note(n: string): void {
    this.#o.onNote?.(n);
  }
}

/** A failed statement and what it was doing, so the error can name the table and operation. */
class StatementError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly what: string,
  ) {
    super(String((cause as Error)?.message ?? cause));
  }
}

/** The session is gone (or could not be opened): worth a new session and another try. */
function isLost(e: unknown): boolean {
  return isConnectionLost(e) || (e instanceof MigError && e.code === 'destination-unreachable');
}

function feedState(r: FeedCheckpoint): FeedState {
  return { offset: r.kafkaOffset === null ? undefined : BigInt(r.kafkaOffset), pending: r.ddlPending ?? undefined };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
