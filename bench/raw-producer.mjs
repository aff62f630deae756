// Baseline for the full-load benchmark: the fastest this Kafka client gets on this machine with
// mig's delivery rules (acks=-1, one request in flight). Sends COUNT pre-built messages of about
// SIZE bytes, keyed like mig's, in batches of BATCH, each batch awaited before the next.
// The topic must exist. Prints one JSON line: {"messages", "bytes", "connectSeconds", "sendSeconds"}.
//
// Usage: node bench/raw-producer.mjs --brokers H:P --topic T --count N [--size 200] [--batch 2000]
import { Kafka, logLevel } from 'kafkajs';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) {
    if (fallback === undefined) throw new Error(`--${name} is required`);
    return fallback;
  }
  return process.argv[i + 1];
}

const brokers = arg('brokers').split(',');
const topic = arg('topic');
const count = Number(arg('count'));
const size = Number(arg('size', '200'));
const batchSize = Number(arg('batch', '2000'));

// Build every message before the clock starts: this measures the client and the broker only.
const filler = 'x'.repeat(size);
const batches = [];
let bytes = 0;
for (let start = 0; start < count; start += batchSize) {
  const messages = [];
  for (let id = start + 1; id <= Math.min(count, start + batchSize); id++) {
    const head = `{"id":${id},"pad":"`;
    const value = Buffer.from(head + filler.slice(0, Math.max(0, size - head.length - 2)) + '"}');
    bytes += value.length;
    messages.push({ key: `["${id}"]`, value });
  }
  batches.push(messages);
}

const kafka = new Kafka({ clientId: 'mig-bench-raw', brokers, logLevel: logLevel.NOTHING });
const producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1, idempotent: false });
const t0 = process.hrtime.bigint();
await producer.connect();
const t1 = process.hrtime.bigint();
for (const messages of batches) {
  await producer.send({ topic, messages, acks: -1, timeout: 30000 });
}
const t2 = process.hrtime.bigint();
await producer.disconnect();
const seconds = (a, b) => Number(b - a) / 1e9;
process.stdout.write(JSON.stringify({ messages: count, bytes, connectSeconds: seconds(t0, t1), sendSeconds: seconds(t1, t2) }) + '\n');
