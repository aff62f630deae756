// Delivery exactly-once keeps each migration's position in a compacted topic of mig's, written in
// the same Kafka transaction as the messages it covers: the record is the authority on where the
// stream resumes (as MySQL's checkpoint table is), read back with read_committed so a transaction
// a crash left open or aborted never counts.
import { randomUUID } from 'node:crypto';
import type { KafkaDestination, Migration } from '../../../spec/schema.js';
import type { RecordedPosition } from '../../contract.js';
import { resolveKafkaSecrets, type KafkaSecrets } from '../../kafka/secrets.js';
import { TopicAdmin } from '../../kafka/topic-admin.js';
import { readTopic } from '../../kafka/topic-read.js';
import type { OutboundMessage } from './message.js';
import { KafkaWriter } from './writer.js';

export const DEFAULT_CHECKPOINT_TOPIC = 'mig.checkpoints';

/** Compacted: only each key's latest record is kept, and a tombstone (null value) removes the key. */
export const CHECKPOINT_TOPIC_CONFIGS = { 'cleanup.policy': 'compact' };

export function checkpointTopicOf(d: KafkaDestination): string | undefined {
  return d.delivery === 'exactly-once' ? (d.checkpointTopic ?? DEFAULT_CHECKPOINT_TOPIC) : undefined;
}

/** The producer's transactional id: one per migration, so a restarted run fences off its predecessor. */
export function transactionalIdOf(migration: string): string {
  return `mig-${migration}`;
}

interface CheckpointValue {
  migration: string;
  feed: string;
  offset: string;
  commitTs: string | null;
  updatedAt: string;
}

const keyOf = (migration: string, feed: string) => `${migration}\u0000${feed}`;

/** The record that moves the migration's position on `feed` to `offset`. */
export function checkpointMessage(topic: string, migration: string, feed: string, offset: bigint | string | number, commitTs?: bigint | string | number): OutboundMessage {
  const value: CheckpointValue = { migration, feed, offset: String(offset), commitTs: commitTs === undefined ? null : String(commitTs), updatedAt: new Date().toISOString() };
  return { topic, key: keyOf(migration, feed), value: Buffer.from(JSON.stringify(value)), partition: 0 };
}

/** The migration's committed positions, one per feed (the latest record of each key). */
export async function readCheckpointRecords(d: KafkaDestination, secrets: KafkaSecrets, topic: string, migration: string): Promise<RecordedPosition[]> {
  const admin = new TopicAdmin(d, { secrets, retries: 3 });
  const groupId = `mig-checkpoints-${randomUUID()}`;
  const latest = new Map<string, RecordedPosition | null>();
  try {
    // Up to the last stable offset: a transaction still open (a killed run's, until the broker
    // aborts it) holds no checkpoint that counts, and waiting for it would wait for its timeout.
    const ranges = (await admin.offsets(topic, { committed: true })).filter((r) => r.high > r.low);
    if (ranges.length === 0) return [];
    await readTopic(
      { endpoint: d, secrets, retries: 3, topic, groupId, from: new Map(ranges.map((r) => [r.partition, r.low])), until: new Map(ranges.map((r) => [r.partition, r.high])) },
      (m) => {
        const key = m.key?.toString('utf8');
        if (!key || !key.startsWith(`${migration}\u0000`)) return;
        if (!m.value || m.value.length === 0) return void latest.set(key, null);
        const v = JSON.parse(m.value.toString('utf8')) as CheckpointValue;
        latest.set(key, { feed: v.feed, kafkaOffset: v.offset, commitTs: v.commitTs, updatedAt: v.updatedAt });
      },
    );
    await admin.deleteGroup(groupId).catch(() => undefined);
    return [...latest.values()].filter((r): r is RecordedPosition => r !== null);
  } finally {
    await admin.close();
  }
}

/**
 * mig destroy: an empty record for each of the migration's keys, which readCheckpointRecords takes
 * as "no position", so a migration created again under the name starts afresh. Returns how many.
 */
export async function forgetKafkaCheckpoints(m: Migration, d: KafkaDestination, specDir: string): Promise<number> {
  const topic = checkpointTopicOf(d);
  if (!topic) return 0;
  const secrets = await resolveKafkaSecrets(d, specDir);
  const admin = new TopicAdmin(d, { secrets, retries: 3 });
  try {
    if (!(await admin.listTopics()).includes(topic)) return 0;
  } finally {
    await admin.close();
  }
  const migration = m.metadata.name;
  const records = await readCheckpointRecords(d, secrets, topic, migration);
  if (records.length === 0) return 0;
  const writer = await KafkaWriter.connect(d, secrets);
  try {
    await writer.send(records.map((r) => ({ topic, key: keyOf(migration, r.feed), value: Buffer.alloc(0), partition: 0 })));
  } finally {
    await writer.close();
  }
  return records.length;
}
