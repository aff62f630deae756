// The sample file of mig's messages that the producer baselines send (bench/lib/sizing.mjs writes it):
// per message a u32 key length (0xffffffff: no key), the key, a u32 value length, the value.
// No other imports here: the raw producer must load kafkajs only after mig's codecs.
import { readFileSync } from 'node:fs';

const NO_KEY = 0xffffffff;

/** The file's bytes for messages of { key: Buffer | null, value: Buffer }. */
export function sampleFile(msgs) {
  const parts = [];
  for (const m of msgs) {
    const kl = Buffer.alloc(4);
    kl.writeUInt32BE(m.key === null ? NO_KEY : m.key.length);
    const vl = Buffer.alloc(4);
    vl.writeUInt32BE(m.value.length);
    parts.push(kl, m.key ?? Buffer.alloc(0), vl, m.value);
  }
  return Buffer.concat(parts);
}

/** The messages of a sample file, as { key: Buffer | null, value: Buffer }. */
export function readSample(file) {
  const buf = readFileSync(file);
  const out = [];
  let at = 0;
  while (at < buf.length) {
    const kl = buf.readUInt32BE(at);
    at += 4;
    const key = kl === NO_KEY ? null : buf.subarray(at, (at += kl));
    const vl = buf.readUInt32BE(at);
    at += 4;
    out.push({ key, value: buf.subarray(at, (at += vl)) });
  }
  if (out.length === 0) throw new Error(`${file} holds no messages`);
  return out;
}
