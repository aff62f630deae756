// Batch compression for the Kafka destination: the client has all of Kafka's codecs built in (LZ4
// frames and Snappy in the framing Java producers write, gzip, zstd), so this only names the
// spec's choice and its default.
import type { KafkaDestination } from '../../spec/schema.js';

export type CompressionName = NonNullable<KafkaDestination['compression']>;

/** What a spec that does not set `compression` gets: lz4, as DTS. */
export const DEFAULT_COMPRESSION: CompressionName = 'lz4';

/** The codec the producer writes batches with. */
export function compressionOf(name: CompressionName | undefined): CompressionName {
  return name ?? DEFAULT_COMPRESSION;
}
