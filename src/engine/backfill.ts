// Backfill while streaming: tables added to (or re-snapshotted in) a migration whose stream already
// runs are copied without stopping it, by the watermark method of Netflix's DBLog, which Debezium's
// incremental snapshots also use.
//
// For each chunk (the next `chunkSize` rows by key after the table's cursor):
//   1. write a low watermark row on the source (a committed write: it lands in the binary log);
//   2. read the chunk with one SELECT (its own consistent read, no long transaction, no lock);
//   3. write a high watermark row.
// The stream reads on as usual. Between the low and the high watermark it notes every key of the
// table that a change touched. At the high watermark the chunk's rows whose key was not touched are
// handed to the destination, as of that point of the log; the touched ones are left out, since a
// change inside the window is at least as new as what the SELECT saw and the stream delivers it.
// Rows the SELECT could not see committed after the low watermark, so their changes are in the
// window or after it. Every change of the table is streamed throughout, before, during and after the
// copy, so nothing falls between the copy and the stream: a consumer may see a change to a row before
// the row's copy, never a copy older than a change it was sent.
//
// Progress (the table's cursor) is recorded only once the chunk is at the destination, and together
// with a stream checkpoint at or after its high watermark; a crash repeats at most one chunk. A table
// without a key is read whole in one window, and read again if the stream touched it meanwhile.
import type { Connection } from 'mysql2/promise';
import type { Row, TableInfo, TxBatch } from '../model/source-data.js';
import { redrive } from './redrive.js';
import type { TableState } from '../state/model.js';
import { connectSource, sourceError } from '../connectors/sources/mysql/connect.js';
import { TableChunker } from '../connectors/sources/mysql/snapshot-reader.js';
import { ensureWatermarkTable, writeWatermark, WATERMARK_ID } from '../connectors/sources/mysql/watermark.js';
import { ChunkWindow, withoutWatermarks, type WindowOutcome } from './backfill-window.js';
import { MigError } from '../util/errors.js';
import { valueOptions, type RunContext } from './context.js';
import type { BinlogDelivery } from './delivery.js';
import { emptyForRecopy } from './full-load.js';
import { fullLimiters, rowsCost } from './throttle.js';
import { noteEstimate } from './counters.js';

/** How long a written watermark may take to come back through the stream before the backfill gives up. */
const WATERMARK_WAIT_MS = 120_000;
/** Attempts at one window before giving up (a keyless table the stream keeps changing, DDL after DDL). */
const WINDOW_ATTEMPTS = 20;

interface Pending {
  window: ChunkWindow;
  settle: (r: WindowOutcome) => void;
  fail: (e: Error) => void;
}

export class Backfill<O> {
  #window: Pending | undefined;
  #seq = 0;
  #conn: Connection | undefined;
  #failure: Error | undefined;
  #active = false;
  #stopped = false;
  /** The full-load throttle: chunk SELECTs sent to the source, rows handed to the destination. */
  #limits: ReturnType<typeof fullLimiters>;
  /** Ends a throttle's wait when the stream stops, as the run's signal does. */
  #halt = new AbortController();
  /** Shape of the watermark table, for the reader. */
  watch = new Map<string, TableInfo>();

  constructor(
    private readonly ctx: RunContext<O>,
    private readonly tables: TableState[],
    private readonly generation: number,
  ) {
    this.#limits = fullLimiters(ctx.migration);
  }

  /**
   * Tables a streaming migration copies while it streams: desired ones whose copy is not done (when
   * the migration has a full load), and ones whose set-aside changes `mig redrive` asked for.
   */
  static tablesFor<O>(ctx: RunContext<O>): TableState[] {
    const full = ctx.migration.spec.types.includes('full');
    return [...ctx.desired.keys()].map((id) => ctx.mstate.tables[id]!).filter((t) => t && ((full && !t.fullDoneAt) || (t.redrive?.keys.length ?? 0) > 0));
  }

  get active(): boolean {
    return this.#active;
  }

  failure(): Error | undefined {
    return this.#failure;
  }

