// The incremental phase of a TiDB source: the feed topic → decode (Drainer protobuf or canal-json)
// → operation selection and filters → the feed delivery (delivery-feed.ts), through the one stream
// loop: the MySQL sink commits each batch of upstream transactions with the feed's checkpoint.
// Transactions at or before the snapshot's commit ts are in the snapshot already and are skipped.
import type { BinlogKafka } from '../spec/schema.js';
import type { ChangeEvent, TableInfo } from '../model/source-data.js';
import { FeedReader, decodeCanal, decodeDrainer, resolveFeedSecrets, type FeedSchema, type FeedUnit } from '../connectors/sources/tidb/index.js';
import type { TransactionalSink } from '../connectors/contract.js';
import type { FeedEnd } from '../connectors/sources/tidb/feed-reader.js';
import { feedDelivery } from './delivery-feed.js';
import { countersFor } from './counters.js';
import { LoopControl, runStreamLoop } from './stream-loop.js';
import { valueOptions, type RunContext } from './context.js';
import { Selection } from '../transform/selection.js';
import { joinTable, joinsMigration } from './join-table.js';
import { DdlGate } from './ddl-gate.js';

export interface FeedOptions {
  feed: BinlogKafka;
  applier: TransactionalSink<unknown>;
  untilCaughtUp: boolean;
  specDir: string;
  /** The source's current shape of a table, read again after a DDL changed it. */
  refreshShape: (database: string, table: string) => Promise<TableInfo | undefined>;
  /** Upstream transactions applied per destination transaction at most. */
  batch?: number;
}

export async function runFeed<O>(ctx: RunContext<O>, o: FeedOptions): Promise<void> {
  const name = ctx.migration.metadata.name;
  const feedState = ctx.mstate.feed!;
  const startTs = BigInt(feedState.startTs);
  const values = valueOptions(ctx.migration);
  const selection = new Selection(ctx.desired, ctx.flavor);
  const schema: FeedSchema = {
    columnOf: (db, table, column) => ctx.shapes.get(`${db}.${table}`)?.columns.find((c) => c.name === column),
  };

  // A crash between recording a DDL and running it leaves it pending: run it now, not only when the
  // next message arrives (with --until-caught-up there may be none, and the destination would lag).
  for (const d of await o.applier.finishPendingDdl()) ctx.hook({ type: 'change-applied', migration: name, summary: `finished DDL left pending by an earlier run: ${d.sql.slice(0, 200)}` });
  const from: Record<number, string> = {};
  for (const c of await o.applier.readCheckpoints()) {
    const [topic, partition] = splitFeed(c.feed);
    // A position at or before the snapshot's commit ts was recorded before a re-snapshot (perhaps because
    // its offsets were deleted by retention): that partition is read from its earliest offset instead,
    // and what the snapshot already holds is skipped by commit ts as always.
    if (c.commitTs !== null && BigInt(c.commitTs) <= startTs) continue;
    if (topic === o.feed.topic && c.kafkaOffset !== null) from[partition] = (BigInt(c.kafkaOffset) + 1n).toString();
  }
  const where = Object.keys(from).length > 0 ? Object.entries(from).map(([p, off]) => `partition ${p} offset ${off}`).join(', ') : 'the earliest offset';
  ctx.hook({ type: 'feed-start', migration: name, topic: o.feed.topic, from: where, afterTs: feedState.startTs, untilCaughtUp: o.untilCaughtUp });

  // The reader stops on the signal, and also when the loop ends for another reason (a failure).
  const readerStop = new AbortController();
  const onAbort = () => readerStop.abort();
  ctx.signal.addEventListener('abort', onAbort);
  const reader = new FeedReader({
    feed: o.feed, migration: name, secrets: await resolveFeedSecrets(o.feed, o.specDir), from,
    until: o.untilCaughtUp ? 'caught-up' : undefined, signal: readerStop.signal,
  });
  const delivery = feedDelivery(ctx, o.applier, o.batch);
  const counters = countersFor(ctx.mstate);
  const control = new LoopControl();
  const highWater = ctx.sink.capabilities.queueSize;
  let skipped = 0;
  let failure: Error | undefined;
  // A DDL under ddl: stop: nothing from it on is handed to the delivery.
  let halt: Error | undefined;
  const gate = new DdlGate(ctx);
  let ended: FeedEnd | undefined;
  let running: Promise<void> = Promise.resolve();
  // The feed reader waits for its handler: a full queue holds the handler until the loop takes it.
  let room: { promise: Promise<void>; open: () => void } | undefined;

  const handle = async (u: FeedUnit): Promise<void> => {
    if (halt) return;
    const decoded = decode(u, o.feed, values, schema);
    if (decoded.skip || (decoded.commitTs !== undefined && decoded.commitTs <= startTs)) {
      skipped++;
      return;
    }
    const passed = gate.pass(decoded.events, () => `feed ${u.topic} partition ${u.partition} offset ${u.offset}${decoded.commitTs === undefined ? '' : ` (commit ts ${decoded.commitTs})`}`);
    if (!Array.isArray(passed)) {
      halt = passed;
      control.poke();
      return;
    }
    const events: ChangeEvent[] = [];
    let ddl = false;
    counters.read += decoded.events.length - passed.length;
    counters.filtered += decoded.events.length - passed.length;
    for (const ev of passed) {
      if (ev.kind === 'ddl') {
        counters.read++;
        if (!selection.ddlSelected(ev.database, ev.table)) {
          counters.filtered++;
          continue;
        }
        ddl = true;
        events.push(ev);
        continue;
      }
      const id = `${ev.database}.${ev.table}`;
      const shape = ctx.shapes.get(id);
      if (!shape) continue;
      // A table copied later than the migration's snapshot already holds what committed up to its copy.
      const copiedAt = ctx.mstate.tables[id]?.snapshotTs;
      if (copiedAt !== undefined && decoded.commitTs !== undefined && decoded.commitTs <= BigInt(copiedAt)) continue;
      counters.read++;
      if (!selection.passes(ev, shape)) {
        counters.filtered++;
        continue;
      }
      events.push(ev);
    }
    control.read(events);
    delivery.take({ events, checkpoint: { feed: `${u.topic}:${u.partition}`, offset: u.offset, commitTs: decoded.commitTs } });
    control.poke();
    // Later messages are decoded with the shapes the DDL leaves: it is applied first.
    if (ddl) {
      await control.quiet();
      await refreshAfterDdl(ctx, events, o);
    }
    if (delivery.backlog >= highWater && !ctx.signal.aborted) {
      room ??= opening();
      await room.promise;
    }
  };

  await runStreamLoop(ctx, control, {
    start: async () => {
      running = reader.run(handle).then(
        (end) => {
          ended = end;
          control.poke();
        },
        (e: Error) => {
          failure = e;
          control.poke();
        },
      );
    },
    pause: () => undefined,
    resume: () => {
      room?.open();
      room = undefined;
    },
    stop: async () => {
      readerStop.abort();
      ctx.signal.removeEventListener('abort', onAbort);
      room?.open();
      await running;
    },
    failure: () => failure,
    halted: () => halt,
    caughtUp: () => (ended === 'caught-up' ? true : undefined),
  }, delivery, {
    progress: (p) => ctx.hook({ type: 'feed-progress', migration: name, transactions: p.transactions, position: p.position }),
    stopped: (reason) => ctx.hook({ type: 'feed-stop', migration: name, transactions: delivery.transactions, skipped, position: delivery.last || where, reason }),
  });
}

