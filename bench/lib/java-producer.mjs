// Kafka's own Java producer as a baseline of mig's Kafka writes: the step that runs
// bench/baselines/java-producer.mjs into a fresh topic, and its figures, ratios, report rows and aim.
import path from 'node:path';
import { ROOT } from './app.mjs';
import { createTopic, deleteTopics, topicCount } from './kafka.mjs';
import { ensureOk, lastJsonLine, measure } from './process.mjs';
import { rateRow } from './report.mjs';
import { BROKERS, kafkaLib } from './services.mjs';
import { figure, ratio } from './stats.mjs';

/**
 * batch.size: 256 KiB after lz4, which shrinks mig's JSON messages about 4×: ~1 MB of messages a batch,
 * near the ~900 KB requests mig's writer sends (Kafka's own benchmark takes 8 KiB for 100-byte records
 * over 6 partitions; with one partition 16 KiB ran at a quarter of the rate of 256 KiB here). linger.ms:
 * the low end of the usual throughput advice; a loop that sends as fast as it can fills batches sooner.
 */
export const JAVA_PRODUCER = { batchSize: 262_144, lingerMs: 10 };

/** Seconds of its own rate: first send to the producer closed, without the JVM's start. */
const sends = (r) => r.sendSeconds;

export const javaStep = (format) => `java producer ${format}`;

/** The step: N of the sample's values sent by ProducerPerformance into a fresh 1-partition topic, counted afterwards. */
export function javaProducerStep(topic, N, sample) {
  return async () => {
    await createTopic(topic);
    try {
      const args = ['--lib', kafkaLib(), '--brokers', BROKERS.join(','), '--topic', topic, '--count', String(N), '--sample', sample, '--batch-size', String(JAVA_PRODUCER.batchSize), '--linger-ms', String(JAVA_PRODUCER.lingerMs), '--compression', 'lz4'];
      const r = ensureOk('java producer', await measure(process.execPath, [path.join(ROOT, 'bench', 'baselines', 'java-producer.mjs'), ...args]));
      const inner = lastJsonLine(r);
      const got = await topicCount(topic);
      if (got !== N) throw new Error(`java producer: ${got} messages in ${topic}, expected ${N}`);
      return { ...r, sendSeconds: inner.sendSeconds };
    } finally {
      await deleteTopics([topic]);
    }
  };
}

/** fig.java (whole process: node, the payload file, the JVM) and fig.javaSends (its own rate); MB/s of the values, its only bytes. */
export function javaFigures(fig, N, runs, valueBytes) {
  fig.java = figure('msgs/s', N, runs, { bytesPerUnit: valueBytes });
  fig.javaSends = figure('msgs/s', N, runs, { pick: sends, bytesPerUnit: valueBytes, whole: false });
}

/** A phase of mig (seconds picked by `phase`) against the Java producer's own rate. */
export const javaSendsRatio = (phaseFig, fig, migRuns, javaRuns, phase) => ratio(phaseFig, fig.javaSends, migRuns, javaRuns, phase, sends);

export const javaRows = (fig) => [rateRow('  Kafka Java producer (whole process)', fig.java), rateRow('  Kafka Java producer (its own rate)', fig.javaSends)];

/** The aim "<what> ≥ min × Kafka's Java producer" over a ratio of javaSendsRatio. */
export const javaAim = (what, format, phase, r, min) => ({
  aim: `${what} ≥ ${min} × Kafka's Java producer (${format}; ${phase} ÷ Java producer's sends)`,
  value: r ? r.ofMedians : null,
  met: r ? r.ofMedians >= min : null,
});
