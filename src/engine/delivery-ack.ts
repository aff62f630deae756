// Delivery to a sink whose writes become durable when it acknowledges them (Kafka, Tablestore):
// changes are converted as they are read, sent in batches, and the checkpoint moves only to a
// transaction or DDL boundary whose changes (and all before them) the sink acknowledged.
import type { BinlogPosition } from '../state/model.js';
import type { RunContext } from './context.js';
import type { BinlogDelivery } from './delivery.js';
import { comparePositions } from '../connectors/sources/mysql/position.js';

export function ackDelivery<O>(ctx: RunContext<O>): BinlogDelivery {
  let queue: O[] = [];
  let queuedEnd: BinlogPosition | undefined;
  let from: BinlogPosition | undefined;
  return {
    start: async () => {
      from = ctx.mstate.checkpoint ?? ctx.mstate.snapshot?.position;
      if (!from) throw new Error(`migration ${ctx.migration.metadata.name} has no snapshot position to stream from`);
      return from;
    },
    take: (b) => {
      const now = Date.now();
      for (const ev of b.events) {
        const m = ctx.sink.change(ev, (id) => ctx.shapes.get(id), now);
        if (m) queue.push(m);
      }
      if (b.end) queuedEnd = b.end;
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
      queue = [];
      queuedEnd = undefined;
      await ctx.sink.send(batch);
      if (!end) return undefined;
      ctx.mstate.checkpoint = { ...end, serverId: end.serverId ?? ctx.mstate.snapshot?.position.serverId };
      ctx.mstate.eventsStreamed = (ctx.mstate.eventsStreamed ?? 0) + batch.length;
      ctx.mstate.lastStreamedAt = new Date().toISOString();
      await ctx.checkpointer.saveThrottled();
      return ctx.mstate.checkpoint;
    },
    settle: async ({ stopping, caughtUp }) => {
      if (!stopping || !caughtUp) return false;
      // Everything up to the target is acknowledged and no transaction is open: the observed
      // position is itself a safe resume point (the events after the last Xid carried no rows).
      const cp = ctx.mstate.checkpoint;
      if (!cp || comparePositions(cp, caughtUp) < 0) ctx.mstate.checkpoint = { ...(cp ?? from!), file: caughtUp.file, pos: caughtUp.pos };
      return false;
    },
  };
}
