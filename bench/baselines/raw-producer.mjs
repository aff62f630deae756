// Baseline for the full load: the fastest this Kafka client gets on this machine with mig's
// delivery rules and batching, sending messages that look like mig's. It reads a sample of the
// messages mig wrote for the format being measured (bench/lib/sizing.mjs takes them from a sizing
// run), and sends COUNT of them (the sample cycled; same sizes, same compressibility) the way mig's writer
// does: chunks of CHUNK messages (mig's default chunkSize), each cut into requests below
// MAX_REQUEST bytes with the same size estimate, one request in flight, acks=-1, lz4. Every
// message is built before the clock starts, so this measures the client and the broker only.
// The topic must exist. Prints one JSON line: {"messages", "bytes", "requests", "connectSeconds",
// "sendSeconds"}.
//
// Usage: node bench/baselines/raw-producer.mjs --app DIR --brokers H:P --topic T --count N --sample FILE
//          [--chunk 5000] [--max-request 900000] [--compression lz4]
// DIR is the built mig: its Kafka compression module registers the LZ4 and Snappy codecs
// (and, loaded before kafkajs, the same kafkajs patch mig runs with).
import { registerKafkajsCodecs } from '../lib/app.mjs';
import { arg } from '../lib/arg.mjs';
import { readSample } from '../lib/sample.mjs';

const app = arg('app');
const brokers = arg('brokers').split(',');
const topic = arg('topic');
const count = Number(arg('count'));
const chunk = Number(arg('chunk', '5000'));
const maxRequest = Number(arg('max-request', '900000'));
const compressionName = arg('compression', 'lz4');

// Before kafkajs: a build that still used kafkajs patches it as its module loads, as in mig then.
await registerKafkajsCodecs(app);
const kafkajs = (await import('kafkajs')).default;
const { Kafka, logLevel, CompressionTypes } = kafkajs;
const compression = { lz4: CompressionTypes.LZ4, snappy: CompressionTypes.Snappy, gzip: CompressionTypes.GZIP, none: CompressionTypes.None }[compressionName];
if (compression === undefined) throw new Error(`unknown --compression ${compressionName}`);

// kafkajs takes string keys as mig passes them.
const sample = readSample(arg('sample')).map((m) => ({ key: m.key === null ? null : m.key.toString(), value: m.value }));
const requests = [];
let bytes = 0;
for (let start = 0; start < count; start += chunk) {
  const end = Math.min(count, start + chunk);
  // writer.ts's cut: value + key + 70 bytes of overhead per message, below maxRequest per request.
  let messages = [];
  let size = 0;
  for (let i = start; i < end; i++) {
    const m = sample[i % sample.length];
    const s = m.value.length + (m.key?.length ?? 0) + 70;
    if (messages.length > 0 && size + s > maxRequest) {
      requests.push(messages);
      messages = [];
      size = 0;
    }
    size += s;
    bytes += m.value.length + (m.key === null ? 0 : Buffer.byteLength(m.key));
    messages.push({ key: m.key, value: m.value, partition: undefined });
  }
  if (messages.length > 0) requests.push(messages);
}

const kafka = new Kafka({ clientId: 'mig-bench-raw', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 5000, requestTimeout: 30000, retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5000 } });
const producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1, idempotent: false });
const t0 = process.hrtime.bigint();
await producer.connect();
const t1 = process.hrtime.bigint();
for (const messages of requests) {
  await producer.sendBatch({ topicMessages: [{ topic, messages }], acks: -1, compression, timeout: 30000 });
}
const t2 = process.hrtime.bigint();
await producer.disconnect();
const seconds = (a, b) => Number(b - a) / 1e9;
process.stdout.write(JSON.stringify({ messages: count, bytes, requests: requests.length, connectSeconds: seconds(t0, t1), sendSeconds: seconds(t1, t2) }) + '\n');
