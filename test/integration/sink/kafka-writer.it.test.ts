// The writer against a broker with Kafka's default size limit: large chunks are cut into requests the
// broker accepts (order kept), and a single oversized message is a clear error naming topic and key.
import { describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaWriter } from '../../../src/connectors/sinks/kafka/writer.js';
import { KAFKA_BROKERS, uniqueName } from '../helpers/env.js';
import { readTopic } from '../helpers/kafka.js';
import { MigError } from '../../../src/util/errors.js';

// Uncompressed: the oversized message is one repeated byte, which lz4 would shrink below the limit.
const dest = { type: 'kafka' as const, brokers: KAFKA_BROKERS, topic: 'x', format: 'canal-json' as const, partitions: 1, replicationFactor: 1, compression: 'none' as const };

describe('KafkaWriter', () => {
  it('splits a 3 MB chunk for a 1 MB topic limit, in order, and names an oversized message', async () => {
    const topic = uniqueName('writer');
    const admin = new Kafka({ brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '1048588' }] }] });
    await admin.disconnect();
    const w = await KafkaWriter.connect(dest);
    try {
      const msgs = Array.from({ length: 10_000 }, (_, i) => ({ topic, key: `["${i}"]`, value: Buffer.from(JSON.stringify({ i, pad: 'x'.repeat(280) })) }));
      await w.send(msgs);
      const back = await readTopic(topic);
      expect(back.map((m) => JSON.parse(m.value).i)).toEqual(msgs.map((_, i) => i));
      const err = await w.send([{ topic, key: '["big"]', value: Buffer.alloc(2_000_000, 97) }]).catch((e) => e);
      expect(err).toBeInstanceOf(MigError);
      expect((err as MigError).code).toBe('kafka-message-too-large');
      expect((err as MigError).message).toContain(`topic ${topic} (key ["big"])`);
    } finally {
      await w.close();
    }
  });
});