  /** Opens the session that writes watermarks and reads chunks; before the reader starts. */
  async prepare(): Promise<void> {
    this.#conn = await connectSource(this.ctx.endpoint);
    const shape = await ensureWatermarkTable(this.#conn, this.ctx.endpoint.spec.user);
    this.watch.set(WATERMARK_ID, shape);
    this.#active = true;
  }

  /** Runs the copies; `poke` wakes the stream loop when it fails or ends. */
  start(poke: () => void): void {
    void this.#run()
      .catch((e: unknown) => {
        this.#failure = e instanceof Error ? e : new Error(String(e));
      })
      .finally(() => {
        this.#active = false;
        poke();
      });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#halt.abort();
    this.#window?.fail(new MigError('backfill-stopped', 'the stream stopped'));
    await this.#conn?.end().catch(() => undefined);
  }

  /** Wraps the stream's delivery: watermarks are taken out, and chunks put in where they belong. */
  deliveryFor(inner: BinlogDelivery): BinlogDelivery {
    return {
      ...inner,
      start: () => inner.start(),
      flush: () => inner.flush(),
      settle: (o) => inner.settle(o),
      get backlog() {
        return inner.backlog;
      },
      get midTransaction() {
        return inner.midTransaction;
      },
      take: (b) => this.#take(b, inner),
    };
  }

  #take(b: TxBatch, inner: BinlogDelivery): void {
    const p = this.#window;
    if (!p) {
      inner.take({ events: withoutWatermarks(b.events), end: b.end });
      return;
    }
    const { kept, outcome } = p.window.observe(b.events);
    // A high watermark is a transaction of its own, so it always comes with its end position.
    if (!outcome || !b.end) {
      if (kept.length > 0 || b.end) inner.take({ events: kept, end: b.end });
      return;
    }
    if (kept.length > 0) inner.take({ events: kept });
    this.#window = undefined;
    if (outcome === 'again') {
      inner.take({ events: [], end: b.end });
      p.settle(outcome);
      return;
    }
    inner.takeRows(this.ctx.shapes.get(p.window.table)!, outcome.rows, b.end, () => p.settle(outcome));
  }

