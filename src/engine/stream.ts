// The incremental phase from a MySQL-family source: the binlog read from where the delivery says,
// handed to the delivery the sink's checkpoint capability chose (delivery-ack.ts, delivery-tx.ts),
// with the reader paused while the sink's queue is full, and stops on a signal or, with
// --until-caught-up, at the end of log as of the start.
import type { TxBatch } from '../model/source-data.js';
import { BinlogReader } from '../connectors/sources/mysql/binlog-reader.js';
import { describeTable } from '../connectors/sources/mysql/inspect.js';
import { comparePositions } from '../connectors/sources/mysql/position.js';
import { startStream, Waker } from './stream-common.js';
import { valueOptions, type RunContext } from './context.js';
import type { Delivery } from './delivery.js';

export interface StreamOptions {
  /** Stop once the checkpoint reached the source's end of log as of the start. */
  untilCaughtUp: boolean;
  serverId: number;
}

export async function runStream<O>(ctx: RunContext<O>, delivery: Delivery, opts: StreamOptions): Promise<void> {
  const name = ctx.migration.metadata.name;
  const from = await delivery.start();
  const started = await startStream(ctx, from, opts.untilCaughtUp);
  if (!started) return;
  const { meta, until } = started;

  const highWater = ctx.sink.capabilities.queueSize;
  let events = 0;
  let failure: Error | undefined;
  const waker = new Waker();
  const poke = waker.poke;
  let observedIdle: { file: string; pos: number } | undefined;

  const reader = new BinlogReader({
    endpoint: ctx.endpoint,
    serverId: opts.serverId,
    flavor: ctx.flavor,
    tables: ctx.shapes,
    databases: new Set(ctx.migration.spec.objects.map((o) => o.database)),
    describe: async (db, t) => {
      const shape = await describeTable(meta, db, t);
      if (shape) delivery.described?.(db, t, shape);
      return shape;
    },
    values: valueOptions(ctx.migration),
    onBatch: (b: TxBatch) => {
      events += b.events.length;
      delivery.take(b);
      if (delivery.backlog >= highWater) reader.pause();
      poke();
    },
    onPosition: (p) => {
      if (!p.inTransaction) {
        observedIdle = p;
        poke();
      }
    },
    onError: (e) => {
      failure = e;
      poke();
    },
  });

  const stop = () => poke();
  ctx.signal.addEventListener('abort', stop);
  try {
    await reader.start(from);
    for (;;) {
      if (failure) throw failure;
      // flush() takes the queue before it awaits: the reader goes on while the sink writes.
      const flushing = delivery.flush();
      if (delivery.backlog < highWater) reader.resume();
      const flushed = await flushing;
      if (flushed !== false) {
        if (flushed) ctx.hook({ type: 'stream-progress', migration: name, events, checkpoint: flushed });
        continue;
      }
      if (await delivery.settle({ stopping: false })) continue;
      if (ctx.signal.aborted) {
        await delivery.settle({ stopping: true });
        await ctx.checkpointer.save();
        ctx.hook({ type: 'stream-stop', migration: name, events, checkpoint: ctx.mstate.checkpoint, reason: 'signal' });
        return;
      }
      if (until && observedIdle && !delivery.midTransaction && comparePositions(observedIdle, until) >= 0) {
        await delivery.settle({ stopping: true, caughtUp: observedIdle });
        await ctx.checkpointer.save();
        ctx.hook({ type: 'stream-stop', migration: name, events, checkpoint: ctx.mstate.checkpoint, reason: 'caught-up' });
        return;
      }
      await waker.sleep(200);
    }
  } finally {
    ctx.signal.removeEventListener('abort', stop);
    await reader.stop();
    await meta.end().catch(() => undefined);
  }
}
