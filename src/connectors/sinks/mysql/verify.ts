// `mig verify` for a MySQL destination: each table compared by key ranges, with checksums computed
// on the source (through the spec's filter) and on the destination (under the mapped names) and
// rows read only for a range whose checksums differ. Names and columns come from the same mapping
// the applier writes through (TargetNames), so what is compared is what was meant to be written.
import type { Connection, FieldPacket, RowDataPacket } from 'mysql2/promise';
import type { MysqlDestination } from '../../../spec/schema.js';
import type { SqlValue, TableInfo } from '../../../model/source-data.js';
import type { ValueOptions } from '../../../model/float-rounding.js';
import type { DesiredTable } from '../../../model/targets.js';
import { MigError } from '../../../util/errors.js';
import type { ChunkChecksum, DestinationVerifier, KeyRange, RangeVerifier, VerifyOpenRequest, VerifyRow } from '../../contract.js';
import { connectDestination, destinationError } from './connect.js';
import { mysqlEndpoint } from './destination.js';
import { TargetNames, qualified } from './names.js';
import { boundarySql, checksumSql, rowsSql, type RowHash, type SideTable } from './verify-sql.js';

interface CastField {
  name: string;
  string(encoding?: string): string | null;
  buffer(): Buffer | null;
}

type Sides = { source: SideTable; destination: SideTable };

export async function openMysqlVerifier(d: MysqlDestination, r: VerifyOpenRequest): Promise<DestinationVerifier> {
  const ep = await mysqlEndpoint(r.migration, d, r.specDir);
  const names = new TargetNames(r.migration.spec.objects, r.migration.spec.ddl);
  const dest = await connectDestination(ep);
  let source: Connection;
  try {
    source = await r.openSourceSession();
    await source.query("SET time_zone = '+00:00'");
  } catch (e) {
    await dest.end().catch(() => undefined);
    throw e;
  }
  const conns = { source, destination: dest };
  const query = async (side: keyof typeof conns, sql: string, params: unknown[], cast: (f: CastField) => unknown): Promise<RowDataPacket[]> => {
    try {
      const [rows] = (await conns[side].query({ sql, values: params, typeCast: cast as never })) as [RowDataPacket[], FieldPacket[]];
      return rows;
    } catch (e) {
      if (side === 'destination') throw destinationError(ep, e, 'reading the destination to verify it');
      throw new MigError('verify-source', `reading the source to verify it: ${(e as Error).message}`, 'check that the source is reachable and the migration user may SELECT the table');
    }
  };
  const hash = (await Promise.all([source, dest].map(hasCrc32c))).every(Boolean) ? 'crc' : 'md5';
  return {
    table: async (t, shape) => tableVerifier(sidesOf(t, shape, names, r.values), query, hash),
    close: async () => {
      await Promise.all([source.end().catch(() => undefined), dest.end().catch(() => undefined)]);
    },
  };
}

/** The table on each side: the source's columns that are carried, under source and destination names. */
function sidesOf(t: DesiredTable, shape: TableInfo, names: TargetNames, values: ValueOptions): Sides {
  const map = names.table(shape.database, shape.table);
  if (!map) throw new MigError('verify-table', `${t.id} is not part of the migration`, 'name a table of spec.objects with --target');
  const kept = shape.columns.filter((c) => map.keeps(c.name));
  const missingKey = shape.chunkKey.filter((k) => !map.keeps(k));
  if (missingKey.length > 0) {
    throw new MigError('verify-key-excluded', `${t.id}: key column ${missingKey.join(', ')} is not carried to the destination, so its rows cannot be matched`, 'carry the key columns (spec.objects[].tables[].columns), or verify the table by hand');
  }
  return {
    source: {
      from: qualified(map.source),
      columns: kept.map((c) => ({ info: c, name: c.name })),
      key: shape.chunkKey,
      filter: t.filter,
      values,
    },
    destination: {
      from: qualified(map.target),
      columns: kept.map((c) => ({ info: { ...c, name: map.column(c.name)! }, name: map.column(c.name)! })),
      key: shape.chunkKey.map((k) => map.column(k)!),
      values,
    },
  };
}

const asText = (f: CastField) => f.string('utf8');

/** Whether the server has CRC32C (MariaDB 10.8+), for the faster row digest. */
async function hasCrc32c(conn: Connection): Promise<boolean> {
  try {
    await conn.query("SELECT CRC32C('')");
    return true;
  } catch {
    return false;
  }
}

function tableVerifier(sides: Sides, query: (side: 'source' | 'destination', sql: string, params: unknown[], cast: (f: CastField) => unknown) => Promise<RowDataPacket[]>, hash: RowHash): RangeVerifier {
  const src = sides.source;
  const binaryKeys = new Set(src.columns.filter((c) => c.info.binary && src.key.includes(c.name)).map((c) => c.name));
  // Boundaries go back to the server as parameters: a binary key as its bytes, the rest as text.
  const rawKey = (f: CastField) => (binaryKeys.has(f.name) ? f.buffer() : f.string('utf8'));
  const destNames = sides.destination.columns.map((c) => c.name);
  return {
    mode: 'ranges',
    fallback: src.key.length === 0 ? 'no primary or unique key: compared row by row as a multiset, not by checksums of key ranges' : undefined,
    boundaries: async (range: KeyRange, every: number): Promise<SqlValue[][]> => {
      if (src.key.length === 0) return [];
      const out: SqlValue[][] = [];
      let after = range.after;
      for (;;) {
        const q = boundarySql(src, { after, upTo: range.upTo }, every);
        const [row] = await query('source', q.sql, q.params, rawKey);
        if (!row) return out;
        after = src.key.map((k) => row[k] as SqlValue);
        out.push(after);
      }
    },
    checksum: async (side, range): Promise<ChunkChecksum> => {
      const q = checksumSql(sides[side], range, hash);
      const [row] = await query(side, q.sql, q.params, asText);
      return { rows: Number(row?.n ?? 0), sum: `${String(row?.a ?? 0)}:${String(row?.b ?? 0)}` };
    },
    rows: async (side, range): Promise<VerifyRow[]> => {
      const t = sides[side];
      const q = rowsSql(t, range);
      const rows = await query(side, q.sql, q.params, asText);
      return rows.map((r) => {
        const values: Record<string, string | null> = {};
        destNames.forEach((n, i) => (values[n] = r[`c${i}`] as string | null));
        const key = t.key.length > 0 ? JSON.stringify(t.key.map((_, i) => r[`k${i}`] as string | null)) : null;
        return { key, values };
      });
    },
  };
}
