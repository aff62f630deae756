// LZ4 and Snappy for kafkajs, which ships only gzip: the tests and the benchmark read mig's topics
// with kafkajs (a client independent of the one mig writes with) and its raw-producer baseline
// writes with it. Kafka's own framing: LZ4 frames (magic 0x184D2204, independent 64 KiB blocks, no
// checksums) and Snappy in snappy-java's "xerial" stream framing, read bare too.
import kafkajs from 'kafkajs';

// CompressionCodecs and CompressionTypes are properties of kafkajs's CommonJS exports object
// that Node's ESM loader does not expose as named exports.
const { CompressionCodecs, CompressionTypes } = kafkajs;

let registered = false;

/** Installs the LZ4 and Snappy codecs in kafkajs's process-wide table. Idempotent. */
export function registerCompressionCodecs() {
  if (registered) return;
  CompressionCodecs[CompressionTypes.LZ4] = () => lz4Codec;
  CompressionCodecs[CompressionTypes.Snappy] = () => snappyCodec;
  registered = true;
}

// The native modules load on first use, not at import: a platform without a prebuilt binary then
// only loses the codec it lacks, and the error says which one.
let lz4Module;
let snappyModule;

function loadLz4() {
  lz4Module ??= import('lz4-napi').catch((e) => {
    lz4Module = undefined;
    throw codecMissing('lz4', 'lz4-napi', e);
  });
  return lz4Module;
}

function loadSnappy() {
  snappyModule ??= import('snappy').catch((e) => {
    snappyModule = undefined;
    throw codecMissing('snappy', 'snappy', e);
  });
  return snappyModule;
}

function codecMissing(codec, pkg, e) {
  return new Error(`the ${codec} codec cannot be loaded (package ${pkg}): ${e.message}`);
}

// Kafka's LZ4 is the LZ4 frame format (magic 0x184D2204) with independent 64 KiB blocks and no
// checksums: lz4-napi's frame defaults, the same layout the Java producer writes.
const lz4Codec = {
  async compress(encoder) {
    return (await loadLz4()).compressFrame(encoder.buffer);
  },
  async decompress(buffer) {
    return (await loadLz4()).decompressFrame(buffer);
  },
};

// Java clients wrap Snappy in snappy-java's stream framing ("xerial"): a 16-byte header, then
// blocks of at most 32 KiB of input, each a big-endian length and a raw Snappy block. Brokers
// and other clients read both that and a bare Snappy block; mig writes the framed form, as the
// Java producer does, and reads either.
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER = Buffer.concat([XERIAL_MAGIC, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])]);
const XERIAL_BLOCK = 32 * 1024;

const snappyCodec = {
  async compress(encoder) {
    const snappy = await loadSnappy();
    const input = encoder.buffer;
    const parts = [XERIAL_HEADER];
    for (let at = 0; at < input.length; at += XERIAL_BLOCK) {
      const block = await snappy.compress(input.subarray(at, at + XERIAL_BLOCK));
      const len = Buffer.alloc(4);
      len.writeUInt32BE(block.length);
      parts.push(len, block);
    }
    return Buffer.concat(parts);
  },
  async decompress(buffer) {
    const snappy = await loadSnappy();
    if (!isXerial(buffer)) return asBuffer(await snappy.uncompress(buffer));
    const parts = [];
    let at = XERIAL_HEADER.length;
    while (at + 4 <= buffer.length) {
      const len = buffer.readUInt32BE(at);
      at += 4;
      if (at + len > buffer.length) throw new Error(`truncated Snappy block: ${len} bytes announced, ${buffer.length - at} left`);
      parts.push(asBuffer(await snappy.uncompress(buffer.subarray(at, at + len))));
      at += len;
    }
    return Buffer.concat(parts);
  },
};

function isXerial(buffer) {
  return buffer.length >= XERIAL_HEADER.length && buffer.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC);
}

function asBuffer(out) {
  return typeof out === 'string' ? Buffer.from(out) : out;
}
