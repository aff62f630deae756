// The incremental phase of a MySQL-family source into MySQL: the binlog → operation selection and
// filters → the MySQL applier, which commits each source transaction (every part the reader handed
// on) in one destination transaction together with the binlog position (binlog-checkpoint.ts).
// Unlike runStream's send-then-checkpoint, the position is written with the rows, so a crash can
// neither lose a transaction nor apply one twice. The destination's checkpoint row is authoritative;
// the state keeps a copy for mig status.
import type { ChangeEvent, TxBatch } from '../model/source-data.js';
import type { BinlogPosition } from '../state/model.js';
import { BinlogReader } from '../connectors/sources/mysql/binlog-reader.js';
import { describeTable } from '../connectors/sources/mysql/inspect.js';
import { comparePositions } from '../connectors/sources/mysql/position.js';
import type { TransactionalSink, UpstreamTransaction } from '../connectors/contract.js';
import { decodeBinlogPosition, encodeBinlogPosition, isBinlogFeed, mirrorPosition } from '../connectors/sources/mysql/binlog-checkpoint.js';
import { startStream, Waker } from './stream-common.js';
import { valueOptions, type RunContext } from './context.js';
import { joinTable, joinsMigration } from './feed.js';
import { Selection } from '../transform/selection.js';

export interface MysqlStreamOptions {
  applier: TransactionalSink<unknown>;
  /** Stop once everything up to the source's end of log as of the start is applied. */
  untilCaughtUp: boolean;
  serverId: number;
  /** Complete transactions' changes waiting to be applied before the reader is paused. */
  highWater?: number;
}

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
}

