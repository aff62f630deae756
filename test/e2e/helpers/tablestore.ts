// End-to-end helpers for the Tablestore destination: spec text pointing at a test server, and the
// comparison of every row in a Tablestore table with the source rows it should hold. The expected
// values are derived here from the README's type mapping, independently of mig's own converter.
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { expect } from 'vitest';
import type { AttributeJs, PrimaryKeyJs, TablestoreTestServer } from '../../support/tablestore/index.js';

/** Secrets the spec reads by reference; the child process gets them through its environment. */
export function tablestoreEnv(server: TablestoreTestServer): Record<string, string> {
  return { MIG_TS_KEY_ID: server.accessKeyId, MIG_TS_KEY_SECRET: server.accessKeySecret, MIG_SOURCE_PASSWORD: '' };
}

export interface SpecOptions {
  name: string;
  port: number;
  server: TablestoreTestServer;
  /** Extra `destination` fields, as YAML lines (4-space indented by this function). */
  destination?: Record<string, string | number>;
  chunkSize: number;
  /** The `objects` list, as YAML text indented by 2. */
  objects: string;
}

export function tablestoreSpec(o: SpecOptions): string {
  const extra = Object.entries(o.destination ?? {}).map(([k, v]) => `    ${k}: ${v}\n`).join('');
  return `apiVersion: mig/v1
kind: Migration
metadata:
  name: ${o.name}
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${o.port}, user: root, password: "\${env:MIG_SOURCE_PASSWORD}" }
  destination:
    type: tablestore
    endpoint: ${o.server.endpoint}
    instance: ${o.server.instance}
    accessKeyId: \${env:MIG_TS_KEY_ID}
    accessKeySecret: \${env:MIG_TS_KEY_SECRET}
${extra}  types: [schema, full, incremental]
  full: { chunkSize: ${o.chunkSize} }
  objects:
${o.objects}`;
}

type Cell = PrimaryKeyJs | AttributeJs;

/**
 * A source value as the default mapping stores it: integer types (TINYINT(1) included) as INTEGER,
 * FLOAT/DOUBLE as DOUBLE, BLOB/BINARY as BINARY, everything else (DECIMAL, temporal, text, SET…)
 * as MySQL's text. NULL is no cell at all.
 */
function mapped(dataType: string, v: unknown): Cell | undefined {
  if (v === null || v === undefined) return undefined;
  if (['tinyint', 'smallint', 'mediumint', 'int', 'bigint'].includes(dataType)) return BigInt(String(v));
  if (['float', 'double'].includes(dataType)) return Number(v);
  if (dataType.endsWith('blob') || dataType === 'binary' || dataType === 'varbinary') return Buffer.from(v as Buffer);
  return String(v);
}

export interface TableRows {
  /** Primary key and attributes, by destination column name. */
  rows: { key: Record<string, Cell>; attributes: Record<string, Cell> }[];
}

/** Renders a row (key and attributes) so that arrays of rows compare and print well. */
function show(r: { key: Record<string, Cell>; attributes: Record<string, Cell> }): string {
  const cell = (v: Cell) => (Buffer.isBuffer(v) ? `0x${v.toString('hex')}` : typeof v === 'bigint' ? `${v}n` : JSON.stringify(v));
  const part = (o: Record<string, Cell>) => Object.keys(o).sort().map((k) => `${k}=${cell(o[k]!)}`).join(', ');
  return `{${part(r.key)} | ${part(r.attributes)}}`;
}

/** The source rows of db.table as Tablestore should hold them. `merge` adds the merge column. */
export async function sourceRows(conn: Connection, db: string, table: string, opts: { merge?: string; skipKeys?: Set<string> } = {}): Promise<string[]> {
  const [cols] = await conn.query<RowDataPacket[]>(
    'SELECT COLUMN_NAME AS name, DATA_TYPE AS type, COLUMN_KEY AS k FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [db, table],
  );
  // TIMESTAMP columns are documented in UTC; the session reads them so.
  await conn.query("SET time_zone = '+00:00'");
  const [rows] = await conn.query<RowDataPacket[]>(`SELECT * FROM \`${db}\`.\`${table}\``);
  const out: string[] = [];
  for (const r of rows) {
    const key: Record<string, Cell> = {};
    const attributes: Record<string, Cell> = {};
    for (const c of cols) {
      const v = mapped(String(c.type), r[String(c.name)]);
      if (v === undefined) continue;
      if (c.k === 'PRI') key[String(c.name)] = v;
      else attributes[String(c.name)] = v;
    }
    if (opts.merge) key[opts.merge] = `${db}.${table}`;
    if (opts.skipKeys?.has(show({ key, attributes: {} }))) continue;
    out.push(show({ key, attributes }));
  }
  return out.sort();
}

/** What the test server holds in `table`, optionally only the rows whose merge column says `source`. */
export function tablestoreRows(server: TablestoreTestServer, table: string, filter?: (key: Record<string, Cell>) => boolean): string[] {
  return server
    .rows(table)
    .filter((r) => !filter || filter(r.primaryKey))
    .map((r) => show({ key: r.primaryKey, attributes: r.attributes }))
    .sort();
}

/** Every row of db.table compared with the Tablestore table it migrates to; returns the count. */
export async function expectSameRows(
  server: TablestoreTestServer,
  conn: Connection,
  db: string,
  table: string,
  opts: { target?: string; merge?: string; skipKeys?: Set<string> } = {},
): Promise<number> {
  const want = await sourceRows(conn, db, table, opts);
  const merge = opts.merge;
  const have = tablestoreRows(server, opts.target ?? table, merge ? (k) => k[merge] === `${db}.${table}` : undefined);
  expect(have).toEqual(want);
  return want.length;
}

/** The key of a row as sourceRows renders it, for skipKeys. */
export function keyText(key: Record<string, Cell>): string {
  return show({ key, attributes: {} });
}
