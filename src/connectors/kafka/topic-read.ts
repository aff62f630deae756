// Reads partitions of a topic from offsets mig keeps itself, one message at a time: the handler's
// promise gates the next message, so a slow handler slows the fetching and memory stays at about
// one fetch. The consumer's group is only the client's means of fetching (it always joins one):
// nothing is ever committed, and starting offsets are always given, never the group's.
import type { Message } from '@platformatic/kafka';
import { kafkaModule } from './client-module.js';
import { clientOptions, type KafkaClientOptions, type KafkaEndpoint } from './client.js';

export interface ReadMessage {
  partition: number;
  offset: bigint;
  key: Buffer | null;
  value: Buffer | null;
}

export interface TopicReadOptions extends KafkaClientOptions {
  endpoint: KafkaEndpoint;
  topic: string;
  groupId: string;
  /** The partitions read and the first offset of each; other partitions are not read. */
  from: ReadonlyMap<number, bigint>;
  /** Where each partition ends for this read (exclusive): once all are reached the read ends. */
  until?: ReadonlyMap<number, bigint>;
  maxBytesPerPartition?: number;
  maxBytes?: number;
  signal?: AbortSignal;
}

/** Why the read ended. */
export type ReadEnd = 'caught-up' | 'aborted';


/**
 * Hands each committed message of the partitions to `each`, in offset order per partition, until
 * every partition reached `until` (or forever without it) or the signal aborts; rejects with the
 * client's error or the handler's.
 */
export async function readTopic(o: TopicReadOptions, each: (m: ReadMessage) => Promise<void> | void): Promise<ReadEnd> {
  const next = new Map(o.from);
  const reached = (p: number, at: bigint) => o.until !== undefined && at >= (o.until.get(p) ?? 0n);
  const allReached = () => o.until !== undefined && [...next].every(([p, n]) => reached(p, n));
  if (o.signal?.aborted) return 'aborted';
  if (allReached()) return 'caught-up';

  const { Consumer, FetchIsolationLevels } = await kafkaModule();
  const consumer = new Consumer<Buffer, Buffer, Buffer, Buffer>({
    ...clientOptions(o.endpoint, o),
    groupId: o.groupId,
    autocommit: false,
    isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    // Short polls keep a stop (abort, caught up) prompt; data arrives as soon as there is any.
    maxWaitTime: 500,
    ...(o.maxBytes ? { maxBytes: o.maxBytes } : {}),
    ...(o.maxBytesPerPartition ? { maxBytesPerPartition: o.maxBytesPerPartition } : {}),
  });
  let stream: Awaited<ReturnType<typeof consumer.consume>> | undefined;
  let closing = false;
  // Closing from inside the stream's own events crashes it: always a tick later.
  const close = () => {
    if (closing || !stream) return;
    closing = true;
    const s = stream;
    setImmediate(() => void s.close().catch(() => undefined));
  };
  const onAbort = () => close();
  o.signal?.addEventListener('abort', onAbort);
  try {
    stream = await consumer.consume({
      topics: [o.topic],
      mode: 'manual',
      offsets: [...next].map(([partition, offset]) => ({ topic: o.topic, partition, offset })),
      autocommit: false,
    });
    if (o.signal?.aborted) close();
    // A partition can end in records no message stands for (transaction markers, aborted
    // records): once the stream has fetched past `until` there and holds nothing more to hand
    // on, that partition is done too.
    const drained = () => o.until !== undefined && stream!.readableLength === 0 &&
      [...next].every(([p, n]) => reached(p, n) || reached(p, stream!.offsetsToFetch.get(`${o.topic}:${p}`) ?? 0n));
    stream.on('fetch', () => setImmediate(() => drained() && close()));
    for await (const raw of stream as AsyncIterable<Message<Buffer, Buffer, Buffer, Buffer>>) {
      const p = raw.partition;
      const n = next.get(p);
      // Not a partition of this read, already handed on (a fetch from before a restart), or past its end.
      if (n !== undefined && raw.offset >= n && !reached(p, raw.offset)) {
        // A null key or value comes as undefined; an empty one as an empty Buffer.
        await each({ partition: p, offset: raw.offset, key: raw.key ?? null, value: raw.value ?? null });
        next.set(p, raw.offset + 1n);
        if (allReached()) return 'caught-up';
      }
      if (o.signal?.aborted) return 'aborted';
      if (drained()) close();
    }
    if (o.signal?.aborted) return 'aborted';
    if (o.until === undefined) throw new Error(`the consumer of ${o.topic} stopped without an error`);
    return 'caught-up';
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    if (stream && !closing) await stream.close().catch(() => undefined);
    await consumer.close(true).catch(() => undefined);
  }
}
