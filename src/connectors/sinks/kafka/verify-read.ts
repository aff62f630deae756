// Reads a topic once, every partition from its first offset up to the end it had when the read
// began (mig verify): a consumer with a group of its own that commits nothing and is deleted
// afterwards, so the read leaves no trace a later consumer would start from.
import { randomUUID } from 'node:crypto';
import type { KafkaDestination } from '../../../spec/schema.js';
import { kafkaError } from '../../kafka/client.js';
import type { KafkaSecrets } from '../../kafka/secrets.js';
import { TopicAdmin } from '../../kafka/topic-admin.js';
import { readTopic } from '../../kafka/topic-read.js';

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
  const admin = new TopicAdmin(dest, { secrets, retries: 3 });
  const groupId = `mig-verify-${randomUUID()}`;
  let joined = false;
  try {
    // The ends a read_committed reader can reach: an open transaction is not part of the topic yet.
    const ranges = await admin.offsets(topic, { committed: true });
    const held = ranges.filter((r) => r.high > r.low);
    if (held.length === 0) return;
    const partitions = ranges.length;
    const timeout = AbortSignal.timeout(timeoutMs);
    joined = true;
    const end = await readTopic(
      { endpoint: dest, secrets, retries: 3, topic, groupId, from: new Map(held.map((r) => [r.partition, r.low])), until: new Map(held.map((r) => [r.partition, r.high])), maxBytes: 8 << 20, signal: timeout },
      (m) => {
        if (m.value) each({ partition: m.partition, partitions, key: m.key ? m.key.toString('utf8') : null, value: m.value });
      },
    );
    if (end === 'aborted') throw new Error(`reading topic ${topic} took longer than ${timeoutMs / 1000} s`);
  } catch (e) {
    throw kafkaError(dest, e);
  } finally {
    if (joined) await admin.deleteGroup(groupId).catch(() => undefined);
    await admin.close();
  }
}