function opening(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

interface Decoded {
  commitTs?: bigint;
  events: ChangeEvent[];
  /** Nothing to apply (a canal-json watermark). */
  skip: boolean;
}

function decode(u: FeedUnit, feed: BinlogKafka, values: ReturnType<typeof valueOptions>, schema: FeedSchema): Decoded {
  if (feed.format === 'drainer') {
    const tx = decodeDrainer(u.message, values, { ...schema, offset: u.offset, topic: u.topic, timeZone: feed.timeZone });
    return { commitTs: tx.commitTs, events: tx.events, skip: false };
  }
  const msg = decodeCanal(u.message, values, { ...schema, offset: u.offset, partition: u.partition, topic: u.topic, timeZone: feed.timeZone });
  return { commitTs: msg.commitTs, events: msg.events, skip: msg.kind === 'watermark' };
}

/**
 * After a DDL the source's tables are read again, so later changes are decoded with the new shape.
 * A table created in a database the spec takes whole joins the migration (its CREATE TABLE already
 * ran at the destination, so it has no full load): without this its rows would be dropped.
 */
async function refreshAfterDdl<O>(ctx: RunContext<O>, events: ChangeEvent[], o: FeedOptions): Promise<void> {
  for (const ev of events) {
    if (ev.kind !== 'ddl' || ev.table === undefined) continue;
    const id = `${ev.database}.${ev.table}`;
    const joins = joinsMigration(ctx, ev.database, ev.table);
    if (!ctx.desired.has(id) && !joins) continue;
    const shape = await o.refreshShape(ev.database, ev.table);
    if (shape) ctx.shapes.set(id, shape);
    else ctx.shapes.delete(id);
    if (shape && joins) joinTable(ctx, shape);
  }
}

function splitFeed(feed: string): [string, number] {
  const i = feed.lastIndexOf(':');
  return [feed.slice(0, i), Number(feed.slice(i + 1))];
}
