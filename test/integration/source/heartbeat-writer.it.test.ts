// The heartbeat writer against the real MariaDB: it creates its table and upserts one row with the
// source's ms time every interval; a user that may not write there gets one warning with the GRANT
// (the writer goes on trying, never throwing), and once granted it writes again. The clock offset
// of a server on this machine is near zero.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { MYSQL_PORT, rootConnection, uniqueName } from '../helpers/env.js';
import type { SourceEndpoint } from '../../../src/connectors/sources/mysql/connect.js';
import { HeartbeatWriter, measureSourceClock } from '../../../src/connectors/sources/mysql/heartbeat.js';
import type { MigError } from '../../../src/util/errors.js';
import type { TableInfo } from '../../../src/model/source-data.js';

const db = uniqueName('hbw');
const user = `hbw${process.pid}`.slice(0, 30);
const password = 'hb-secret-1';
const root: SourceEndpoint = { spec: { type: 'mariadb', host: '127.0.0.1', port: MYSQL_PORT, user: 'root', connectTimeoutMs: 5000 } };
const limited: SourceEndpoint = { spec: { ...root.spec, user }, password };
let conn: Connection;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`DROP USER IF EXISTS '${user}'@'%'`);
  await conn.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
  await conn.query(`GRANT SELECT ON \`${db}\`.* TO '${user}'@'%'`);
});

afterAll(async () => {
  await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.query(`DROP USER IF EXISTS '${user}'@'%'`);
  await conn.end();
});

async function beats(table: string): Promise<RowDataPacket[]> {
  const [rows] = await conn.query<RowDataPacket[]>(`SELECT migration, beat_ms, beat_at FROM ${db}.${table}`);
  return rows;
}

describe('HeartbeatWriter', () => {
  it('creates the table and keeps one row per migration fresh with the source time in ms', async () => {
    let shape: TableInfo | undefined;
    const problems: MigError[] = [];
    const w = new HeartbeatWriter({ endpoint: root, table: { database: db, table: 'mig_heartbeat' }, migration: 'shop', intervalMs: 200, onTable: (s) => (shape = s), onProblem: (e) => problems.push(e) });
    await w.start();
    expect(shape?.columns.map((c) => c.name)).toEqual(['migration', 'beat_ms', 'beat_at']);
    const first = Number((await beats('mig_heartbeat'))[0]!.beat_ms);
    await sleep(700);
    await w.stop();
    const rows = await beats('mig_heartbeat');
    expect(rows.map((r) => r.migration)).toEqual(['shop']);
    expect(Number(rows[0]!.beat_ms)).toBeGreaterThan(first + 300);
    expect(Math.abs(Number(rows[0]!.beat_ms) - Date.now())).toBeLessThan(5000);
    expect(problems).toEqual([]);
    // Stopped means stopped: no write after stop() resolved.
    await sleep(400);
    expect((await beats('mig_heartbeat'))[0]!.beat_ms).toBe(rows[0]!.beat_ms);
  });

  it('warns once with the GRANT when it may not write, goes on trying, and writes once granted', async () => {
    const problems: MigError[] = [];
    let recovered = 0;
    const w = new HeartbeatWriter({ endpoint: limited, table: { database: db, table: 'beats' }, migration: 'shop', intervalMs: 200, onTable: () => undefined, onProblem: (e) => problems.push(e), onRecovered: () => recovered++ });
    await w.start();
    await sleep(700);
    try {
      expect(problems).toHaveLength(1);
      expect(problems[0]!.code).toBe('heartbeat-write');
      expect(problems[0]!.message).toContain(`cannot write the heartbeat to ${db}.beats on the source`);
      expect(problems[0]!.hint).toBe(`GRANT CREATE, INSERT, UPDATE ON \`${db}\`.* TO '${user}'; or turn the heartbeat off (spec.heartbeat.enabled: false), and lag is measured from the last change`);
      expect(problems[0]!.message).not.toContain(password);
      await conn.query(`GRANT CREATE, INSERT, UPDATE ON \`${db}\`.* TO '${user}'@'%'`);
      const deadline = Date.now() + 5000;
      while (recovered === 0 && Date.now() < deadline) await sleep(100);
      expect(recovered).toBe(1);
      expect((await beats('beats')).map((r) => r.migration)).toEqual(['shop']);
    } finally {
      await w.stop();
    }
  });

  it('creates a database of its own when spec.heartbeat.database names one that does not exist', async () => {
    const own = `${db}_own`;
    const problems: MigError[] = [];
    const w = new HeartbeatWriter({ endpoint: root, table: { database: own, table: 'mig_heartbeat' }, migration: 'shop', intervalMs: 1000, onTable: () => undefined, onProblem: (e) => problems.push(e) });
    try {
      await w.start();
      expect(problems).toEqual([]);
      const [rows] = await conn.query<RowDataPacket[]>(`SELECT migration FROM ${own}.mig_heartbeat`);
      expect(rows.map((r) => r.migration)).toEqual(['shop']);
    } finally {
      await w.stop();
      await conn.query(`DROP DATABASE IF EXISTS ${own}`);
    }
  });

  it('measures the source clock against this one', async () => {
    const c = await rootConnection();
    try {
      const { offsetMs, roundTripMs } = await measureSourceClock(c);
      expect(Math.abs(offsetMs)).toBeLessThan(1000 + roundTripMs);
    } finally {
      await c.end();
    }
  });
});
