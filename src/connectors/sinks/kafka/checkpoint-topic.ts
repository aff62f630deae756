// Delivery exactly-once keeps each migration's position in a compacted topic of mig's, written in
// the same Kafka transaction as the messages it covers: the record is the authority on where the
// stream resumes (as MySQL's checkpoint table is), read back with read_committed so a transaction
// a crash left open or aborted never counts.
import { randomUUID } from 'node:crypto';
import type { KafkaDestination, Migration } from '../../../spec/schema.js';
import type { RecordedPosition } from '../../contract.js';
import { resolveKafkaSecrets, type KafkaSecrets } from '../../kafka/secrets.js';
import { TopicAdmin } from '../../kafka/topic-admin.js';
import { MigError } from '../../../util/errors.js';
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
  // Only each key's latest record counts (older ones wait for compaction): it alone is parsed.
  const latest = new Map<string, { value: Buffer | null; partition: number; offset: bigint }>();
  try {
    // Up to the last stable offset: a transaction still open (a killed run's, until the broker
    // aborts it) holds no checkpoint that counts, and waiting for it would wait for its timeout.
    const ranges = (await admin.offsets(topic, { committed: true })).filter((r) => r.high > r.low);
    if (ranges.length === 0) return [];
    await readTopic(
      { endpoint: d, secrets, retries: 3, topic, groupId, from: new Map(ranges.map((r) => [r.partition, r.low])), until: new Map(ranges.map((r) => [r.partition, r.high])) },
      (m) => {
        const key = m.key?.toString('utf8');
        if (key?.startsWith(`${migration}\u0000`)) latest.set(key, { value: m.value, partition: m.partition, offset: m.offset });
      },
    );
    await admin.deleteGroup(groupId).catch(() => undefined);
    const out: RecordedPosition[] = [];
    for (const r of latest.values()) {
      // An empty record is one mig destroy wrote: no position.
      if (!r.value || r.value.length === 0) continue;
      let v: CheckpointValue;
      try {
        v = JSON.parse(r.value.toString('utf8')) as CheckpointValue;
      } catch {
        throw new MigError('kafka-checkpoint-unreadable', `the checkpoint record of ${migration} at ${topic} partition ${r.partition} offset ${r.offset} is not mig's JSON`,
          `something else writes to ${topic}: give this migration a checkpointTopic of its own (spec.destination.checkpointTopic); where to resume is then unknown, so take a new snapshot with mig apply --replace ${migration}`);
      }
      out.push({ feed: v.feed, kafkaOffset: v.offset, commitTs: v.commitTs, updatedAt: v.updatedAt });
    }
    return out;
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
