// Delivery to a sink that records the position with the rows (MySQL): the operation selection and
// filters are applied here, and each source transaction (every part the reader handed on) is
// applied in one destination transaction together with its binlog position (binlog-checkpoint.ts).
// A crash can neither lose a transaction nor apply one twice. The destination's checkpoint row is
// authoritative; the state keeps a copy for mig status.
import type { ChangeEvent } from '../model/source-data.js';
import type { BinlogPosition } from '../state/model.js';
import type { TransactionalSink, UpstreamTransaction } from '../connectors/contract.js';
import { decodeBinlogPosition, encodeBinlogPosition, isBinlogFeed, mirrorPosition } from '../connectors/sources/mysql/binlog-checkpoint.js';
import { comparePositions } from '../connectors/sources/mysql/position.js';
import { Selection } from '../transform/selection.js';
import type { RunContext } from './context.js';
import type { BinlogDelivery } from './delivery.js';
import { joinTable, joinsMigration } from './join-table.js';
import { countersFor, countWritten, isMigrated } from './counters.js';

/** Source transactions per destination transaction at most: shares commits, keeps locks short. */
const BATCH = 500;
/**
 * Transactions with nothing to apply (other tables, the destination's own writes when it shares the
 * server) move only the state's copy. The destination's row follows at most this often, and when the
 * stream stops, so a resume does not start before binlogs the server may have purged meanwhile.
 */
const IDLE_CHECKPOINT_MS = 60_000;

interface Pending extends UpstreamTransaction {
  end: BinlogPosition;
  /** A backfill chunk's callback, run once its rows are applied. */
  onDurable?: () => void;
  /** Of its events, the source changes (the rest are backfill rows). */
  changes: number;
}

export function txDelivery<O>(ctx: RunContext<O>, sink: TransactionalSink<O>): BinlogDelivery {
  const selection = new Selection(ctx.desired, ctx.flavor);
  let from: BinlogPosition | undefined;
  let queue: Pending[] = [];
  let queuedChanges = 0;
  // The parts of the transaction being read: applied only once its end arrives.
  let open: ChangeEvent[] = [];
  // Where the log stands after transactions with nothing to apply, not yet at the destination.
  let skippedTo: BinlogPosition | undefined;
  let lastWrite = Date.now();
  const counters = countersFor(ctx.mstate);

  const passes = (ev: Extract<ChangeEvent, { kind: 'row' }>): boolean => {
    const shape = ctx.shapes.get(`${ev.database}.${ev.table}`);
    return shape !== undefined && selection.passes(ev, shape) !== undefined;
  };
  /** Applies `txs` (or only moves the checkpoint, when empty) and mirrors the position. */
  const apply = async (txs: UpstreamTransaction[], end: BinlogPosition, changes = 0): Promise<BinlogPosition> => {
    const skippedBefore = counters.skipped;
    await sink.applyTransactions(txs);
    lastWrite = Date.now();
    ctx.mstate.checkpoint = end;
    countWritten(ctx.mstate, changes, skippedBefore);
    await ctx.checkpointer.saveThrottled();
    return end;
  };
  /**
   * A checkpoint-only transaction at `p`: nothing between the last applied transaction and `p` is of
   * interest. Only called with the queue empty (the loop flushes first), since a queued transaction
   * before `p` would then count as applied.
   */
  const moveTo = async (p: BinlogPosition) => {
    skippedTo = undefined;
    const e = encodeBinlogPosition(p);
    await apply([{ events: [], checkpoint: { feed: e.feed, offset: e.offset } }], p);
  };

  return {
    start: async () => {
      from = await resumePoint(ctx, sink);
      return from;
    },
    // A table created in a database the spec takes whole joins here, while the reader waits for
    // its shape: its CREATE TABLE is replicated (no full load), and its rows after it are applied.
    described: (db, t, shape) => {
      if (!joinsMigration(ctx, db, t)) return;
      ctx.shapes.set(`${db}.${t}`, shape);
      joinTable(ctx, shape);
    },
    take: (b) => {
      for (const ev of b.events) {
        const counted = isMigrated(ev, ctx.shapes);
        if (counted) counters.read++;
        if (ev.kind === 'ddl' ? selection.ddlSelected(ev.database, ev.table) : passes(ev)) open.push(ev);
        else if (counted) counters.filtered++;
      }
      if (!b.end) return;
      const end: BinlogPosition = { ...b.end, serverId: b.end.serverId ?? from?.serverId };
      // A heartbeat is applied as a checkpoint alone: a quiet source's lag then stays true.
      if (open.length > 0 || b.heartbeat) {
        const e = encodeBinlogPosition(end);
        queue.push({ events: open, checkpoint: { feed: e.feed, offset: e.offset }, end, changes: open.length });
        queuedChanges += open.length;
        skippedTo = undefined;
      } else {
        skippedTo = end;
      }
      open = [];
    },
    // A backfill chunk is one destination transaction with the high watermark's position: its rows
    // (upserted, so a row the stream wrote first is simply rewritten with the same or newer values)
    // and that position commit together.
    takeRows: (shape, rows, end, onDurable) => {
      const ts = end.timestamp ?? Date.now();
      const events: ChangeEvent[] = [...open, ...rows.map((after): ChangeEvent => ({ kind: 'row', op: 'insert', database: shape.database, table: shape.table, after, timestamp: ts, id: 0 }))];
      open = [];
      const e = encodeBinlogPosition(end);
      queue.push({ events, checkpoint: { feed: e.feed, offset: e.offset }, end, onDurable, changes: events.length - rows.length });
      queuedChanges += events.length;
      skippedTo = undefined;
    },
    // Pausing with only an unfinished transaction read would wait forever: it must be read whole,
    // so only complete transactions count.
    get backlog() {
      return queuedChanges;
    },
    get midTransaction() {
      return open.length > 0;
    },
    flush: async () => {
      if (queue.length === 0) return false;
      const batch = queue.splice(0, BATCH);
      queuedChanges -= batch.reduce((n, t) => n + t.events.length, 0);
      const at = await apply(batch, batch.at(-1)!.end, batch.reduce((n, t) => n + t.changes, 0));
      for (const t of batch) t.onDurable?.();
      return at;
    },
    // The stops write at most one checkpoint: when the destination shares the source's server,
    // that write is itself a new binlog event, and waiting for it would never end.
    settle: async ({ stopping, caughtUp }) => {
      // Transactions read while the loop was awaiting are still queued: a checkpoint past them (the
      // quiet stretch after them, or the caught-up point) would count them applied and lose them.
      // They are written by the next flush, or read again by the next run.
      if (queue.length > 0) return false;
      if (!stopping) {
        if (!skippedTo || Date.now() - lastWrite < IDLE_CHECKPOINT_MS) return false;
        await moveTo(skippedTo);
        return true;
      }
      if (caughtUp) {
        // Everything up to the target is applied and no transaction is open: the observed position
        // is itself a safe resume point (whatever came after the last applied one carried nothing).
        const at = ctx.mstate.checkpoint ?? from!;
        if (comparePositions(at, caughtUp) < 0) await moveTo({ ...(skippedTo ?? at), file: caughtUp.file, pos: caughtUp.pos });
        return false;
      }
      // An unfinished transaction is dropped: the next run reads it again from its start.
      if (skippedTo) await moveTo(skippedTo);
      return false;
    },
  };
}

