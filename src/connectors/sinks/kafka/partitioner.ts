// Partition choice for DTS's three policies. Deterministic and documented, so consumers (and tests)
// can compute where a row lands: h = Java String.hashCode of a UTF-16 string, partition =
// (h & 0x7fffffff) % partitions.
//   single:      everything to partition 0 (the source's order, entirely).
//   table:       h("database.table"): a table's rows and its DDL share a partition.
//   primary-key: h(key text), the key text being the JSON array of the partition-key values (the
//                primary key unless the table names `partitionKey` columns).
// DDL not tied to a table, DDL under primary-key, and rows of tables without a key go to partition 0.

export type PartitionPolicy = 'single' | 'table' | 'primary-key';

/** Java's String.hashCode: s[0]*31^(n-1) + … + s[n-1], in 32-bit two's complement. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

export function partitionOf(hashInput: string, partitions: number): number {
  if (partitions <= 1) return 0;
  return (javaStringHash(hashInput) & 0x7fffffff) % partitions;
}

export interface PartitionSubject {
  database: string;
  table?: string;
  /** Key text for the primary-key policy; null for rows without a key and for DDL. */
  keyText: string | null;
  ddl: boolean;
}

export function choosePartition(policy: PartitionPolicy, partitions: number, s: PartitionSubject): number {
  switch (policy) {
    case 'single':
      return 0;
    case 'table':
      return s.table === undefined ? 0 : partitionOf(`${s.database}.${s.table}`, partitions);
    case 'primary-key':
      return s.ddl || s.keyText === null ? 0 : partitionOf(s.keyText, partitions);
  }
}
