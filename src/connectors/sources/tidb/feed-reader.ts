// Reads the change-feed topic from given offsets and hands each message to the caller in offset
// order per partition, one at a time: the handler's promise gates the next message, so a slow
// applier slows the reading and memory stays at about one fetch. Positions are the caller's
// (checkpointed with the applied changes); Kafka's group offsets are never committed or read.
import type { BinlogKafka } from '../../../spec/schema.js';
import type { KafkaSecrets } from '../../kafka/secrets.js';
import { readTopic } from '../../kafka/topic-read.js';
import { MigError } from '../../../util/errors.js';
import { feedAdmin, feedError, topicMissing } from './feed-kafka.js';

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
  /** The client's retries per request (default 8). */
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
    const admin = feedAdmin(feed, this.o.secrets, this.o.retries);
    try {
      const found = await admin.offsetsAt(feed.topic, ms);
      const ends = new Map((await admin.offsets(feed.topic)).map((p) => [p.partition, p.high]));
      const out: Record<number, string> = {};
      for (const [partition, offset] of found) {
        if (feed.format === 'drainer' && partition !== 0) continue;
        out[partition] = (offset < 0n ? ends.get(partition)! : offset).toString();
      }
      return out;
    } catch (e) {
      throw feedError(feed, e);
    } finally {
      await admin.close();
    }
  }

  private async topicPartitions(): Promise<PartitionRange[]> {
    const { feed } = this.o;
    const admin = feedAdmin(feed, this.o.secrets, this.o.retries);
    let ranges: PartitionRange[];
    try {
      ranges = (await admin.offsets(feed.topic)).map((p) => ({ partition: p.partition, low: p.low.toString(), high: p.high.toString() }));
    } catch (e) {
      throw feedError(feed, e);
    } finally {
      await admin.close();
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
    // Drainer writes partition 0 only; other partitions of its topic are not read.
    const ranges = feed.format === 'drainer' ? all.filter((r) => r.partition === 0) : all;
    const from = new Map<number, bigint>();
    for (const r of ranges) {
      const start = this.o.from[r.partition] ?? r.low;
      checkStart(feed, r, start);
      from.set(r.partition, BigInt(start));
    }
    const until = this.o.until === 'caught-up' ? new Map(ranges.map((r) => [r.partition, BigInt(r.high)])) : undefined;
    try {
      return await readTopic(
        {
          endpoint: feed, secrets: this.o.secrets, retries: this.o.retries, topic: feed.topic, groupId: groupIdOf(this.o.migration),
          from, until, signal,
          maxBytesPerPartition: feed.fetchBytes,
          maxBytes: Math.max(feed.fetchBytes, Math.min(feed.fetchBytes * ranges.length, MAX_FETCH_TOTAL)),
        },
        async (m) => {
          const bytes = (m.value?.length ?? 0) + (m.key?.length ?? 0);
          if (bytes > feed.maxMessageBytes) throw tooLarge(feed, m.partition, m.offset.toString(), bytes);
          await handler({ topic: feed.topic, partition: m.partition, offset: m.offset.toString(), bytes, message: m.value ?? Buffer.alloc(0) });
        },
      );
    } catch (e) {
      if (e instanceof MigError) throw e;
      // The handler's own failures (an applier error) keep their identity for the engine.
      if (!isKafkaError(e)) throw e;
      throw feedError(feed, e);
    }
  }
}

/** Whether the error came from the Kafka client (its codes start PLT_KFK_). */
function isKafkaError(e: unknown): boolean {
  return typeof (e as { code?: unknown })?.code === 'string' && (e as { code: string }).code.startsWith('PLT_KFK_');
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

