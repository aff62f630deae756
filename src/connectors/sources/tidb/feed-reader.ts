// Reads the change-feed topic from given offsets and hands each message to the caller in offset
// order per partition, one at a time: the handler's promise gates the next message, so a slow
// applier slows the reading and memory stays at about one fetch. Positions are the caller's
// (checkpointed with the applied changes); Kafka's group offsets are never committed or read.
import type { EachBatchPayload } from 'kafkajs';
import type { BinlogKafka } from '../../../spec/schema.js';
import type { KafkaSecrets } from '../../kafka/secrets.js';
import { MigError } from '../../../util/errors.js';
import { feedError, feedKafka, topicMissing } from './feed-kafka.js';

export interface FeedUnit {
  topic: string;
  partition: number;
  /** Kafka offset of the message (a decimal string: offsets are 64-bit). */
  offset: string;
  /** Size of the message (key + value). */
  bytes: number;
  message: Buffer;
}

export interface PartitionRange {
  partition: number;
  /** Earliest offset still in the topic. */
  low: string;
  /** Offset the next message will get (the high watermark). */
  high: string;
}

export interface FeedReaderOptions {
  feed: BinlogKafka;
  /** Migration name; the consumer group id derives from it (its offsets are never used). */
  migration: string;
  secrets?: KafkaSecrets;
  /** Next offset to read per partition. Unlisted partitions start at their earliest offset. */
  from: Readonly<Record<number, string>>;
  /** `caught-up`: stop at each partition's high watermark as of the start (apply --until-caught-up). */
  until?: 'caught-up';
  /** Stops the reader cleanly; the handler call under way finishes first. */
  signal?: AbortSignal;
  /** kafkajs retries per request (default 8). */
  retries?: number;
}

/** Why run() returned. */
export type FeedEnd = 'caught-up' | 'aborted';

export type FeedHandler = (unit: FeedUnit) => Promise<void>;

/** Kafka's own fetch.max.bytes default: the most one fetch brings over all partitions. */
const MAX_FETCH_TOTAL = 52_428_800;

export class FeedReader {
  constructor(private readonly o: FeedReaderOptions) {}

  /** The partitions read (Drainer: 0 only; canal-json: all) with their current offset range. */
  async partitions(): Promise<PartitionRange[]> {
    const all = await this.topicPartitions();
    return this.o.feed.format === 'drainer' ? all.filter((r) => r.partition === 0) : all;
  }

