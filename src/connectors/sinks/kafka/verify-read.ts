// Reads a topic once, every partition from its first offset up to the end it had when the read
// began (mig verify): a consumer with a group of its own that commits nothing, so the read leaves no
// trace a later consumer would start from.
import { randomUUID } from 'node:crypto';
import type { KafkaDestination } from '../../../spec/schema.js';
import { kafkaClient, kafkaError } from '../../kafka/client.js';
import type { KafkaSecrets } from '../../kafka/secrets.js';

export interface TopicMessage {
  partition: number;
  /** How many partitions the topic has: above one, messages of a key may be read out of order. */
  partitions: number;
  key: string | null;
  value: Buffer;
}

/**
 * Hands every message of `topic` up to the current ends to `each`, in offset order within each
 * partition (partitions interleave), without holding them: a topic of any size reads in bounded memory.
 */
export async function readTopicOnce(dest: KafkaDestination, secrets: KafkaSecrets, topic: string, each: (m: TopicMessage) => void, timeoutMs = 600_000): Promise<void> {
  const kafka = kafkaClient(dest, { secrets, retries: 3 });
  const admin = kafka.admin();
  let ends: Map<number, { low: number; high: number }>;
  try {
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    ends = new Map(offsets.map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }]));
  } catch (e) {
    throw kafkaError(dest, e);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const pending = new Set([...ends].filter(([, e]) => e.high > e.low).map(([p]) => p));
  if (pending.size > 0) {
    const consumer = kafka.consumer({ groupId: `mig-verify-${randomUUID()}`, maxBytes: 8 << 20, allowAutoTopicCreation: false });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`reading topic ${topic} took longer than ${timeoutMs / 1000} s`)), timeoutMs);
        consumer
          .run({
            autoCommit: false,
            eachBatchAutoResolve: true,
            eachBatch: async ({ batch }) => {
              const end = ends.get(batch.partition)!.high;
              for (const m of batch.messages) {
                const offset = Number(m.offset);
                if (offset >= end || !m.value) continue;
                each({ partition: batch.partition, partitions: ends.size, key: m.key ? m.key.toString('utf8') : null, value: m.value });
              }
              const last = Number(batch.lastOffset());
              if (last + 1 >= end) pending.delete(batch.partition);
              if (pending.size === 0) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch(reject);
      });
    } catch (e) {
      throw kafkaError(dest, e);
    } finally {
      await consumer.disconnect().catch(() => undefined);
    }
  }
}
