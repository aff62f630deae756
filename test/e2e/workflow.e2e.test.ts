// The whole loop as a user runs it: init → validate → plan → apply → source changes → apply → plan.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { rootConnection, uniqueName, MYSQL_PORT, KAFKA_PORT } from '../integration/helpers/env.js';
import { readTopic } from '../integration/helpers/kafka.js';
import { runMig } from './helpers/run-mig.js';

const db = uniqueName('e2e');
const name = db.replace(/_/g, '-');
const topic = `${db}.all`;
const env = { MIG_SOURCE_PASSWORD: '' };
let cwd: string;
let conn: Connection;

beforeAll(async () => {
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-e2e-'));
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.customers (id INT PRIMARY KEY, name VARCHAR(50), tier ENUM('basic','gold')) `);
  await conn.query(`CREATE TABLE ${db}.orders (id BIGINT PRIMARY KEY, customer_id INT, amount DECIMAL(12,2), note TEXT)`);
  await conn.query(`INSERT INTO ${db}.customers VALUES (1,'Ada','gold'),(2,'Bob','basic'),(3,'Cyd',NULL)`);
  const rows = Array.from({ length: 250 }, (_, i) => [i + 1, (i % 3) + 1, `${i}.50`, i % 10 === 0 ? null : `order ${i}`]);
  await conn.query(`INSERT INTO ${db}.orders VALUES ?`, [rows]);
});

afterAll(async () => {
  await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.end();
});

const parse = (v: string) => JSON.parse(v) as { type: string; table: string; data: Record<string, string | null>[]; old: Record<string, string | null>[] | null; isDdl: boolean };

describe('mig end to end', () => {
  it('init → validate → plan (2) → apply → changes → apply → plan (0)', async () => {
    const init = await runMig(['init', '--name', name, '--database', db, '--topic', topic, '--port', String(MYSQL_PORT), '--brokers', `127.0.0.1:${KAFKA_PORT}`], { cwd, env });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('Next steps');
    expect(readFileSync(path.join(cwd, '.gitignore'), 'utf8')).toContain('.mig/');
    // Small chunks so the full load is checkpointed several times.
    const specFile = path.join(cwd, 'migrations.d', `${name}.yaml`);
    writeFileSync(specFile, readFileSync(specFile, 'utf8').replace('chunkSize: 5000', 'chunkSize: 40'));

    const v = await runMig(['validate'], { cwd, env });
    expect(v.code, v.stderr).toBe(0);

    const p1 = await runMig(['plan', '--detailed-exitcode'], { cwd, env });
    expect(p1.code, p1.stderr + p1.stdout).toBe(2);
    expect(p1.stdout).toContain(`+ table ${db}.orders → topic ${topic}`);
    expect(p1.stdout).toMatch(/new table \(~\d+ rows, 4 columns, primary key id, DDL replicate\): schema \+ full load, then joins incremental/);
    expect(p1.stdout).toContain(`+ topic ${topic} (1 partition)`);

    const a1 = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd, env });
    expect(a1.code, a1.stderr + a1.stdout).toBe(0);
    expect(a1.stdout).toContain('caught up');

    const first = (await readTopic(topic)).map((m) => ({ ...m, msg: parse(m.value) }));
    expect(first).toHaveLength(253);
    expect(first.every((m) => m.msg.type === 'INSERT')).toBe(true);
    const orderKeys = new Set(first.filter((m) => m.msg.table === 'orders').map((m) => m.key));
    expect(orderKeys.size).toBe(250);
    expect(first.find((m) => m.key === '["11"]' && m.msg.table === 'orders')!.msg.data[0]).toEqual({ id: '11', customer_id: '2', amount: '10.50', note: null });

    await conn.query(`INSERT INTO ${db}.customers VALUES (4,'Dee','gold')`);
    await conn.query(`UPDATE ${db}.orders SET amount = 99.99 WHERE id = 7`);
    await conn.query(`DELETE FROM ${db}.customers WHERE id = 2`);

    const a2 = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd, env });
    expect(a2.code, a2.stderr + a2.stdout).toBe(0);
    const all = (await readTopic(topic)).map((m) => ({ ...m, msg: parse(m.value) }));
    const added = all.slice(first.length);
    expect(added.map((m) => [m.msg.type, m.msg.table, m.key])).toEqual([
      ['INSERT', 'customers', '["4"]'],
      ['UPDATE', 'orders', '["7"]'],
      ['DELETE', 'customers', '["2"]'],
    ]);
    expect(added[1]!.msg.old).toEqual([{ amount: '6.50' }]);
    expect(added[1]!.msg.data[0]!.amount).toBe('99.99');

    const p2 = await runMig(['plan', '--detailed-exitcode'], { cwd, env });
    expect(p2.code, p2.stderr + p2.stdout).toBe(0);
    expect(p2.stdout).toContain('No changes to the migrations');

    const again = await runMig(['apply', '--auto-approve'], { cwd, env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to do');

    const st = await runMig(['status', '--json'], { cwd, env });
    expect(st.code, st.stderr).toBe(0);
    const status = JSON.parse(st.stdout) as { migrations: { caughtUp: boolean; lag: { seconds: number | null; basis: string }; tables: { table: string; phase: string; rowsCopied: number }[] }[] };
    expect(status.migrations[0]!.caughtUp).toBe(true);
    expect(status.migrations[0]!.lag.basis).toBe('last-event');
    expect(status.migrations[0]!.tables.find((t) => t.table === `${db}.orders`)).toMatchObject({ phase: 'incremental', rowsCopied: 250 });
  });
});
