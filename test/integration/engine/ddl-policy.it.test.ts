// The DDL policy end to end, through the built mig, to Kafka and to a MySQL destination: under
// `ddl: stop` apply halts before the statement (exit 1, the statement and the fix in the message),
// nothing after it is written, and once the spec says `ignore` the next apply reads the statement
// again, leaves it out and goes on, each row exactly once. DDL naming no migrated table follows spec.ddl;
// a plain RENAME TABLE is still replicated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { rootConnection, uniqueName, MYSQL_PORT, KAFKA_BROKERS } from '../helpers/env.js';
import { readTopic } from '../helpers/kafka.js';
import { runMig } from '../../e2e/helpers/run-mig.js';

const db = uniqueName('ddlpol');
const dst = uniqueName('ddlpoldst');
const cp = uniqueName('ddlpolcp');
const topic = `${db}.t`;
let conn: Connection;

function project(kind: 'kafka' | 'mysql', policy: string): string {
  const cwd = mkdtempSync(path.join(tmpdir(), `mig-ddlpol-${kind}-`));
  mkdirSync(path.join(cwd, 'migrations.d'));
  writeSpec(cwd, kind, policy);
  return cwd;
}

function writeSpec(cwd: string, kind: 'kafka' | 'mysql', policy: string): void {
  const destination = kind === 'kafka'
    ? `{ type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${topic} }`
    : `{ type: mysql, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root, checkpointDatabase: ${cp} }`;
  writeFileSync(path.join(cwd, 'migrations.d', 'm.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: ddlpol-${kind} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: ${destination}
  ddl: ignore
  objects:
    - database: ${db}
      ${kind === 'mysql' ? `target: ${dst}\n      ` : ''}tables:
        - name: t
          ddl: ${policy}
`);
}

beforeAll(async () => {
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.t (id INT PRIMARY KEY, a VARCHAR(10))`);
  await conn.query(`INSERT INTO ${db}.t VALUES (1, 'one'), (2, 'two')`);
});

afterAll(async () => {
  for (const d of [db, dst, cp]) await conn.query(`DROP DATABASE IF EXISTS ${d}`);
  await conn.end();
});

type Msg = { type: string; isDdl: boolean; sql: string; data: Record<string, string | null>[] | null };

describe('ddl: stop, then ignore', () => {
  it('Kafka: halts before the ALTER, nothing after it is sent, and resumes at it once the spec says ignore', async () => {
    const cwd = project('kafka', 'stop');
    const a1 = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(a1.code, a1.stdout + a1.stderr).toBe(0);

    await conn.query(`INSERT INTO ${db}.t VALUES (3, 'three')`);
    // Another table in the database: DDL naming no migrated table follows spec.ddl (ignore).
    await conn.query(`CREATE TABLE ${db}.other (id INT PRIMARY KEY)`);
    await conn.query(`ALTER TABLE ${db}.t ADD COLUMN b INT NULL`);
    await conn.query(`INSERT INTO ${db}.t VALUES (4, 'four', 44)`);

    const a2 = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    const out2 = a2.stdout + a2.stderr;
    expect(a2.code, out2).toBe(1);
    expect(out2).toContain(`the stream stopped before a DDL statement on table ${db}.t, as ddl: stop (spec.objects[0].tables[0].ddl) asks, at binlog `);
    expect(out2).toContain(`The statement: ALTER TABLE ${db}.t ADD COLUMN b INT NULL`);
    expect(out2).toContain('apply the change at the destination yourself, then set spec.objects[0].tables[0].ddl: ignore');
    const stopped = (await readTopic(topic)).map((m) => JSON.parse(m.value) as Msg);
    expect(stopped.filter((m) => m.isDdl)).toEqual([]);
    expect(stopped.filter((m) => m.type === 'INSERT').map((m) => m.data![0]!.id).sort()).toEqual(['1', '2', '3']);

    // Stopped again on a second try: the checkpoint stayed before the statement.
    const a3 = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(a3.code, a3.stdout + a3.stderr).toBe(1);

    writeSpec(cwd, 'kafka', 'ignore');
    const plan = await runMig(['plan'], { cwd });
    expect(plan.stdout).toContain('~ setting spec.objects[0].tables[0].ddl');
    expect(plan.stdout).toContain('DDL stop → ignore for');
    const a4 = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(a4.code, a4.stdout + a4.stderr).toBe(0);
    const all = (await readTopic(topic)).map((m) => JSON.parse(m.value) as Msg);
    expect(all.filter((m) => m.isDdl)).toEqual([]);
    // Each row exactly once: nothing was sent twice across the stop.
    expect(all.filter((m) => m.type === 'INSERT').map((m) => m.data![0]!.id).sort()).toEqual(['1', '2', '3', '4']);
    expect(all.find((m) => m.data?.[0]?.id === '4')!.data![0]).toEqual({ id: '4', a: 'four', b: '44' });
  });

  it('MySQL: halts before the ALTER; with replicate set the statement runs at the destination and the rows follow', async () => {
    await conn.query(`DROP TABLE IF EXISTS ${db}.other`);
    const cwd = project('mysql', 'stop');
    const a1 = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(a1.code, a1.stdout + a1.stderr).toBe(0);
    await conn.query(`INSERT INTO ${db}.t VALUES (5, 'five', 5)`);
    await conn.query(`ALTER TABLE ${db}.t ADD COLUMN c VARCHAR(5) NULL`);
    await conn.query(`INSERT INTO ${db}.t VALUES (6, 'six', 6, 'c6')`);
    const a2 = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(a2.code, a2.stdout + a2.stderr).toBe(1);
    expect(a2.stdout + a2.stderr).toContain(`The statement: ALTER TABLE ${db}.t ADD COLUMN c VARCHAR(5) NULL`);
    const [rows1] = await conn.query<RowDataPacket[]>(`SELECT id FROM ${dst}.t ORDER BY id`);
    expect(rows1.map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);

    writeSpec(cwd, 'mysql', 'replicate');
    const a3 = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(a3.code, a3.stdout + a3.stderr).toBe(0);
    const [rows2] = await conn.query<RowDataPacket[]>(`SELECT id, a, b, c FROM ${dst}.t ORDER BY id`);
    expect(rows2.map((r) => [r.id, r.c])).toEqual([[1, null], [2, null], [3, null], [4, null], [5, null], [6, 'c6']]);

    // Plain RENAMEs are no online schema change: replicated as before. Away and back, so the spec's
    // table is there for the next plan; the way back names a table the spec does not list, which
    // the MySQL destination leaves alone (it would have no rows there), so it keeps the first name.
    await conn.query(`RENAME TABLE ${db}.t TO ${db}.t_renamed`);
    await conn.query(`RENAME TABLE ${db}.t_renamed TO ${db}.t`);
    const a4 = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(a4.code, a4.stdout + a4.stderr).toBe(0);
    const [tables] = await conn.query<RowDataPacket[]>(`SHOW TABLES FROM ${dst}`);
    expect(tables.map((r) => Object.values(r)[0])).toEqual(['t_renamed']);
    const [rows3] = await conn.query<RowDataPacket[]>(`SELECT id FROM ${dst}.t_renamed ORDER BY id`);
    expect(rows3).toHaveLength(6);
  });
});
