// Baseline for verify's Kafka figure: reading a topic once, every partition from its first offset to
// the end it had when the read began, with kafkajs and mig's codecs (no decoding, no comparison): the
// least any reader of the topic pays. Prints one JSON line: {"messages", "readSeconds"}.
//
// Usage: node bench/cases/verify-read-topic.mjs --app DIR --brokers H:P --topic T
import { registerKafkajsCodecs } from '../lib/app.mjs';

const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) throw new Error(`--${name} is required`);
  return process.argv[i + 1];
};

await registerKafkajsCodecs(arg('app'));
const { Kafka, logLevel } = (await import('kafkajs')).default;
const kafka = new Kafka({ clientId: 'mig-bench-read', brokers: arg('brokers').split(','), logLevel: logLevel.NOTHING });
const topic = arg('topic');
const t0 = process.hrtime.bigint();
const admin = kafka.admin();
await admin.connect();
const ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
await admin.disconnect();
const pending = new Set([...ends].filter(([, h]) => h > 0).map(([p]) => p));
let messages = 0;
const consumer = kafka.consumer({ groupId: `mig-bench-read-${process.pid}-${Date.now()}`, maxBytes: 64 << 20 });
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
await new Promise((resolve, reject) => {
  if (pending.size === 0) resolve();
  consumer
    .run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = ends.get(batch.partition);
        for (const m of batch.messages) if (Number(m.offset) < end) messages++;
        if (Number(batch.lastOffset()) + 1 >= end) pending.delete(batch.partition);
        if (pending.size === 0) resolve();
      },
    })
    .catch(reject);
});
const readSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
await consumer.disconnect();
process.stdout.write(`${JSON.stringify({ messages, readSeconds })}\n`);
