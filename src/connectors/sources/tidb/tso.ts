// TiDB's timestamp oracle (TSO): the commit ts of every transaction, physical ms << 18 | logical.
// Drainer messages and TiCDC's extension carry it; the snapshot records it as the feed's start.

/** Bits of the logical counter below the physical milliseconds. */
export const TSO_LOGICAL_BITS = 18n;

/** Physical part of a TSO: milliseconds since the epoch. */
export function tsoPhysicalMs(ts: bigint): number {
  return Number(ts >> TSO_LOGICAL_BITS);
}

/** A TSO from its parts (tests and start-position arithmetic). */
export function composeTso(physicalMs: number, logical = 0): bigint {
  return (BigInt(physicalMs) << TSO_LOGICAL_BITS) | BigInt(logical);
}

/**
 * A change id unique within the feed, equal on redelivery: the Kafka offset in the high bits, the
 * partition and the change's index in the message below. Exact while offsets stay under 2^33 and a
 * message holds fewer than 2^20 changes (canal-json: 1024 partitions, 1024 rows per message).
 */
export function feedChangeId(offset: string | bigint, partition: number, index: number): number {
  const base = Number(offset) * 2 ** 20;
  return partition === 0 ? base + index : base + (partition % 1024) * 1024 + (index % 1024);
}
