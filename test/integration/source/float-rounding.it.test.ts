// DTS's FLOAT/DOUBLE rule: values read with ROUND(col, n). mig applies the same n to the full load
// (the server rounds) and to the binlog (mig rounds like the server's ROUND), so both paths agree,
// and with the defaults (38, 308) every stored digit arrives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { rootConnection, uniqueName, MYSQL_PORT } from '../helpers/env.js';
import { describeTable } from '../../../src/connectors/sources/mysql/inspect.js';
import { TableChunker } from '../../../src/connectors/sources/mysql/snapshot-reader.js';
import { connectSource, type SourceEndpoint } from '../../../src/connectors/sources/mysql/connect.js';
import { BinlogReader } from '../../../src/connectors/sources/mysql/binlog-reader.js';
import type { ValueOptions } from '../../../src/connectors/sources/mysql/type-map.js';
import type { TableInfo, TxBatch } from '../../../src/model/source-data.js';

const db = uniqueName('fround');
const ep: SourceEndpoint = { spec: { type: 'mariadb', host: '127.0.0.1', port: MYSQL_PORT, user: 'root', connectTimeoutMs: 5000 } };
const VALUES = [
  [1, 3.14159, 3.141592653589793], [2, 1.23456789, 2.5], [3, -0.125, -0.125], [4, 1e-7, 1.7976931348623157e308],
  [5, 123456.7, 0.1 + 0.2], [6, 2.5, 1234.5678], [7, -7.55, -2.675],
];
let conn: Connection;
let shape: TableInfo;
let start: { file: string; pos: number };

beforeAll(async () => {
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.t (id INT PRIMARY KEY, f FLOAT, d DOUBLE)`);
  const [ms] = await conn.query<RowDataPacket[]>('SHOW MASTER STATUS');
  start = { file: String(ms[0]!.File), pos: Number(ms[0]!.Position) };
  await conn.query(`INSERT INTO ${db}.t VALUES ?`, [VALUES]);
});

afterAll(async () => {
  await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.end();
});

describe("FLOAT/DOUBLE read as DTS does: ROUND(col, precision)", () => {
  it.each([
    ['defaults (38, 308): every stored digit', { floatPrecision: 38, doublePrecision: 308 }],
    ['2 decimal places', { floatPrecision: 2, doublePrecision: 2 }],
    ['0 and 5', { floatPrecision: 0, doublePrecision: 5 }],
  ] as [string, ValueOptions][])('%s', async (_name, o) => {
    const src = await connectSource(ep);
    try {
      shape = (await describeTable(src, db, 't'))!;
      const full = (await new TableChunker(src, shape, 100, undefined, o).next(undefined)).rows;
      const batches: TxBatch[] = [];
      const reader = new BinlogReader({ endpoint: ep, serverId: 4343, flavor: 'mariadb', tables: new Map([[`${db}.t`, shape]]), databases: new Set([db]), describe: (d, t) => describeTable(src, d, t), onBatch: (b) => batches.push(b), onError: (e) => { throw e; }, values: o });
      await reader.start(start);
      const deadline = Date.now() + 20_000;
      while (batches.flatMap((b) => b.events).length < VALUES.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await reader.stop();
      const binlog = batches.flatMap((b) => b.events).map((e) => (e.kind === 'row' ? e.after : undefined));
      expect(binlog).toEqual(full);

      const [server] = await conn.query<RowDataPacket[]>(
        o.floatPrecision < 38
          ? `SELECT ROUND(f, ${o.floatPrecision}) AS f, ROUND(d, ${o.doublePrecision}) AS d FROM ${db}.t ORDER BY id`
          : `SELECT CAST(f AS DOUBLE) AS f, d FROM ${db}.t ORDER BY id`,
      );
      for (let i = 0; i < VALUES.length; i++) {
        if (o.floatPrecision < 38) expect(full[i]!.f).toBe(String(Number(server[i]!.f)));
        else expect(Math.fround(Number(full[i]!.f))).toBe(Math.fround(Number(server[i]!.f)));
        expect(full[i]!.d).toBe(String(Number(server[i]!.d)));
      }
      if (o.floatPrecision === 38) expect(full.map((r) => r.f)).toEqual(['3.14159', '1.2345679', '-0.125', '1e-7', '123456.7', '2.5', '-7.55']);
    } finally {
      await src.end();
    }
  });
});