export async function runMysqlStream<O>(ctx: RunContext<O>, o: MysqlStreamOptions): Promise<void> {
  const name = ctx.migration.metadata.name;
  const from = await resumePoint(ctx, o.applier);
  const started = await startStream(ctx, from, o.untilCaughtUp);
  if (!started) return;
  const { meta, until } = started;

  const selection = new Selection(ctx.desired, ctx.flavor);
  const highWater = o.highWater ?? 5000;
  const serverId = from.serverId;
  let queue: Pending[] = [];
  let queuedChanges = 0;
  // The parts of the transaction being read: applied only once its end arrives.
  let open: ChangeEvent[] = [];
  // Where the log stands after transactions with nothing to apply, not yet at the destination.
  let skippedTo: BinlogPosition | undefined;
  let lastWrite = Date.now();
  let events = 0;
  let failure: Error | undefined;
  const waker = new Waker();
  const poke = waker.poke;
  let observedIdle: { file: string; pos: number } | undefined;

  const reader = new BinlogReader({
    endpoint: ctx.endpoint, serverId: o.serverId, flavor: ctx.flavor, tables: ctx.shapes,
    databases: new Set(ctx.migration.spec.objects.map((ob) => ob.database)),
    describe: async (db, t) => {
      const shape = await describeTable(meta, db, t);
      // A table created in a database the spec takes whole joins here, while the reader waits for
      // its shape: its CREATE TABLE is replicated (no full load), and its rows after it are applied.
      if (shape && joinsMigration(ctx, db, t)) {
        ctx.shapes.set(`${db}.${t}`, shape);
        joinTable(ctx, shape);
      }
      return shape;
    },
    values: valueOptions(ctx.migration),
    onBatch: (b: TxBatch) => {
      for (const ev of b.events) {
        events++;
        if (ev.kind === 'ddl' ? selection.ddlSelected(ev.database, ev.table) : passes(ev)) open.push(ev);
      }
      if (!b.end) return;
      const end: BinlogPosition = { ...b.end, serverId: b.end.serverId ?? serverId };
      if (open.length > 0) {
        const e = encodeBinlogPosition(end);
        queue.push({ events: open, checkpoint: { feed: e.feed, offset: e.offset }, end });
        queuedChanges += open.length;
        skippedTo = undefined;
      } else {
        skippedTo = end;
      }
      open = [];
      // Pausing with only an unfinished transaction read would wait forever: it must be read whole.
      if (queuedChanges >= highWater) reader.pause();
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
  function passes(ev: Extract<ChangeEvent, { kind: 'row' }>): boolean {
    const shape = ctx.shapes.get(`${ev.database}.${ev.table}`);
    return shape !== undefined && selection.passes(ev, shape) !== undefined;
  }

  /** Applies `txs` (or only moves the checkpoint, when empty) and mirrors the position. */
  const apply = async (txs: UpstreamTransaction[], end: BinlogPosition) => {
    const r = await o.applier.applyTransactions(txs);
    lastWrite = Date.now();
    ctx.mstate.checkpoint = end;
    ctx.mstate.eventsStreamed = (ctx.mstate.eventsStreamed ?? 0) + r.rows;
    ctx.mstate.lastStreamedAt = new Date().toISOString();
    await ctx.checkpointer.saveThrottled();
    ctx.hook({ type: 'stream-progress', migration: name, events, checkpoint: end });
  };
  /**
   * A checkpoint-only transaction at `p`: nothing between the last applied transaction and `p` is of
   * interest. Only called with the queue empty (checked in the same tick), since a queued
   * transaction before `p` would then count as applied.
   */
  const moveTo = async (p: BinlogPosition) => {
    skippedTo = undefined;
    const e = encodeBinlogPosition(p);
    await apply([{ events: [], checkpoint: { feed: e.feed, offset: e.offset } }], p);
  };

  const stop = () => poke();
  ctx.signal.addEventListener('abort', stop);
  try {
    await reader.start(from);
    for (;;) {
      if (failure) throw failure;
      if (queue.length > 0) {
        const batch = queue.splice(0, BATCH);
        queuedChanges -= batch.reduce((n, t) => n + t.events.length, 0);
        if (queuedChanges < highWater) reader.resume();
        await apply(batch, batch.at(-1)!.end);
        continue;
      }
      if (skippedTo && Date.now() - lastWrite >= IDLE_CHECKPOINT_MS) {
        await moveTo(skippedTo);
        continue;
      }
      // The two stops write at most one checkpoint and return: when the destination shares the
      // source's server, that write is itself a new binlog event, and waiting for it would never end.
      if (ctx.signal.aborted) {
        // An unfinished transaction is dropped: the next run reads it again from its start.
        if (skippedTo) await moveTo(skippedTo);
        await ctx.checkpointer.save();
        ctx.hook({ type: 'stream-stop', migration: name, events, checkpoint: ctx.mstate.checkpoint, reason: 'signal' });
        return;
      }
      if (until && observedIdle && open.length === 0 && comparePositions(observedIdle, until) >= 0) {
        // Everything up to the target is applied and no transaction is open: the observed position
        // is itself a safe resume point (whatever came after the last applied one carried nothing).
        const at = ctx.mstate.checkpoint ?? from;
        if (comparePositions(at, observedIdle) < 0) await moveTo({ ...(skippedTo ?? at), file: observedIdle.file, pos: observedIdle.pos });
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

/**
 * Where the stream starts: the destination's binlog checkpoint (written with the data it covers),
 * else the snapshot's position. A pending DDL left by a crash runs first. The state's copy is
 * brought in line, since a crash can leave it behind the destination.
 */
async function resumePoint<O>(ctx: RunContext<O>, applier: TransactionalSink<unknown>): Promise<BinlogPosition> {
  const name = ctx.migration.metadata.name;
  for (const d of await applier.finishPendingDdl()) ctx.hook({ type: 'change-applied', migration: name, summary: `finished DDL left pending by an earlier run: ${d.sql.slice(0, 200)}` });
  const snapshot = ctx.mstate.snapshot?.position;
  const rows = (await applier.readCheckpoints()).filter((r) => isBinlogFeed(r.feed) && r.kafkaOffset !== null);
  // Several binlog feeds only when the server's log base name changed: the latest written one counts.
  const row = rows.sort((a, b) => a.updatedAt.localeCompare(b.updatedAt)).at(-1);
  if (!row) {
    if (!snapshot) throw new Error(`migration ${name} has no snapshot position to stream from`);
    return snapshot;
  }
  const at = mirrorPosition(decodeBinlogPosition(row.feed, row.kafkaOffset!), ctx.mstate.checkpoint, snapshot?.serverId);
  ctx.mstate.checkpoint = at;
  await ctx.checkpointer.save();
  return at;
}
