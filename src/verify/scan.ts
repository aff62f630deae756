// A table verified by reading the destination whole (Kafka's last state per key rebuilt from the
// topic, Tablestore's range reads): the destination's rows are held by key, then the source is read
// chunk by chunk through the spec's filter, each row mapped as the sink maps it and matched.
import type { Connection } from 'mysql2/promise';
import type { ScanVerifier, VerifyRow } from '../connectors/contract.js';
import type { Row, TableInfo } from '../model/source-data.js';
import { TableChunker } from '../connectors/sources/mysql/snapshot-reader.js';
import type { ValueOptions } from '../connectors/sources/mysql/type-map.js';
import { Comparison, laterSeen, type Tally } from './compare.js';

export interface ScanSource {
  conn: Connection;
  shape: TableInfo;
  filter?: string;
  chunkRows: number;
  values: ValueOptions;
}

export interface ScanResult {
  tally: Tally;
  sourceRows: number;
  destinationRows: number;
}

/** The source table's rows through the filter, in key order, a chunk at a time. */
export async function* sourceRows(s: ScanSource): AsyncIterable<Row> {
  const chunker = new TableChunker(s.conn, s.shape, s.chunkRows, s.filter, s.values);
  let cursor: (string | null)[] | undefined;
  for (;;) {
    const chunk = await chunker.next(cursor);
    yield* chunk.rows;
    cursor = chunk.cursor ?? cursor;
    if (chunk.last) return;
  }
}

export async function verifyScan(v: ScanVerifier, source: ScanSource, keep: number): Promise<ScanResult> {
  const c = new Comparison(keep);
  await v.scan(c);
  const destinationRows = c.actualRows;
  for await (const row of sourceRows(source)) {
    const e = v.expected(row);
    if (e) c.expected(e);
  }
  const tally = c.finish();
  await nameColumns(v, c);
  return { tally, sourceRows: c.expectedRows, destinationRows };
}

/** Only digests were held: the listed rows that differ are read again to name their columns. */
async function nameColumns(v: ScanVerifier, c: Comparison): Promise<void> {
  const want = c.unnamedKeys;
  if (want.size === 0) return;
  const last = new Map<string, VerifyRow>();
  const latest = new Map<string, number>();
  await v.scan({
    put: (r, order) => {
      if (r.key !== null && want.has(r.key) && !laterSeen(latest, r.key, order)) last.set(r.key, r);
    },
    remove: (key, _values, order) => {
      if (key !== null && want.has(key) && !laterSeen(latest, key, order)) last.delete(key);
    },
  });
  for (const r of last.values()) c.nameColumns(r);
}
