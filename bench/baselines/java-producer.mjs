// Baseline: Kafka's own Java producer, as Kafka measures it (org.apache.kafka.tools.ProducerPerformance
// from the broker's kafka-tools jar), sending COUNT values of the sample of mig's messages for the
// format being measured (bench/lib/sample.mjs) to a topic that must exist. Settings as close as fair
// to mig's writer: acks=all and lz4 like mig, one partition (the topic's). What differs:
// - no keys: ProducerPerformance sends values only (mig's keys are ~8 of a message's ~350-600 bytes);
// - each value is picked at random from the sample (seeded), not cycled as the raw producer does;
// - its own batching: batch.size bytes (after compression) per batch, linger.ms, and up to 5 requests
//   in flight with idempotence (Java's defaults), where mig's writer sends ~900 KB requests one at a time.
// The tool reads its payload file as UTF-8 text split at a delimiter: the values go there with
// DELIMITER between them. Text values (JSON) must not contain it; binary values (dts-avro's Avro)
// would not survive UTF-8 decoding, so each of their bytes outside printable ASCII becomes one inside
// (0x20 + byte % 95): the same sizes, and every repeat lz4 can find stays one.
// Prints one JSON line: {"messages", "recordsPerSecond", "mbPerSecond" (MiB/s of values),
// "sendSeconds" (messages ÷ its rate: first send to the producer closed, without the JVM's start),
// "avgLatencyMs", "maxLatencyMs", "p50Ms", "p95Ms", "p99Ms", "p999Ms", "binaryValues"}.
//
// Usage: node bench/baselines/java-producer.mjs --lib DIR --brokers H:P --topic T --count N --sample FILE
//          [--batch-size 262144] [--linger-ms 10] [--compression lz4]
// DIR holds Kafka's jars (scripts/services.sh fetches them; `services.sh env` names it MIG_TEST_KAFKA_LIB).
// The payload file is written next to the sample (the benchmark's temporary directory).
import { spawnSync } from 'node:child_process';
import { isUtf8 } from 'node:buffer';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { arg } from '../lib/arg.mjs';
import { readSample } from '../lib/sample.mjs';

const DELIMITER = 0x1e; // ASCII record separator: JSON escapes every control character, and a regex takes it as itself
const MAIN = 'org.apache.kafka.tools.ProducerPerformance';

const lib = arg('lib');
const count = Number(arg('count'));
const sampleFile = arg('sample');
if (!existsSync(lib) || !readdirSync(lib).some((f) => /^kafka-tools-\d.*\.jar$/.test(f))) throw new Error(`no kafka-tools jar in ${lib} (bash scripts/services.sh up kafka fetches Kafka's jars)`);

const printable = (v) => v.map((b) => (b >= 0x20 && b < 0x7f ? b : 0x20 + (b % 95)));
const values = readSample(sampleFile).map((m) => m.value);
const binary = !values.every((v) => isUtf8(v));
const payloads = binary ? values.map(printable) : values;
const clash = payloads.findIndex((v) => v.includes(DELIMITER));
if (clash >= 0) throw new Error(`message ${clash + 1} of ${sampleFile} contains the payload delimiter byte 0x${DELIMITER.toString(16)}: ProducerPerformance would split it`);
const payloadFile = `${sampleFile}.java-payload`;
writeFileSync(payloadFile, Buffer.concat(payloads.flatMap((v, i) => (i === 0 ? [v] : [Buffer.of(DELIMITER), v]))));

const props = [`bootstrap.servers=${arg('brokers')}`, 'acks=all', `compression.type=${arg('compression', 'lz4')}`, `batch.size=${arg('batch-size', '262144')}`, `linger.ms=${arg('linger-ms', '10')}`];
// English number formats whatever the locale: the summary line is parsed below.
const java = ['-Duser.language=en', '-Duser.country=US', '-cp', `${lib}/*`, MAIN, '--topic', arg('topic'), '--num-records', String(count), '--throughput', '-1', '--payload-file', payloadFile, '--payload-delimiter', String.fromCharCode(DELIMITER), '--producer-props', ...props];
const r = spawnSync('java', java, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (r.error) throw new Error(`java: ${r.error.message} (scripts/services.sh installs a JRE with the broker)`);
if (r.status !== 0) throw new Error(`${MAIN} failed (exit ${r.status ?? r.signal}):\n${r.stdout}`);

const read = Number(/^Number of messages read: (\d+)$/m.exec(r.stdout)?.[1]);
if (read !== payloads.length) throw new Error(`${MAIN} read ${read} payloads of ${payloadFile}, expected ${payloads.length}`);
// Its final line: "N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency, P ms 50th, P ms 95th, P ms 99th, P ms 99.9th."
const m = /^(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th\.$/m.exec(r.stdout);
if (!m) throw new Error(`no summary line in ${MAIN}'s output:\n${r.stdout}`);
const [sent, recordsPerSecond, mbPerSecond, avgLatencyMs, maxLatencyMs, p50Ms, p95Ms, p99Ms, p999Ms] = m.slice(1).map(Number);
// Failed sends print a stack trace but leave the exit status 0: only the count tells.
if (sent !== count) throw new Error(`${MAIN} sent ${sent} of ${count} records`);
process.stdout.write(JSON.stringify({ messages: sent, recordsPerSecond, mbPerSecond, sendSeconds: sent / recordsPerSecond, avgLatencyMs, maxLatencyMs, p50Ms, p95Ms, p99Ms, p999Ms, binaryValues: binary }) + '\n');