/**
 * Where the stream starts: the destination's binlog checkpoint (written with the data it covers),
 * else the snapshot's position. A pending DDL left by a crash runs first. The state's copy is
 * brought in line, since a crash can leave it behind the destination.
 */
async function resumePoint<O>(ctx: RunContext<O>, sink: TransactionalSink<O>): Promise<BinlogPosition> {
  const name = ctx.migration.metadata.name;
  for (const d of await sink.finishPendingDdl()) ctx.hook({ type: 'change-applied', migration: name, summary: `finished DDL left pending by an earlier run: ${d.sql.slice(0, 200)}` });
  const snapshot = ctx.mstate.snapshot?.position;
  const rows = (await sink.readCheckpoints()).filter((r) => isBinlogFeed(r.feed) && r.kafkaOffset !== null);
  // Several binlog feeds only when the server's log base name changed: the latest written one counts.
  const row = rows.sort((a, b) => a.updatedAt.localeCompare(b.updatedAt)).at(-1);
  if (!row) {
    if (!snapshot) throw new Error(`migration ${name} has no snapshot position to stream from`);
    // No record at the destination yet, but the state has streamed past the snapshot: a migration
    // that now records its position at the destination (Kafka switched to delivery exactly-once)
    // goes on from there, everything before it having been delivered.
    const streamed = ctx.mstate.checkpoint;
    if (streamed && comparePositions(streamed, snapshot) > 0) return streamed;
    return snapshot;
  }
  const recorded = decodeBinlogPosition(row.feed, row.kafkaOffset!);
  // A position before the snapshot is one a re-snapshot left behind (the tables were copied again
  // from a newer snapshot, perhaps because that position was purged): the stream starts at the snapshot.
  if (snapshot && comparePositions(recorded, snapshot) < 0) return snapshot;
  const at = mirrorPosition(recorded, ctx.mstate.checkpoint, snapshot?.serverId);
  ctx.mstate.checkpoint = at;
  await ctx.checkpointer.save();
  return at;
}
