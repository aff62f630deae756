// The schema phase waits until every partition of a topic it created (or grew) has a leader: the
// first write right after opening the sink must not meet "This server does not host this
// topic-partition". Against the running broker.
import { describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaSink } from '../../../src/connectors/sinks/kafka/kind.js';
import { KafkaAdmin } from '../../../src/connectors/sinks/kafka/admin.js';
import type { SinkOpenRequest } from '../../../src/connectors/contract.js';
import type { OutboundMessage } from '../../../src/connectors/sinks/kafka/message.js';
import { MigrationDoc, type KafkaDestination } from '../../../src/spec/schema.js';
import type { MigrationState } from '../../../src/state/model.js';
import type { ApplyEvent } from '../../../src/model/events.js';
import { MigError } from '../../../src/util/errors.js';
import { KAFKA_BROKERS, uniqueName } from '../helpers/env.js';
import { readTopic } from '../helpers/kafka.js';

function request(topics: { name: string; partitions: number }[], events: ApplyEvent[]): { dest: KafkaDestination; r: SinkOpenRequest } {
  const migration = MigrationDoc.parse({
    apiVersion: 'mig/v1', kind: 'Migration', metadata: { name: 'leaders' },
    spec: {
      source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root' },
      destination: { type: 'kafka', brokers: KAFKA_BROKERS, topic: topics[0]!.name, format: 'canal-json', ddlTopic: `${topics[0]!.name}.ddl` },
      types: ['schema', 'incremental'],
      objects: [{ database: 'none' }],
    },
  });
  const dest = migration.spec.destination as KafkaDestination;
  const mstate: MigrationState = { name: 'leaders', spec: migration, digest: '', appliedAt: new Date().toISOString(), tables: {}, topics: {} };
  return {
    dest,
    r: {
      migration, mstate, tables: [], shapes: new Map(), topics, flavor: 'mariadb', createMissing: true, sourceVersion: '10.11',
      openSourceSession: () => Promise.reject(new Error('not needed')), specDir: '.', hook: (e) => events.push(e),
    },
  };
}

/** Opens the sink (its schema phase) and sends one message to every partition of each topic at once. */
async function openAndWrite(topics: { name: string; partitions: number }[]): Promise<ApplyEvent[]> {
  const events: ApplyEvent[] = [];
  const { dest, r } = request(topics, events);
  const sink = await kafkaSink.open(dest, r);
  try {
    const msgs: OutboundMessage[] = topics.flatMap((t) => Array.from({ length: t.partitions }, (_, p) => ({ topic: t.name, partition: p, key: `["${p}"]`, value: Buffer.from(`{"p":${p}}`) })));
    await sink.send(msgs);
  } finally {
    await sink.close();
  }
  return events;
}

describe('Kafka schema phase: partitions have leaders before the first write', () => {
  it('creates topics with several partitions and writes to each partition at once', async () => {
    const base = uniqueName('leaders');
    const topics = [{ name: base, partitions: 6 }, { name: `${base}.other`, partitions: 4 }];
    const events = await openAndWrite(topics);
    expect(events.filter((e) => e.type === 'topic-created').map((e) => (e as { topic: string }).topic)).toEqual(topics.map((t) => t.name));
    for (const t of topics) {
      const back = await readTopic(t.name);
      expect(back.map((m) => m.partition).sort((a, b) => a - b)).toEqual(Array.from({ length: t.partitions }, (_, p) => p));
    }
  });

  it('adds partitions to an existing topic and writes to the new ones at once', async () => {
    const name = uniqueName('grow');
    const admin = new Kafka({ brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: name, numPartitions: 2 }] });
    await admin.disconnect();
    const topics = [{ name, partitions: 8 }];
    const events = await openAndWrite(topics);
    expect(events.some((e) => e.type === 'topic-partitions')).toBe(true);
    // Exactly one message each: a produce request refused for one partition is retried whole, and
    // would leave duplicates on the others.
    expect((await readTopic(name)).map((m) => m.partition).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('fails with a clear error when a partition never gets a leader', async () => {
    const dest = request([{ name: 'x', partitions: 1 }], []).dest;
    const admin = await KafkaAdmin.connect(dest, undefined, 0);
    try {
      const started = Date.now();
      const err = await admin.waitForLeaders([{ name: uniqueName('never-created'), partitions: 2 }], 1500).catch((e) => e);
      expect(err).toBeInstanceOf(MigError);
      expect((err as MigError).code).toBe('topic-no-leader');
      expect((err as MigError).message).toMatch(/no leader within 1.5 s to the partitions mig just created: .*never-created.*:0, .*:1/);
      expect((err as MigError).hint).toMatch(/replicationFactor/);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await admin.close();
    }
  });
});
