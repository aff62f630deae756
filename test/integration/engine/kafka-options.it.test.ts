// Destination options against the real broker, through the built CLI: partition policies (computed
// independently here), the DDL topic, nameCase, column selection and renaming, partitionKey, and
// oversized rows skipped and reported.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { rootConnection, uniqueName, MYSQL_PORT, KAFKA_BROKERS } from '../helpers/env.js';
import { readTopic } from '../helpers/kafka.js';
import { runMig } from '../../e2e/helpers/run-mig.js';

const db = uniqueName('kopt');
let conn: Connection;

/** Java String.hashCode, written again here so the test does not trust the code it checks. */
function javaHash(s: string): number {
  let h = 0;
  for (const ch of s) for (let i = 0; i < ch.length; i++) h = (h * 31 + ch.charCodeAt(i)) | 0;
  return h;
}
const part = (s: string, n: number) => (javaHash(s) & 0x7fffffff) % n;

beforeAll(async () => {
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.Orders (Id INT PRIMARY KEY, Region VARCHAR(10), Secret VARCHAR(10), Note LONGTEXT)`);
  await conn.query(`CREATE TABLE ${db}.Users (Id INT PRIMARY KEY, Name VARCHAR(20))`);
  const rows = Array.from({ length: 40 }, (_, i) => [i + 1, ['eu', 'us', 'ap'][i % 3], 'pw', i === 7 ? 'x'.repeat(20000) : 'ok']);
  await conn.query(`INSERT INTO ${db}.Orders VALUES ?`, [rows]);
  await conn.query(`INSERT INTO ${db}.Users VALUES (1,'a'),(2,'b'),(3,'c')`);
});

afterAll(async () => {
  await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.end();
});

function project(policy: string, extra = ''): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mig-kopt-'));
  mkdirSync(path.join(dir, 'migrations.d'));
  writeFileSync(path.join(dir, 'migrations.d', 'k.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: kopt-${policy} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination:
    type: kafka
    brokers: ${JSON.stringify(KAFKA_BROKERS)}
    topic: ${db}.${policy}.data
    partitions: 4
    partitioning: { policy: ${policy} }
    ddlTopic: ${db}.${policy}.ddl
    nameCase: lower
    maxMessageBytes: 10000
    oversizedRow: skip
  objects:
    - database: ${db}
      tables:
        - name: Orders
          columns: { exclude: [Secret] }
          rename: { Region: area }
${extra}        - name: Users
`);
  return dir;
}

type Msg = { partition: number; key: string | null; body: { database: string; table: string; isDdl: boolean; data: Record<string, string>[] | null } };
const read = async (topic: string): Promise<Msg[]> => (await readTopic(topic)).map((m) => ({ partition: m.partition, key: m.key, body: JSON.parse(m.value) }));

describe('Kafka destination options', () => {
  it.each(['primary-key', 'table', 'single'])('policy %s: partitions, DDL topic, names, columns, oversized rows', async (policy) => {
    const cwd = project(policy, policy === 'primary-key' ? '          partitionKey: [Region]\n' : '');
    const plan = await runMig(['plan'], { cwd });
    expect(plan.stdout).toContain('partitioning ' + policy);
    expect(plan.stdout).toContain('columns: all but Secret; renamed Region→area');
    const a = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(a.code, a.stdout + a.stderr).toBe(0);
    expect(a.stdout).toMatch(/skipped: (insert|snapshot) with key \["8"\]: it encodes to \d+ bytes, over the/);
    await conn.query(`ALTER TABLE ${db}.Users ADD COLUMN Extra INT NULL`);
    await conn.query(`INSERT INTO ${db}.Users VALUES (4, 'd', 5)`);
    const b = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(b.code, b.stdout + b.stderr).toBe(0);
    await conn.query(`ALTER TABLE ${db}.Users DROP COLUMN Extra`);
    await conn.query(`DELETE FROM ${db}.Users WHERE Id = 4`);

    const data = await read(`${db}.${policy}.data`);
    const orders = data.filter((m) => m.body.table === 'orders');
    expect(orders).toHaveLength(39);
    expect(orders.every((m) => m.body.database === db.toLowerCase())).toBe(true);
    expect(Object.keys(orders[0]!.body.data![0]!)).toEqual(['id', 'area', 'note']);
    for (const m of orders) {
      const region = m.body.data![0]!.area;
      const expected = policy === 'single' ? 0 : policy === 'table' ? part(`${db}.Orders`, 4) : part(JSON.stringify([region]), 4);
      expect(m.partition).toBe(expected);
      expect(m.key).toBe(JSON.stringify([m.body.data![0]!.id]));
    }
    const users = data.filter((m) => m.body.table === 'users');
    for (const m of users) expect(m.partition).toBe(policy === 'single' ? 0 : policy === 'table' ? part(`${db}.Users`, 4) : part(m.key!, 4));
    expect(users.map((m) => m.body.data![0]!)).toContainEqual({ id: '4', name: 'd', extra: '5' });

    const ddl = await read(`${db}.${policy}.ddl`);
    expect(ddl).toHaveLength(1);
    expect(ddl[0]!.body.isDdl).toBe(true);
    expect(ddl[0]!.body.table).toBe('users');
    expect(ddl[0]!.partition).toBe(policy === 'table' ? part(`${db}.Users`, 4) : 0);

    const st = await runMig(['status'], { cwd });
    expect(st.stdout).toContain('set aside: 1 change(s), 1 skipped');
    expect(st.stdout).toMatch(new RegExp(`${db}\\.Orders (insert|snapshot) key \\["8"\\]: row-too-large: it encodes to \\d+ bytes, over the \\d+-byte limit; skipped`));
  });
});
