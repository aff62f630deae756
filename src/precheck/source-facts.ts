// Reads once, over one connection, everything the source checks look at. Each fact that could not
// be read carries its error, so one refused statement skips one check rather than the run.
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { Migration } from '../spec/schema.js';
import { connectSource, type SourceEndpoint } from '../connectors/sources/mysql/connect.js';
import { MigError } from '../util/errors.js';
import type { InvisibleColumn, Known, ReplicaFacts, ServerFacts, SourceFacts, TableFacts } from './types.js';
import { parseGrants } from './grants.js';

const VARIABLES = [
  'log_bin',
  'polar_log_bin',
  'loose_polar_log_bin',
  'binlog_format',
  'binlog_row_image',
  'binlog_row_metadata',
  'log_slave_updates',
  'log_replica_updates',
  'expire_logs_days',
  'expire_logs_hours',
  'binlog_expire_logs_seconds',
  'binlog_expire_logs_auto_purge',
];

async function known<T>(f: () => Promise<T>): Promise<Known<T>> {
  try {
    return { ok: true, value: await f() };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

const notConnected = { ok: false as const, error: 'the source could not be reached' };

export function unreachableSource(error: string, code = 'source-error', hint?: string): SourceFacts {
  return { connection: { ok: false, code, error, hint }, replica: notConnected, grants: notConnected, databases: notConnected, tables: notConnected, views: notConnected };
}

export async function gatherSourceFacts(m: Migration, endpoint: SourceEndpoint): Promise<SourceFacts> {
  let conn: Connection;
  try {
    conn = await connectSource(endpoint);
  } catch (e) {
    const err = e instanceof MigError ? e : new MigError('source-error', (e as Error).message);
    return unreachableSource(err.message, err.code, err.hint);
  }
  try {
    const server = await serverFacts(conn);
    const dbs = m.spec.objects.map((o) => o.database);
    return {
      connection: { ok: true, server },
      replica: await known(() => replicaFacts(conn, server)),
      grants: await known(() => grantLines(conn, server)),
      databases: await known(() => visibleDatabases(conn, dbs)),
      tables: await known(() => tableFacts(conn, dbs)),
      views: await known(() => viewList(conn, dbs)),
    };
  } catch (e) {
    return unreachableSource(`connected, but could not read the server: ${(e as Error).message}`);
  } finally {
    await conn.end().catch(() => undefined);
  }
}

async function serverFacts(conn: Connection): Promise<ServerFacts> {
  const [rows] = await conn.query<RowDataPacket[]>('SELECT VERSION() AS v, @@server_id AS sid, CURRENT_USER() AS u');
  const r = rows[0]!;
  const [vars] = await conn.query<RowDataPacket[]>(`SHOW GLOBAL VARIABLES WHERE Variable_name IN (${VARIABLES.map(() => '?').join(', ')})`, VARIABLES);
  const variables: Record<string, string> = {};
  for (const v of vars) variables[String(v.Variable_name).toLowerCase()] = String(v.Value);
  const version = String(r.v);
  return { version, flavor: /mariadb/i.test(version) ? 'mariadb' : 'mysql', serverId: Number(r.sid), account: String(r.u), variables };
}

/**
 * Whether the source is itself a replica. MariaDB's SHOW ALL SLAVES STATUS includes named
 * (multi-source) connections that SHOW SLAVE STATUS leaves out. Without the privilege for these,
 * MariaDB's Slaves_running status (readable by anyone) still tells a running replica apart.
 */
async function replicaFacts(conn: Connection, server: ServerFacts): Promise<ReplicaFacts> {
  const statements = server.flavor === 'mariadb' ? ['SHOW ALL SLAVES STATUS', 'SHOW SLAVE STATUS'] : ['SHOW REPLICA STATUS', 'SHOW SLAVE STATUS'];
  let lastError: Error | undefined;
  for (const sql of statements) {
    try {
      const [rows] = await conn.query<RowDataPacket[]>(sql);
      const sources = rows.map((r) => `${String(r.Source_Host ?? r.Master_Host ?? '?')}:${String(r.Source_Port ?? r.Master_Port ?? '?')}`);
      return { isReplica: rows.length > 0, sources, evidence: rows.length > 0 ? `${sql} lists ${rows.length} connection(s)` : `${sql} is empty` };
    } catch (e) {
      lastError = e as Error;
    }
  }
  if (server.flavor === 'mariadb') {
    const [rows] = await conn.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Slaves_running'");
    const running = Number(rows[0]?.Value ?? 0);
    const refused = /SLAVE MONITOR|REPLICA MONITOR/i.test(lastError?.message ?? '') ? 'without SLAVE MONITOR' : 'refused';
    return { isReplica: running > 0, sources: [], evidence: `Slaves_running=${running}; SHOW SLAVE STATUS ${refused}` };
  }
  throw lastError ?? new Error('no replica status statement answered');
}

/** SHOW GRANTS, with the privileges of MySQL 8's active roles (MariaDB already lists them). */
async function grantLines(conn: Connection, server: ServerFacts): Promise<string[]> {
  const read = async (sql: string) => {
    const [rows] = await conn.query<RowDataPacket[]>(sql);
    return rows.map((r) => String(Object.values(r)[0]));
  };
  const lines = await read('SHOW GRANTS');
  if (server.flavor !== 'mysql' || parseGrants(lines).roles.length === 0) return lines;
  try {
    const [roles] = await conn.query<RowDataPacket[]>('SELECT CURRENT_ROLE() AS r');
    const active = String(roles[0]?.r ?? 'NONE');
    // CURRENT_ROLE() prints the roles quoted and comma-separated, as USING takes them.
    if (active === 'NONE' || active === '') return lines;
    return await read(`SHOW GRANTS FOR CURRENT_USER() USING ${active}`);
  } catch {
    return lines;
  }
}

function inList(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

async function visibleDatabases(conn: Connection, dbs: string[]): Promise<string[]> {
  const [rows] = await conn.query<RowDataPacket[]>(`SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (${inList(dbs.length)})`, dbs);
  return rows.map((r) => String(r.s));
}

async function tableFacts(conn: Connection, dbs: string[]): Promise<TableFacts[]> {
  const [tables] = await conn.query<RowDataPacket[]>(
    `SELECT TABLE_SCHEMA AS d, TABLE_NAME AS t FROM information_schema.TABLES
      WHERE TABLE_SCHEMA IN (${inList(dbs.length)}) AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_SCHEMA, TABLE_NAME`,
    dbs,
  );
  const [stats] = await conn.query<RowDataPacket[]>(
    `SELECT TABLE_SCHEMA AS d, TABLE_NAME AS t, INDEX_NAME AS i, NON_UNIQUE AS nu, NULLABLE AS n
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA IN (${inList(dbs.length)})`,
    dbs,
  );
  const [cols] = await conn.query<RowDataPacket[]>(
    `SELECT TABLE_SCHEMA AS d, TABLE_NAME AS t, COLUMN_NAME AS c, COLUMN_TYPE AS ty, IS_NULLABLE AS n, COLUMN_DEFAULT AS def
       FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA IN (${inList(dbs.length)}) AND EXTRA LIKE '%INVISIBLE%' ORDER BY ORDINAL_POSITION`,
    dbs,
  );
  // A key identifies rows only when none of its columns may be NULL (as the planner's chunk key).
  const indexes = new Map<string, { unique: boolean; nullable: boolean }>();
  for (const s of stats) {
    const k = `${s.d}\u0000${s.t}\u0000${s.i}`;
    const e = indexes.get(k) ?? { unique: Number(s.nu) === 0, nullable: false };
    if (String(s.n) === 'YES') e.nullable = true;
    indexes.set(k, e);
  }
  const keyed = new Set<string>();
  for (const [k, e] of indexes) if (e.unique && !e.nullable) keyed.add(k.split('\u0000').slice(0, 2).join('\u0000'));
  const invisible = new Map<string, InvisibleColumn[]>();
  for (const c of cols) {
    const k = `${c.d}\u0000${c.t}`;
    const list = invisible.get(k) ?? [];
    list.push({ name: String(c.c), columnType: String(c.ty), nullable: c.n === 'YES', default: c.def === null ? null : String(c.def) });
    invisible.set(k, list);
  }
  return tables.map((r) => {
    const k = `${r.d}\u0000${r.t}`;
    return { database: String(r.d), table: String(r.t), hasKey: keyed.has(k), invisible: invisible.get(k) ?? [] };
  });
}

async function viewList(conn: Connection, dbs: string[]): Promise<{ database: string; name: string }[]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT TABLE_SCHEMA AS d, TABLE_NAME AS t FROM information_schema.TABLES
      WHERE TABLE_SCHEMA IN (${inList(dbs.length)}) AND TABLE_TYPE IN ('VIEW', 'SYSTEM VIEW') ORDER BY TABLE_SCHEMA, TABLE_NAME`,
    dbs,
  );
  return rows.map((r) => ({ database: String(r.d), name: String(r.t) }));
}
