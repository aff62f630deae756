// The row filter mig evaluates on binlog rows must select exactly what MariaDB's WHERE selects in
// the full load. Each shared case runs on the real server and through mig's evaluator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { rootConnection, uniqueName, MYSQL_PORT } from '../helpers/env.js';
import { FILTER_CASES, FILTER_CASE_TABLE_OPTIONS } from '../../unit/transform/filter-cases.js';
import { describeTable } from '../../../src/connectors/sources/mysql/inspect.js';
import { connectSource } from '../../../src/connectors/sources/mysql/connect.js';
import { TableChunker } from '../../../src/connectors/sources/mysql/snapshot-reader.js';
import { compileFilterText } from '../../../src/transform/index.js';

const db = uniqueName('filt');
let conn: Connection;

beforeAll(async () => {
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
});

afterAll(async () => {
  await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.end();
});

describe('filter parity with MariaDB', () => {
  it.each(FILTER_CASES.map((c, i) => [i, c.filter, c] as const))('case %i: %s', async (i, _f, c) => {
    const table = `c${i}`;
    await conn.query(`CREATE TABLE ${db}.${table} (${c.columns}) ${FILTER_CASE_TABLE_OPTIONS}`);
    const src = await connectSource({ spec: { type: 'mariadb', host: '127.0.0.1', port: MYSQL_PORT, user: 'root', connectTimeoutMs: 5000 } });
    try {
      const shape = (await describeTable(src, db, table))!;
      const predicate = compileFilterText(c.filter, shape.columns, { table });
      const server: boolean[] = [];
      const mig: boolean[] = [];
      for (const row of c.rows) {
        await conn.query(`DELETE FROM ${db}.${table}`);
        await conn.query(`INSERT INTO ${db}.${table} VALUES (?)`, [row]);
        const [n] = await conn.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${db}.${table} WHERE ${c.filter}`);
        server.push(Number(n[0]!.n) === 1);
        // The row as mig reads it (canonical values), then the evaluator.
        const read = await new TableChunker(src, shape, 10).next(undefined);
        mig.push(predicate(read.rows[0]!));
      }
      expect(server).toEqual(c.expected);
      expect(mig).toEqual(server);
    } finally {
      await src.end();
    }
  });
});
