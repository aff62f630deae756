// DDL in the stream: each change is encoded with the columns it was written with, DDL arrives as a
// Canal JSON DDL message, and a resume from a checkpoint before an ALTER still decodes exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { rootConnection, uniqueName, MYSQL_PORT, KAFKA_BROKERS } from '../helpers/env.js';
import { readTopic } from '../helpers/kafka.js';
import { runMig } from '../../e2e/helpers/run-mig.js';

const db = uniqueName('ddl');
const topic = `${db}.t`;
let cwd: string;
let conn: Connection;

beforeAll(async () => {
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-ddl-'));
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.t (id INT PRIMARY KEY, a VARCHAR(10), d DECIMAL(8,3))`);
  await conn.query(`INSERT INTO ${db}.t VALUES (1,'one',1.5),(2,'two',2.25)`);
  mkdirSync(path.join(cwd, 'migrations.d'));
  writeFileSync(path.join(cwd, 'migrations.d', 'ddl.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: ddl }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: { type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${topic}, partitions: 2 }
  objects: [{ database: ${db} }]
`);
});

afterAll(async () => {
  await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.end();
});

type Msg = { partition: number; type: string; isDdl: boolean; sql: string; data: Record<string, string | null>[] | null; mysqlType: Record<string, string> | null };

describe('DDL and changing table shapes', () => {
  it('keeps every change in its own shape, also when replayed from before the ALTER', async () => {
    const a1 = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(a1.code, a1.stdout + a1.stderr).toBe(0);
    const stateFile = path.join(cwd, '.mig', 'state.json');
    const beforeAlter = readFileSync(stateFile, 'utf8');

    await conn.query(`UPDATE ${db}.t SET a = 'uno' WHERE id = 1`);
    await conn.query(`ALTER TABLE ${db}.t ADD COLUMN b INT NULL AFTER id`);
    await conn.query(`INSERT INTO ${db}.t VALUES (3, 33, 'three', 3.125)`);
    await conn.query(`ALTER TABLE ${db}.t DROP COLUMN a`);
    await conn.query(`UPDATE ${db}.t SET d = 9.999 WHERE id = 3`);
    await conn.query(`CREATE TABLE ${db}.later (x INT PRIMARY KEY)`);
    // A new log file with nothing after its header events: caught-up must still be reached.
    await conn.query('FLUSH BINARY LOGS');

    const a2 = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(a2.code, a2.stdout + a2.stderr).toBe(0);
    const expected = [
      ['UPDATE', { id: '1', a: 'uno', d: '1.500' }],
      ['ALTER', null],
      ['INSERT', { id: '3', b: '33', a: 'three', d: '3.125' }],
      ['ALTER', null],
      ['UPDATE', { id: '3', b: '33', d: '9.999' }],
      ['CREATE', null],
    ];
    const stream = (await readTopic(topic)).map((m) => ({ partition: m.partition, ...(JSON.parse(m.value) as Msg) })).filter((m) => m.type !== 'INSERT' || m.data![0]!.id === '3');
    // Order across partitions is not defined; DDL sits on partition 0, rows by key.
    const byType = (ms: typeof stream) => ms.map((m) => [m.type, m.data ? m.data[0] : null]);
    expect(byType(stream).sort()).toEqual([...expected].sort());
    for (const m of stream.filter((x) => x.isDdl)) expect(m.partition).toBe(0);
    expect(stream.find((m) => m.type === 'INSERT')!.mysqlType).toEqual({ id: 'int(11)', b: 'int(11)', a: 'varchar(10)', d: 'decimal(8,3)' });

    // Replay the same log range from the checkpoint before the ALTERs: identical messages again.
    writeFileSync(stateFile, beforeAlter.replace(/"serial": \d+/, `"serial": ${JSON.parse(readFileSync(stateFile, 'utf8')).serial}`));
    const a3 = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(a3.code, a3.stdout + a3.stderr).toBe(0);
    const replay = (await readTopic(topic)).map((m) => ({ partition: m.partition, ...(JSON.parse(m.value) as Msg) })).filter((m) => m.type !== 'INSERT' || m.data![0]!.id === '3');
    expect(byType(replay).sort()).toEqual([...expected, ...expected].sort());
  });
});
