// Samples of mig's messages per format, whose sizes and bytes the producer baselines then send; the
// full-load case's sizing takes mig's messages for every k-th row of t_bulk (a row filter, so exactly the full load's).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { deleteTopics, noteTopic, readAll, TOPIC_PREFIX } from './kafka.mjs';
import { mig } from './mig.mjs';
import { ensureOk } from './process.mjs';
import { projectDir, removeDir, writeKafkaSpec } from './projects.mjs';
import { sampleFile } from './sample.mjs';

export const SAMPLE_MESSAGES = 4000; // messages of a sizing run (and of the raw producer's cycle)

/** Writes a format's sample file of mig's messages (as read back from its topic); their sizes, logged. */
export function keepSample(msgs, format, sampleDir, what, log) {
  const keyBytes = msgs.reduce((a, m) => a + (m.key?.length ?? 0), 0);
  const valueBytes = msgs.reduce((a, m) => a + m.value.length, 0);
  const file = path.join(sampleDir, `${format}.bin`);
  writeFileSync(file, sampleFile(msgs));
  const v = msgs[Math.floor(msgs.length / 2)].value;
  const s = {
    sampledMessages: msgs.length,
    avgKeyBytes: keyBytes / msgs.length,
    avgValueBytes: valueBytes / msgs.length,
    avgMessageBytes: (keyBytes + valueBytes) / msgs.length,
    example: format === 'dts-avro' ? `(Avro binary, ${v.length} bytes) ${v.toString('base64')}` : v.toString(),
    file,
  };
  log(`  ${what} ${format}: ${msgs.length} messages, ${s.avgMessageBytes.toFixed(1)} bytes (key ${s.avgKeyBytes.toFixed(1)} + value ${s.avgValueBytes.toFixed(1)}) on average`);
  return s;
}

export async function sizing(opts, tag, sampleDir, log) {
  const k = Math.max(1, Math.floor(opts.rows / SAMPLE_MESSAGES));
  const expected = Math.floor(opts.rows / k);
  const out = {};
  for (const format of opts.formats) {
    const topic = `${TOPIC_PREFIX}size.${tag}.${format}`;
    const dir = projectDir('size');
    noteTopic(topic);
    try {
      writeKafkaSpec(dir, { name: `bench-size-${format}`, topic, table: 't_bulk', types: ['schema', 'full'], format, filter: `id % ${k} = 0` });
      const r = ensureOk(`mig apply (sizing, ${format})`, await mig(dir, `size-${format}`, ['apply', '--auto-approve']));
      const msgs = await readAll(topic, expected);
      if (msgs.length !== expected) throw new Error(`sizing ${format}: read ${msgs.length} messages of ${topic}, expected ${expected}`);
      out[format] = { ...keepSample(msgs, format, sampleDir, 'sizing', log), everyKthRow: k, migMaxRssMB: r.maxRssKb / 1024 };
    } finally {
      removeDir(dir);
      await deleteTopics([topic]);
    }
  }
  return out;
}
