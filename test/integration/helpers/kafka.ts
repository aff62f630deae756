// Reads a whole topic back, partition by partition, up to the offsets current when called.
import { Kafka, logLevel } from 'kafkajs';
import { KAFKA_BROKERS } from './env.js';
import { registerCompressionCodecs } from '../../support/kafkajs-codecs.mjs';

// mig compresses with lz4 by default: the reading side needs the same codecs.
registerCompressionCodecs();

export interface ReadMessage {
  partition: number;
  offset: number;
  key: string | null;
  value: string;
  /** The value's bytes (binary formats). */
  raw: Buffer;
}

const kafka = new Kafka({ clientId: 'mig-test', brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING });

export async function readTopic(topic: string, timeoutMs = 60_000): Promise<ReadMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const want = new Map(ends.map((e) => [e.partition, Number(e.high)]));
  const total = [...want.values()].reduce((a, b) => a + b, 0);
  const out: ReadMessage[] = [];
  if (total === 0) return out;
  const consumer = kafka.consumer({ groupId: `mig-test-${process.pid}-${Math.random().toString(36).slice(2)}`, maxBytes: 64 << 20 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen = new Map<number, number>();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out reading ${topic}: ${out.length}/${total}`)), timeoutMs);
    consumer
      .run({
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const off = Number(m.offset);
            if (off >= (want.get(batch.partition) ?? 0)) continue;
            out.push({ partition: batch.partition, offset: off, key: m.key ? m.key.toString() : null, value: m.value!.toString(), raw: m.value! });
            seen.set(batch.partition, off + 1);
          }
          if ([...want.entries()].every(([p, h]) => (seen.get(p) ?? 0) >= h)) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

export async function topicMessageCount(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    return ends.reduce((a, e) => a + Number(e.high) - Number(e.low), 0);
  } finally {
    await admin.disconnect();
  }
}
