// The full phase: every table that still needs it is copied from one consistent snapshot, chunk by
// chunk; each chunk's cursor is checkpointed only after the destination acknowledged the chunk.
import type { Connection } from 'mysql2/promise';
import type { TableState } from '../state/model.js';
import type { TableInfo } from '../model/source-data.js';
import { connectSource, sourceError } from '../connectors/sources/mysql/connect.js';
import { closeSnapshot, openSnapshot, TableChunker } from '../connectors/sources/mysql/snapshot-reader.js';
import { sinkKindOf } from '../connectors/registry.js';
import { valueOptions } from './context.js';
import type { RunContext } from './context.js';
import { fullLimiters, rowsCost } from './throttle.js';
import { noteEstimate } from './counters.js';

/** Tables whose full load is not finished, in spec order. */
export function tablesNeedingFull<O>(ctx: RunContext<O>): TableState[] {
  return [...ctx.desired.keys()]
    .map((id) => ctx.mstate.tables[id]!)
    .filter((t) => t && !t.fullDoneAt);
}

export async function runFullLoad<O>(ctx: RunContext<O>): Promise<void> {
  const todo = tablesNeedingFull(ctx);
  if (todo.length === 0 || ctx.signal.aborted) return;
  const conn = await connectSource(ctx.endpoint);
  // One set of buckets for the whole load, so the limits hold across tables.
  const limits = fullLimiters(ctx.migration);
  try {
    await ctx.openSnapshot(conn);
    for (const ts of todo) {
      if (ctx.signal.aborted) break;
      await loadTable(ctx, conn, ts, limits);
    }
  } finally {
    await closeSnapshot(conn);
    await conn.end().catch(() => undefined);
  }
}

/** After the full load, every table that is done (or had none to do) streams from here on. */
export async function enterIncremental<O>(ctx: RunContext<O>): Promise<void> {
  const full = ctx.migration.spec.types.includes('full');
  for (const id of ctx.desired.keys()) {
    const ts = ctx.mstate.tables[id]!;
    if (ts.fullDoneAt || !full) ts.phase = 'incremental';
  }
  await ctx.checkpointer.save();
}

/**
 * Opens the consistent snapshot on a MySQL-family source and records where the binlog stands.
 * The first snapshot's position stays the stream's start even when a later run (after a crash)
 * reads the rest of the tables from a newer snapshot: replaying from the older point re-sends some
 * changes but can never skip one.
 */
export async function openBinlogSnapshot<O>(ctx: RunContext<O>, conn: Connection): Promise<void> {
  const position = await openSnapshot(conn, ctx.flavor).catch((e) => {
    throw sourceError(ctx.endpoint, e);
  });
  const reused = ctx.mstate.snapshot !== undefined;
  if (!ctx.mstate.snapshot) {
    ctx.mstate.snapshot = { position, takenAt: new Date().toISOString() };
    await ctx.checkpointer.save();
  }
  ctx.hook({ type: 'snapshot-opened', migration: ctx.migration.metadata.name, at: `binlog ${position.file}:${position.pos}`, reused });
}

