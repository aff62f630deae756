// What the applier needs to know about a destination table: which columns it has (generated ones
// cannot be written), which hold geometry (written through ST_GeomFromText/WKB), and the key that
// finds a row for UPDATE and DELETE. Read from the destination itself, after renames and column
// selection, so the key is exactly what the destination enforces.
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { TableRef } from './names.js';

export interface DestColumn {
  name: string;
  /** information_schema DATA_TYPE, lower case. */
  dataType: string;
  /** VIRTUAL or STORED generated: computed by the server, never written. */
  generated: boolean;
  geometry: boolean;
}

export interface DestTable {
  ref: TableRef;
  columns: DestColumn[];
  /** Lower-cased name → column. */
  byName: Map<string, DestColumn>;
  /**
   * Columns that find one row: the primary key, else the shortest unique key over NOT NULL columns,
   * else empty (rows are then matched on every column with <=>, one at a time).
   */
  key: string[];
}

const GEOMETRY = new Set(['geometry', 'point', 'linestring', 'polygon', 'multipoint', 'multilinestring', 'multipolygon', 'geometrycollection', 'geomcollection']);

/** The table's description; undefined when it does not exist. */
export async function describeDestTable(conn: Connection, ref: TableRef): Promise<DestTable | undefined> {
  const [cols] = await conn.query<RowDataPacket[]>(
    `SELECT COLUMN_NAME AS name, DATA_TYPE AS dataType, EXTRA AS extra
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [ref.database, ref.table],
  );
  if (cols.length === 0) return undefined;
  const columns: DestColumn[] = cols.map((c) => {
    const dataType = String(c.dataType).toLowerCase();
    // MySQL says VIRTUAL GENERATED / STORED GENERATED; MariaDB the same, or PERSISTENT in old releases.
    const extra = String(c.extra ?? '').toUpperCase();
    return { name: String(c.name), dataType, generated: /GENERATED|PERSISTENT|VIRTUAL/.test(extra), geometry: GEOMETRY.has(dataType) };
  });
  const [keys] = await conn.query<RowDataPacket[]>(
    `SELECT INDEX_NAME AS idx, COLUMN_NAME AS col, NON_UNIQUE AS nonUnique, NULLABLE AS nullable
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    [ref.database, ref.table],
  );
  const byIndex = new Map<string, { cols: string[]; unique: boolean; nullable: boolean }>();
  for (const k of keys) {
    const name = String(k.idx);
    const e = byIndex.get(name) ?? { cols: [], unique: Number(k.nonUnique) === 0, nullable: false };
    // Functional key parts have no column name: such a key cannot be matched on by value.
    if (k.col === null) e.nullable = true;
    else e.cols.push(String(k.col));
    if (String(k.nullable) === 'YES') e.nullable = true;
    byIndex.set(name, e);
  }
  const primary = byIndex.get('PRIMARY');
  const unique = [...byIndex.entries()]
    .filter(([n, e]) => n !== 'PRIMARY' && e.unique && !e.nullable)
    .sort((a, b) => a[1].cols.length - b[1].cols.length || a[0].localeCompare(b[0]))[0];
  const key = primary ? primary.cols : (unique?.[1].cols ?? []);
  return { ref, columns, byName: new Map(columns.map((c) => [c.name.toLowerCase(), c])), key };
}