  async #run(): Promise<void> {
    for (const ts of this.tables) {
      if (this.#stopped || this.ctx.signal.aborted) return;
      if (!ts.fullDoneAt) await this.#copy(ts);
      if (this.#stopped || this.ctx.signal.aborted) return;
      if (ts.redrive) await redrive(this.ctx, ts, (shape, keys) => this.#readWindow(shape, ts.id, (chunker) => chunker.byKeys(keys)));
    }
  }

  /**
   * One watermark window: low watermark, `read` (one SELECT), high watermark; resolves with the rows
   * the stream did not supersede once they are at the destination, or 'again'.
   */
  async #readWindow(shape: TableInfo, id: string, read: (chunker: TableChunker) => Promise<Row[]>): Promise<WindowOutcome> {
    const { ctx } = this;
    const name = ctx.migration.metadata.name;
    await this.#limits.queries.take({ rows: 1 }, AbortSignal.any([ctx.signal, this.#halt.signal]));
    const chunker = new TableChunker(this.#conn!, shape, Number.MAX_SAFE_INTEGER, ctx.desired.get(id)?.filter, valueOptions(ctx.migration));
    const chunk = ++this.#seq + Date.now() * 1000;
    const window = new ChunkWindow(name, id, chunk, shape.chunkKey);
    const outcome = new Promise<WindowOutcome>((settle, fail) => {
      this.#window = { window, settle, fail };
    });
    outcome.catch(() => undefined);
    const user = ctx.endpoint.spec.user;
    await writeWatermark(this.#conn!, name, chunk, 'low', user);
    window.rows = await read(chunker).catch((e) => {
      throw sourceError(ctx.endpoint, e);
    });
    await writeWatermark(this.#conn!, name, chunk, 'high', user);
    return withTimeout(outcome, id);
  }

  async #copy(ts: TableState): Promise<void> {
    const { ctx } = this;
    const name = ctx.migration.metadata.name;
    const started = Date.now();
    const shape0 = ctx.shapes.get(ts.id)!;
    await emptyForRecopy(ctx, shape0, ts);
    const keyless = shape0.chunkKey.length === 0;
    if (keyless) {
      ts.cursor = undefined;
      ts.rowsCopied = 0;
    }
    ts.phase = 'full';
    ts.fullStartedAt ??= new Date().toISOString();
    ts.keyColumns = shape0.chunkKey;
    ts.backfill ??= { generation: this.generation, startedAt: new Date().toISOString(), chunks: 0, superseded: 0 };
    await ctx.checkpointer.save();
    noteEstimate(ts, shape0.estimatedRows);
    ctx.hook({ type: 'backfill-start', migration: name, table: ts.id, estimatedRows: shape0.estimatedRows, resumeFrom: ts.rowsCopied });
    const chunkSize = keyless ? Number.MAX_SAFE_INTEGER : ctx.migration.spec.full.chunkSize;
    const filter = ctx.desired.get(ts.id)?.filter;
    const halt = AbortSignal.any([ctx.signal, this.#halt.signal]);
    for (let attempt = 0; ; ) {
      if (this.#stopped || ctx.signal.aborted) return;
      // Waited for before the window opens, so it stays as short as without a throttle.
      await this.#limits.queries.take({ rows: 1 }, halt);
      if (this.#stopped || ctx.signal.aborted) return;
      // The shape as the stream knows it now (a DDL refreshes it), and the chunk after the cursor.
      const shape = ctx.shapes.get(ts.id) ?? shape0;
      const chunker = new TableChunker(this.#conn!, shape, chunkSize, filter, valueOptions(ctx.migration));
      const chunk = ++this.#seq + Date.now() * 1000;
      const window = new ChunkWindow(name, ts.id, chunk, shape.chunkKey);
      const outcome = new Promise<WindowOutcome>((settle, fail) => {
        this.#window = { window, settle, fail };
      });
      outcome.catch(() => undefined);
      const user = ctx.endpoint.spec.user;
      await writeWatermark(this.#conn!, name, chunk, 'low', user);
      const read = await chunker.next(keyless ? undefined : ts.cursor).catch((e) => {
        throw sourceError(ctx.endpoint, e);
      });
      window.rows = read.rows;
      await writeWatermark(this.#conn!, name, chunk, 'high', user);
      const r = await withTimeout(outcome, ts.id);
      if (r === 'again') {
        if (++attempt >= WINDOW_ATTEMPTS) throw new MigError('backfill-busy', `${name}: ${ts.id} ${keyless ? 'has no key and changed' : 'had its definition changed'} during each of ${WINDOW_ATTEMPTS} attempts to copy a chunk of it while streaming`, `copy it from a new snapshot instead: mig apply --replace ${name}, or add a primary key to it`);
        continue;
      }
      // Runs once the rows are at the destination (the delivery's callback settles the window). The
      // next chunk waits until these rows are paid for.
      if (this.#limits.rows.limited) await this.#limits.rows.take(rowsCost(r.rows), halt);
      if (read.cursor) ts.cursor = read.cursor;
      ts.rowsCopied += r.rows.length;
      ts.backfill.chunks += 1;
      ts.backfill.superseded += r.superseded;
      ctx.hook({ type: 'backfill-chunk', migration: name, table: ts.id, rows: r.rows.length, superseded: ts.backfill.superseded, total: ts.rowsCopied });
      if (read.last) break;
    }
    ts.fullDoneAt = new Date().toISOString();
    ts.phase = 'incremental';
    ts.backfill.doneAt = ts.fullDoneAt;
    await ctx.checkpointer.save();
    ctx.hook({ type: 'backfill-done', migration: name, table: ts.id, rows: ts.rowsCopied, superseded: ts.backfill.superseded, chunks: ts.backfill.chunks, seconds: (Date.now() - started) / 1000 });
  }
}

async function withTimeout<T>(p: Promise<T>, table: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new MigError('watermark-missing', `the backfill of ${table} wrote watermarks to ${WATERMARK_ID} on the source, but the binary log did not bring them back within ${WATERMARK_WAIT_MS / 1000} s`, `make sure the source logs writes to ${WATERMARK_ID} (no binlog-ignore-db or replication filter on it) and that the stream is not stalled`)), WATERMARK_WAIT_MS);
    timer.unref();
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}
