// Each codec end to end against the real broker: the writer compresses with it, a kafkajs consumer
// reads the values back, and the broker's own log segment shows the batches stored with that codec
// (the broker keeps the producer's codec under compression.type=producer, its default). Batches a
// Java producer compressed must decode too: that is where Snappy's xerial framing shows.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KafkaWriter } from '../../../src/connectors/sinks/kafka/writer.js';
import { KafkaAdmin } from '../../../src/connectors/sinks/kafka/admin.js';
import { registerCompressionCodecs } from '../../support/kafkajs-codecs.mjs';
import type { KafkaDestination } from '../../../src/spec/schema.js';
import { KAFKA_BROKERS, REPO_ROOT, SERVICES_DIR, uniqueName } from '../helpers/env.js';
import { readTopic } from '../helpers/kafka.js';

type Codec = NonNullable<KafkaDestination['compression']>;

const CODECS: Codec[] = ['lz4', 'snappy', 'gzip', 'none'];
const COUNT = 400;

function dest(compression: Codec | undefined): KafkaDestination {
  return { type: 'kafka', brokers: KAFKA_BROKERS, topic: 'x', format: 'canal-json', partitions: 1, replicationFactor: 1, compression };
}

/** Rows alike enough that every real codec shrinks them several times over. */
function rows(tag: string): { topic: string; key: string; value: Buffer }[] {
  return Array.from({ length: COUNT }, (_, i) => ({
    topic: tag,
    key: `["${i}"]`,
    value: Buffer.from(JSON.stringify({ id: i, name: `customer ${i}`, note: 'the same words again and again '.repeat(20) })),
  }));
}

// The broker's own jars and data, as services.sh reports them (the 4.x line by default, or 3.9).
const KAFKA_LIB = process.env.MIG_TEST_KAFKA_LIB ?? path.join(path.resolve(REPO_ROOT, process.env.MIG_CACHE_DIR || '.cache'), 'kafka-4.1.1', 'lib');
const KAFKA_DIR = process.env.MIG_TEST_KAFKA_DIR ?? path.join(SERVICES_DIR, 'kafka');
const KAFKA_4 = !(process.env.MIG_TEST_KAFKA_VERSION ?? '4').startsWith('3.');
// Kafka 4 logs through log4j2; 3.9 through log4j 1 (reload4j). Each reads only its own flag.
const JAVA_LOG = [`-Dlog4j.configuration=file:${path.join(KAFKA_DIR, 'log4j-tools.properties')}`, `-Dlog4j2.configurationFile=${path.join(KAFKA_DIR, 'log4j2-tools.properties')}`];
const CONSOLE_PRODUCER = KAFKA_4 ? 'org.apache.kafka.tools.ConsoleProducer' : 'kafka.tools.ConsoleProducer';

function segmentOf(topic: string): string {
  const dir = path.join(KAFKA_DIR, 'data', `${topic}-0`);
  const log = readdirSync(dir).find((f) => f.endsWith('.log'));
  if (!log) throw new Error(`no log segment in ${dir}`);
  return path.join(dir, log);
}

/** The codec of every batch in the topic's segment, as Kafka's DumpLogSegments reports it. */
function storedCodecs(topic: string): string[] {
  const out = execFileSync('java', [...JAVA_LOG, '-cp', `${KAFKA_LIB}/*`, 'kafka.tools.DumpLogSegments', '--files', segmentOf(topic)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return [...out.matchAll(/compresscodec: (\w+)/g)].map((m) => m[1]!.toLowerCase());
}

async function createTopic(topic: string): Promise<void> {
  const admin = await KafkaAdmin.connect(dest('none'));
  try {
    await admin.create(topic, 1, 1);
  } finally {
    await admin.close();
  }
}

describe('Kafka batch compression', () => {
  beforeAll(() => {
    // The segment checks read the broker's files: they need this project's own broker.
    expect(existsSync(path.join(KAFKA_DIR, 'data')), `broker data under ${KAFKA_DIR}`).toBe(true);
    expect(existsSync(KAFKA_LIB), `Kafka jars in ${KAFKA_LIB}`).toBe(true);
  });

  it.each(CODECS)('%s: the writer compresses, the broker stores it so, a consumer reads it back', async (codec) => {
    const topic = uniqueName(`compress_${codec}`);
    await createTopic(topic);
    const msgs = rows(topic);
    const w = await KafkaWriter.connect(dest(codec));
    try {
      await w.send(msgs);
    } finally {
      await w.close();
    }
    const back = await readTopic(topic);
    expect(back.map((m) => m.value)).toEqual(msgs.map((m) => m.value.toString()));
    expect(back.map((m) => m.key)).toEqual(msgs.map((m) => m.key));

    const codecs = storedCodecs(topic);
    expect(codecs.length).toBeGreaterThan(0);
    expect(new Set(codecs)).toEqual(new Set([codec]));
    const raw = msgs.reduce((n, m) => n + m.value.length, 0);
    const stored = statSync(segmentOf(topic)).size;
    if (codec === 'none') expect(stored).toBeGreaterThan(raw);
    else expect(stored).toBeLessThan(raw / 5);
  });

  it('defaults to lz4 when the spec does not say', async () => {
    const topic = uniqueName('compress_default');
    await createTopic(topic);
    const w = await KafkaWriter.connect(dest(undefined));
    try {
      await w.send(rows(topic).slice(0, 10));
    } finally {
      await w.close();
    }
    expect(new Set(storedCodecs(topic))).toEqual(new Set(['lz4']));
  });

  it.each(['lz4', 'snappy'] as const)('%s: reads batches a Java producer compressed', async (codec) => {
    registerCompressionCodecs();
    const topic = uniqueName(`java_${codec}`);
    await createTopic(topic);
    const lines = Array.from({ length: 300 }, (_, i) => `line ${i} ${'of much the same text '.repeat(10)}`);
    execFileSync('java', [...JAVA_LOG, '-cp', `${KAFKA_LIB}/*`, CONSOLE_PRODUCER, '--bootstrap-server', KAFKA_BROKERS[0]!, '--topic', topic, '--compression-codec', codec, '--producer-property', 'linger.ms=200'], { input: `${lines.join('\n')}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
    expect(new Set(storedCodecs(topic))).toEqual(new Set([codec]));
    const back = await readTopic(topic);
    expect(back.map((m) => m.value)).toEqual(lines);
  });

});