async function loadTable<O>(ctx: RunContext<O>, conn: Connection, ts: TableState, limits: ReturnType<typeof fullLimiters>): Promise<void> {
  const name = ctx.migration.metadata.name;
  const shape = ctx.shapes.get(ts.id)!;
  const desired = ctx.desired.get(ts.id)!;
  const started = Date.now();
  await emptyForRecopy(ctx, shape, ts);
  if (shape.keyKind === 'none') {
    const consequence = sinkKindOf(ctx.migration.spec.destination).keylessConsequence.apply;
    ctx.hook({ type: 'table-warning', migration: name, table: ts.id, message: `no primary or unique key: the table is read in one pass (a resumed load starts it over) and ${consequence}` });
    // An earlier run began this table (fullStartedAt is saved before its first chunk is sent), so
    // rows may be at the destination even when no chunk was checkpointed.
    if (ts.fullStartedAt !== undefined && ctx.sink.restartTable) {
      const r = await ctx.sink.restartTable(shape, ts);
      ctx.hook(r.emptied ? { type: 'change-applied', migration: name, summary: r.message } : { type: 'table-warning', migration: name, table: ts.id, message: r.message });
    }
    if (ts.rowsCopied > 0) {
      ts.rowsReread = (ts.rowsReread ?? 0) + ts.rowsCopied;
      ts.rowsCopied = 0;
    }
  } else if (shape.keyKind === 'unique') {
    ctx.hook({ type: 'table-warning', migration: name, table: ts.id, message: `no primary key: chunks and message keys use the unique key (${shape.chunkKey.join(', ')})` });
  }
  ts.phase = 'full';
  ts.fullStartedAt ??= new Date().toISOString();
  ts.keyColumns = shape.chunkKey;
  noteEstimate(ts, shape.estimatedRows);
  ctx.hook({ type: 'table-start', migration: name, table: ts.id, resumeFrom: ts.rowsCopied, estimatedRows: shape.estimatedRows });
  await ctx.checkpointer.save();

  const chunker = new TableChunker(conn, shape, ctx.migration.spec.full.chunkSize, desired.filter, valueOptions(ctx.migration));
  const es = Date.parse(ctx.mstate.snapshot?.takenAt ?? ctx.mstate.feed?.takenAt ?? new Date().toISOString());
  let readCursor = shape.keyKind === 'none' ? undefined : ts.cursor;
  // Chunks being written; each one's checkpoint waits for the chunk before it, so the recorded
  // cursor never passes a chunk that is not acknowledged, whatever order the writes finish in.
  const inFlight: Promise<void>[] = [];
  const parallel = Math.max(1, ctx.chunksInFlight ?? 1);
  let checkpointed: Promise<void> = Promise.resolve();
  for (;;) {
    if (ctx.signal.aborted) break;
    // Read the next chunk while earlier ones are on their way to the destination (throttle.sourceQps
    // counts these SELECTs).
    await limits.queries.take({ rows: 1 }, ctx.signal);
    const chunk = await chunker.next(readCursor).catch((e) => {
      throw sourceError(ctx.endpoint, e);
    });
    readCursor = chunk.cursor ?? readCursor;
    const now = Date.now();
    const msgs: O[] = [];
    for (let i = 0; i < chunk.rows.length; i++) {
      const m = ctx.sink.snapshotRow(shape, chunk.rows[i]!, es, now);
      if (m) msgs.push(m);
    }
    // Only the count and the cursor outlive the conversion: the rows themselves are garbage now,
    // not held (and promoted to the old generation) until the destination acknowledges the chunk.
    const { cursor, last } = chunk;
    const rows = chunk.rows.length;
    // rowsPerSecond and mbPerSecond: the chunk waits here, before it is sent, until it is paid for.
    if (limits.rows.limited) await limits.rows.take(rowsCost(chunk.rows), ctx.signal);
    chunk.rows = [];
    while (inFlight.length >= parallel) await inFlight.shift();
    const previous = checkpointed;
    const done = Promise.all([ctx.sink.send(msgs), previous]).then(async () => {
      if (cursor) ts.cursor = cursor;
      ts.rowsCopied += rows;
      // Throttled like the stream's checkpoints, so a load of small chunks does not pay a state write
      // for each; but at most one acknowledged chunk waits for the next write, so a crash re-sends it
      // and the one in flight, never more, however fast the destination acknowledges. A keyless table
      // has no cursor to resume from; its count is what a restart reports as written twice, so it is
      // kept exact.
      await (shape.keyKind === 'none' ? ctx.checkpointer.save() : ctx.checkpointer.saveThrottled(1));
      ctx.hook({ type: 'chunk', migration: name, table: ts.id, rows, total: ts.rowsCopied });
    });
    // Marked handled here; the rejection still surfaces when the chunk is awaited.
    done.catch(() => undefined);
    checkpointed = done;
    inFlight.push(done);
    if (last) break;
  }
  for (const p of inFlight) await p;
  if (ctx.signal.aborted) return;
  ts.fullDoneAt = new Date().toISOString();
  ts.phase = ctx.migration.spec.types.includes('incremental') ? 'incremental' : 'full';
  await ctx.checkpointer.save();
  ctx.hook({ type: 'table-done', migration: name, table: ts.id, rows: ts.rowsCopied, seconds: (Date.now() - started) / 1000 });
}

/**
 * Before a table is copied again (its filter or columns changed, or --replace named it), a
 * destination table this migration created is emptied, so rows the new copy leaves out do not
 * linger; one mig found in place keeps its rows (they may not all be this migration's).
 */
export async function emptyForRecopy<O>(ctx: RunContext<O>, shape: TableInfo, ts: TableState): Promise<void> {
  if (!ts.recopy) return;
  const name = ctx.migration.metadata.name;
  if (ctx.sink.restartTable && ts.targetOrigin === 'created') {
    const r = await ctx.sink.restartTable(shape, ts);
    ctx.hook(r.emptied
      ? { type: 'change-applied', migration: name, summary: `${ts.id}: emptied ${ts.target} before copying it again` }
      : { type: 'table-warning', migration: name, table: ts.id, message: r.message });
  }
  delete ts.recopy;
  await ctx.checkpointer.save();
}
