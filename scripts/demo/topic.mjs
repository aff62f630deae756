// Prints every message of the given topics, one line each: partition, offset, key, value.
import { Kafka, logLevel } from 'kafkajs';
// mig compresses batches with lz4 by default; reading them needs the same codecs (from the build).
import { registerCompressionCodecs } from '../../dist/connectors/kafka/compression.js';

registerCompressionCodecs();

const [mode, brokers, ...topics] = process.argv.slice(2);
const kafka = new Kafka({ clientId: 'mig-demo', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
if (mode === 'delete') {
  const existing = new Set(await admin.listTopics());
  const gone = topics.filter((t) => existing.has(t));
  if (gone.length > 0) await admin.deleteTopics({ topics: gone, timeout: 30000 });
  await admin.disconnect();
  process.exit(0);
}
for (const topic of topics) {
  const ends = await admin.fetchTopicOffsets(topic);
  const total = ends.reduce((a, e) => a + Number(e.high), 0);
  console.log(`\n--- topic ${topic}: ${total} message(s)`);
  if (total === 0) continue;
  const consumer = kafka.consumer({ groupId: `mig-demo-${Date.now()}-${Math.random()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  const lines = [];
  await new Promise((resolve) => {
    consumer.run({
      eachMessage: async ({ partition, message }) => {
        lines.push([partition, Number(message.offset), `p${partition}@${message.offset} key=${message.key?.toString() ?? 'null'} ${message.value.toString()}`]);
        if (++seen >= total) resolve();
      },
    });
  });
  await consumer.disconnect();
  for (const [, , l] of lines.sort((a, b) => a[0] - b[0] || a[1] - b[1])) console.log(l);
}
await admin.disconnect();
