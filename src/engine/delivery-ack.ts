// Delivery to a sink whose writes become durable when it acknowledges them (Kafka, Tablestore):
// changes are converted as they are read, sent in batches, and the checkpoint moves only to a
// transaction or DDL boundary whose changes (and all before them) the sink acknowledged.
import type { BinlogPosition } from '../state/model.js';
import type { RunContext } from './context.js';
import type { BinlogDelivery } from './delivery.js';
import { comparePositions } from '../connectors/sources/mysql/position.js';
import type { PlacedEvent } from '../model/source-data.js';
import { countersFor, countWritten, isMigrated } from './counters.js';

export function ackDelivery<O>(ctx: RunContext<O>): BinlogDelivery {
  let queue: O[] = [];
  let queuedEnd: BinlogPosition | undefined;
  let from: BinlogPosition | undefined;
  // The open transaction: its first change's id and the changes handed on so far. Every start is at
  // a transaction boundary (checkpoints are), so the first part seen opens a transaction.
  let txFirst: number | undefined;
  let txSeq = 0;
  // Backfill rows' callbacks, run once the batch that carries them is acknowledged.
  let durable: (() => void)[] = [];
  // Queued messages that are changes (not backfill rows): counted as written once acknowledged.
  let queuedChanges = 0;
  const counters = countersFor(ctx.mstate);
  return {
    start: async () => {
      from = ctx.mstate.checkpoint ?? ctx.mstate.snapshot?.position;
      if (!from) throw new Error(`migration ${ctx.migration.metadata.name} has no snapshot position to stream from`);
      return from;
    },
    take: (b) => {
      const now = Date.now();
      // Each row change carries its place in the transaction (formats such as SharePlex JSON write
      // it). The size is known when the transaction's last part arrives: at once for a transaction
      // that fits one part, only on its last part for a larger one (the reader splits those).
      const rows = b.events.reduce((n, ev) => (ev.kind === 'row' ? n + 1 : n), 0);
      const size = b.end ? txSeq + rows : undefined;
      for (const ev of b.events) {
        if (ev.kind === 'row') {
          txFirst ??= ev.id;
          // Set on the reader's own event (it is handed on once): a copy per change costs the hot path.
          (ev as PlacedEvent).tx = { first: txFirst, seq: ++txSeq, size };
        }
        const counted = isMigrated(ev, ctx.shapes);
        const m = ctx.sink.change(ev, (id) => ctx.shapes.get(id), now);
        if (counted) counters.read++;
        if (m) {
          queue.push(m);
          if (counted) queuedChanges++;
        } else if (counted) counters.filtered++;
      }
      if (b.end) {
        queuedEnd = b.end;
        txFirst = undefined;
        txSeq = 0;
      }
    },
    takeRows: (shape, rows, end, onDurable) => {
      const now = Date.now();
      const es = end.timestamp ?? now;
      for (const r of rows) {
        const m = ctx.sink.snapshotRow(shape, r, es, now);
        if (m) queue.push(m);
      }
      queuedEnd = end;
      durable.push(onDurable);
    },
    get backlog() {
      return queue.length;
    },
    // The reader hands on a transaction's parts as they come; the sink takes them as they come too.
    midTransaction: false,
    flush: async () => {
      if (queue.length === 0 && !queuedEnd) return false;
      const batch = queue;
      const end = queuedEnd;
      const done = durable;
      const changes = queuedChanges;
      queue = [];
      queuedEnd = undefined;
      durable = [];
      queuedChanges = 0;
      const skippedBefore = counters.skipped;
      await ctx.sink.send(batch);
      countWritten(ctx.mstate, changes, skippedBefore);
      for (const d of done) d();
      if (!end) return undefined;
      ctx.mstate.checkpoint = { ...end, serverId: end.serverId ?? ctx.mstate.snapshot?.position.serverId };
      await ctx.checkpointer.saveThrottled();
      return ctx.mstate.checkpoint;
    },
    settle: async ({ stopping, caughtUp }) => {
      // Changes read while the loop was awaiting are not acknowledged yet: the caught-up point may lie
      // after them, and recording it would lose them. The next run reads them again.
      if (!stopping || !caughtUp || queue.length > 0 || queuedEnd) return false;
      // Everything up to the target is acknowledged and no transaction is open: the observed
      // position is itself a safe resume point (the events after the last Xid carried no rows).
      const cp = ctx.mstate.checkpoint;
      if (!cp || comparePositions(cp, caughtUp) < 0) ctx.mstate.checkpoint = { ...(cp ?? from!), file: caughtUp.file, pos: caughtUp.pos };
      return false;
    },
  };
}
