// The incremental phase from a MySQL-family source: the binlog, read from where the delivery says,
// into the delivery the sink's checkpoint capability chose (delivery-ack.ts, delivery-tx.ts), through
// the one stream loop. With --until-caught-up it stops at the end of log as of the start.
import type { TxBatch } from '../model/source-data.js';
import { BinlogReader } from '../connectors/sources/mysql/binlog-reader.js';
import { describeTable } from '../connectors/sources/mysql/inspect.js';
import { comparePositions } from '../connectors/sources/mysql/position.js';
import { startStream } from './stream-common.js';
import { valueOptions, type RunContext } from './context.js';
import type { BinlogDelivery, QuietPoint } from './delivery.js';
import { LoopControl, runStreamLoop } from './stream-loop.js';
import type { Backfill } from './backfill.js';
import { noteSourceClock, startHeartbeat } from './source-heartbeat.js';
import { DdlGate } from './ddl-gate.js';
import { formatPosition } from '../connectors/sources/mysql/position.js';

export interface StreamOptions {
  /** Stop once the checkpoint reached the source's end of log as of the start. */
  untilCaughtUp: boolean;
  serverId: number;
  /** Tables copied while the stream runs (a streaming migration's new or re-snapshotted tables). */
  backfill?: Backfill<unknown>;
}

export async function runStream<O>(ctx: RunContext<O>, direct: BinlogDelivery, opts: StreamOptions): Promise<void> {
  const name = ctx.migration.metadata.name;
  const bf = opts.backfill;
  const delivery = bf ? bf.deliveryFor(direct) : direct;
  const from = await delivery.start();
  const started = await startStream(ctx, from, opts.untilCaughtUp);
  if (!started) return;
  const { meta, until } = started;
  try {
    await bf?.prepare();
  } catch (e) {
    await meta.end().catch(() => undefined);
    await bf?.stop();
    throw e;
  }
  await noteSourceClock(ctx, meta);
  // Tables the reader decodes besides the migration's: the backfill's watermarks, the heartbeat.
  const watch = new Map(bf?.watch);
  const beat = await startHeartbeat(ctx, watch);

  const highWater = ctx.sink.capabilities.queueSize;
  const control = new LoopControl();
  let events = 0;
  let failure: Error | undefined;
  // A DDL under ddl: stop: nothing from it on is handed to the delivery.
  let halt: Error | undefined;
  const gate = new DdlGate(ctx);
  let observedIdle: QuietPoint | undefined;

  const reader = new BinlogReader({
    endpoint: ctx.endpoint,
    serverId: opts.serverId,
    flavor: ctx.flavor,
    tables: ctx.shapes,
    watch,
    databases: new Set(ctx.migration.spec.objects.map((o) => o.database)),
    describe: async (db, t) => {
      const shape = await describeTable(meta, db, t);
      if (shape && !beat?.filter.isHeartbeatTable(db, t)) delivery.described?.(db, t, shape);
      return shape;
    },
    values: valueOptions(ctx.migration),
    onBatch: (read: TxBatch) => {
      if (halt) return;
      const passed = gate.pass(read.events, () => `binlog ${formatPosition(read.end)} (where the statement ends)`);
      if (!Array.isArray(passed)) {
        halt = passed;
        reader.pause();
        control.poke();
        return;
      }
      // Heartbeat rows are no change of anyone's data: out before anything counts or forwards them.
      const gated = passed === read.events ? read : { ...read, events: passed };
      const b = beat ? beat.filter.take(gated) : gated;
      events += b.events.length;
      control.read(b.events);
      // A heartbeat alone has nothing for a backfill window: the delivery only checkpoints it.
      (b.heartbeat ? direct : delivery).take(b);
      if (delivery.backlog >= highWater) reader.pause();
      control.poke();
    },
    onPosition: (p) => {
      if (!p.inTransaction) {
        observedIdle = p;
        control.poke();
      }
    },
    onError: (e) => {
      failure = e;
      control.poke();
    },
  });

  try {
    await runStreamLoop(ctx, control, {
      start: async () => {
        await reader.start(from);
        bf?.start(control.poke);
      },
      pause: () => reader.pause(),
      resume: () => reader.resume(),
      stop: async () => {
        await bf?.stop();
        await reader.stop();
      },
      failure: () => failure ?? bf?.failure(),
      halted: () => halt,
      // Everything before the observed position is written and no transaction is open there; a
      // backfill under way is part of catching up.
      caughtUp: () => (until && !bf?.active && observedIdle && comparePositions(observedIdle, until) >= 0 ? observedIdle : undefined),
    }, delivery, {
      progress: (checkpoint) => ctx.hook({ type: 'stream-progress', migration: name, events, checkpoint }),
      stopped: (reason) => ctx.hook({ type: 'stream-stop', migration: name, events, checkpoint: ctx.mstate.checkpoint, reason }),
    });
  } finally {
    await beat?.stop();
    await meta.end().catch(() => undefined);
  }
}
