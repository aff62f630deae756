// Batch compression for the Kafka destination. kafkajs ships only gzip; LZ4 and Snappy are
// registered here with the on-the-wire framing Kafka's own clients use, so batches mig writes
// can be read by Java, librdkafka and kafkajs consumers alike, and mig reads theirs.
// Before kafkajs, whichever of this module and client.ts loads first (see kafkajs-grouping.ts).
import './kafkajs-grouping.js';
import kafkajs from 'kafkajs';
import type { CompressionTypes as KafkaCompression } from 'kafkajs';
import type { KafkaDestination } from '../../spec/schema.js';
import { MigError } from '../../util/errors.js';

// CompressionCodecs and CompressionTypes are properties of kafkajs's CommonJS exports object
// that Node's ESM loader does not expose as named exports.
const { CompressionCodecs, CompressionTypes } = kafkajs;

export type CompressionName = NonNullable<KafkaDestination['compression']>;

/** What a spec that does not set `compression` gets: lz4, as DTS. */
export const DEFAULT_COMPRESSION: CompressionName = 'lz4';

/** The kafkajs codec id for a spec value; registers the LZ4 and Snappy codecs on first use. */
export function compressionType(name: CompressionName | undefined): KafkaCompression {
  registerCompressionCodecs();
  switch (name ?? DEFAULT_COMPRESSION) {
    case 'lz4':
      return CompressionTypes.LZ4;
    case 'snappy':
      return CompressionTypes.Snappy;
    case 'gzip':
      return CompressionTypes.GZIP;
    case 'none':
      return CompressionTypes.None;
  }
}

interface Codec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

let registered = false;

/**
 * Installs the LZ4 and Snappy codecs in kafkajs's process-wide table. Idempotent. kafkaClient calls
 * it, so every client mig makes can also decompress batches other producers wrote.
 */
export function registerCompressionCodecs(): void {
  if (registered) return;
  CompressionCodecs[CompressionTypes.LZ4] = () => lz4Codec;
  CompressionCodecs[CompressionTypes.Snappy] = () => snappyCodec;
  registered = true;
}

// The native modules load on first use, not at import: a platform without a prebuilt binary then
// only loses the codec it lacks, and the error says which one.
type Lz4Module = typeof import('lz4-napi');
type SnappyModule = typeof import('snappy');
let lz4Module: Promise<Lz4Module> | undefined;
let snappyModule: Promise<SnappyModule> | undefined;

function loadLz4(): Promise<Lz4Module> {
  lz4Module ??= import('lz4-napi').catch((e: unknown) => {
    lz4Module = undefined;
    throw codecMissing('lz4', 'lz4-napi', e);
  });
  return lz4Module;
}

function loadSnappy(): Promise<SnappyModule> {
  snappyModule ??= import('snappy').catch((e: unknown) => {
    snappyModule = undefined;
    throw codecMissing('snappy', 'snappy', e);
  });
  return snappyModule;
}

function codecMissing(codec: string, pkg: string, e: unknown): MigError {
  return new MigError(
    'kafka-codec-unavailable',
    `the ${codec} codec cannot be loaded (package ${pkg}): ${(e as Error).message}`,
    `reinstall mig's dependencies on this platform, or set spec.destination.compression to gzip or none`,
  );
}

// Kafka's LZ4 is the LZ4 frame format (magic 0x184D2204) with independent 64 KiB blocks and no
// checksums: lz4-napi's frame defaults, the same layout the Java producer writes.
const lz4Codec: Codec = {
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

const snappyCodec: Codec = {
  async compress(encoder) {
    const snappy = await loadSnappy();
    const input = encoder.buffer;
    const parts: Buffer[] = [XERIAL_HEADER];
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
    const parts: Buffer[] = [];
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

function isXerial(buffer: Buffer): boolean {
  return buffer.length >= XERIAL_HEADER.length && buffer.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC);
}

function asBuffer(out: string | Buffer): Buffer {
  return typeof out === 'string' ? Buffer.from(out) : out;
}