  /**
   * Per partition read, the first offset whose Kafka timestamp is at or after `ms` (the high
   * watermark when none is). A starting point for a feed position known only as a time: Drainer
   * writes a transaction after it commits, so nothing committed after `ms` lies before it (give a
   * margin for clock skew between TiDB and the producer, and skip by commit ts).
   */
  async offsetsAt(ms: number): Promise<Record<number, string>> {
    const { feed } = this.o;
    const admin = feedKafka(feed, this.o.secrets, this.o.retries).admin();
    try {
      await admin.connect();
      const found = await admin.fetchTopicOffsetsByTimestamp(feed.topic, ms);
      const ends = new Map((await admin.fetchTopicOffsets(feed.topic)).map((p) => [p.partition, p.high]));
      const out: Record<number, string> = {};
      for (const f of found) {
        if (feed.format === 'drainer' && f.partition !== 0) continue;
        out[f.partition] = f.offset === '-1' ? ends.get(f.partition)! : f.offset;
      }
      return out;
    } catch (e) {
      throw feedError(feed, e);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  private async topicPartitions(): Promise<PartitionRange[]> {
    const { feed } = this.o;
    const admin = feedKafka(feed, this.o.secrets, this.o.retries).admin();
    let ranges: PartitionRange[];
    try {
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets(feed.topic);
      ranges = offsets.map((p) => ({ partition: p.partition, low: p.low, high: p.high })).sort((a, b) => a.partition - b.partition);
    } catch (e) {
      throw feedError(feed, e);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    if (ranges.length === 0) throw topicMissing(feed);
    return ranges;
  }

  /**
   * Delivers messages to `handler` until the signal aborts, the feed is caught up (with `until`),
   * or something fails (a handler error, an oversized message, Kafka): then the promise rejects.
   * The handler is never called concurrently with itself.
   */
  async run(handler: FeedHandler): Promise<FeedEnd> {
    const { feed, signal } = this.o;
    if (signal?.aborted) return 'aborted';
    const all = await this.topicPartitions();
    const ranges = feed.format === 'drainer' ? all.filter((r) => r.partition === 0) : all;
    // Drainer writes partition 0 only; other partitions of its topic are not read.
    const unread = all.filter((r) => !ranges.includes(r)).map((r) => r.partition);
    const next = new Map<number, bigint>();
    const high = new Map<number, bigint>();
    for (const r of ranges) {
      const start = this.o.from[r.partition] ?? r.low;
      checkStart(feed, r, start);
      next.set(r.partition, BigInt(start));
      high.set(r.partition, BigInt(r.high));
    }
    const caughtUp = () => this.o.until === 'caught-up' && [...next].every(([p, n]) => n >= high.get(p)!);
    if (caughtUp()) return 'caught-up';

    const consumer = feedKafka(feed, this.o.secrets, this.o.retries).consumer({
      groupId: groupIdOf(this.o.migration),
      maxBytesPerPartition: feed.fetchBytes,
      maxBytes: Math.max(feed.fetchBytes, Math.min(feed.fetchBytes * ranges.length, MAX_FETCH_TOTAL)),
      // Short polls keep a stop (abort, caught up) prompt; data arrives as soon as there is any.
      maxWaitTimeInMs: 1000,
      allowAutoTopicCreation: false,
      // A restarted kafkajs consumer would start from the group's (never committed) offsets:
      // failures end the run instead, and the caller restarts it from its own checkpoint.
      retry: { retries: this.o.retries ?? 8, restartOnFailure: async () => false },
    });

    return new Promise<FeedEnd>((resolve, reject) => {
      let ended = false;
      const end = (result: FeedEnd | Error) => {
        if (ended) return;
        ended = true;
        signal?.removeEventListener('abort', onAbort);
        // Not awaited here: disconnecting waits for the batch in progress, which may be the caller.
        void consumer.disconnect().catch(() => undefined).then(() => (result instanceof Error ? reject(result) : resolve(result)));
      };
      const onAbort = () => end('aborted');
      signal?.addEventListener('abort', onAbort);

      // Every (re)join of the group: read on from where this run got to, whatever the group says.
      consumer.on(consumer.events.GROUP_JOIN, () => {
        for (const [partition, offset] of next) consumer.seek({ topic: feed.topic, partition, offset: offset.toString() });
        if (unread.length > 0) consumer.pause([{ topic: feed.topic, partitions: unread }]);
      });
      consumer.on(consumer.events.CRASH, (ev) => end(feedError(feed, ev.payload.error)));
      // Batches of only control records or aborted transactions never reach eachBatch.
      consumer.on(consumer.events.END_BATCH_PROCESS, (ev) => {
        const p = ev.payload;
        if (p.batchSize !== 0 || !next.has(p.partition)) return;
        const after = BigInt(p.lastOffset) + 1n;
        if (after > next.get(p.partition)!) next.set(p.partition, after);
        if (caughtUp()) end('caught-up');
      });

      const eachBatch = async ({ batch, resolveOffset, heartbeat, isRunning, isStale, pause }: EachBatchPayload) => {
        const p = batch.partition;
        if (ended || !next.has(p)) return;
        // A long transaction must not cost the group membership (and with it the assignment).
        const beat = setInterval(() => void heartbeat().catch(() => undefined), 3000);
        try {
          for (const m of batch.messages) {
            if (ended || !isRunning() || isStale()) return;
            const off = BigInt(m.offset);
            // Already delivered (a fetch from before a re-seek): skip, never deliver twice.
            if (off < next.get(p)!) continue;
            // Caught up here while other partitions are not: stop fetching this one.
            if (this.o.until === 'caught-up' && off >= high.get(p)!) return void pause();
            const bytes = (m.value?.length ?? 0) + (m.key?.length ?? 0);
            if (bytes > feed.maxMessageBytes) return end(tooLarge(feed, p, m.offset, bytes));
            await handler({ topic: batch.topic, partition: p, offset: m.offset, bytes, message: m.value ?? Buffer.alloc(0) });
            resolveOffset(m.offset);
            next.set(p, off + 1n);
            if (caughtUp()) return end('caught-up');
            if (this.o.until === 'caught-up' && off + 1n >= high.get(p)!) return void pause();
          }
        } catch (e) {
          end(e instanceof Error ? e : new Error(String(e)));
        } finally {
          clearInterval(beat);
        }
      };

      (async () => {
        await consumer.connect();
        await consumer.subscribe({ topics: [feed.topic], fromBeginning: true });
        await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch });
      })().catch((e: unknown) => end(feedError(feed, e)));
    });
  }
}

/** The consumer group of a migration's feed reader (Kafka shows it; mig never relies on it). */
export function groupIdOf(migration: string): string {
  return `mig-feed-${migration}`;
}

function checkStart(feed: BinlogKafka, r: PartitionRange, start: string): void {
  const s = BigInt(start);
  if (s < BigInt(r.low)) {
    throw new MigError('feed-offset-lost', `the change feed ${feed.topic} partition ${r.partition} no longer holds offset ${start} (its earliest is ${r.low}): changes in between were deleted by retention`,
      'take a new snapshot with: mig apply --replace <migration>; keep the topic retention longer than the longest pause of the migration');
  }
  if (s > BigInt(r.high)) {
    throw new MigError('feed-offset-ahead', `the change feed ${feed.topic} partition ${r.partition} ends at offset ${r.high}, before the checkpoint ${start}: the topic was recreated or replaced`,
      'check spec.source.binlogKafka.topic and brokers; if the topic was recreated, take a new snapshot with: mig apply --replace <migration>');
  }
}

function tooLarge(feed: BinlogKafka, partition: number, offset: string, bytes: number): MigError {
  return new MigError('feed-message-too-large', `the message at ${feed.topic} partition ${partition} offset ${offset} is ${bytes} bytes, over spec.source.binlogKafka.maxMessageBytes (${feed.maxMessageBytes})`,
    `raise spec.source.binlogKafka.maxMessageBytes to at least ${bytes} (Drainer writes a whole transaction as one message)`);
}

