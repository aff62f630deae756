// A transaction far larger than what the stream buffers is handed on in parts: every change arrives,
// in order, and the checkpoint only moves once the whole transaction is acknowledged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { rootConnection, uniqueName, MYSQL_PORT, KAFKA_BROKERS } from '../helpers/env.js';
import { topicMessageCount, readTopic } from '../helpers/kafka.js';
import { runMig } from '../../e2e/helpers/run-mig.js';

const db = uniqueName('bigtx');
let conn: Connection;

beforeAll(async () => {
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.t (id INT PRIMARY KEY, v INT)`);
});

afterAll(async () => {
  await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.end();
});

describe('a large transaction', () => {
  it('streams in parts and checkpoints at its end', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'mig-bigtx-'));
    mkdirSync(path.join(cwd, 'migrations.d'));
    writeFileSync(path.join(cwd, 'migrations.d', 'b.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: bigtx }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: { type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${db}.t }
  objects: [{ database: ${db} }]
`);
    const first = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    await conn.query('START TRANSACTION');
    await conn.query(`INSERT INTO ${db}.t SELECT seq, 0 FROM ${db}.seq_1_to_24000`);
    await conn.query(`UPDATE ${db}.t SET v = 1`);
    await conn.query('COMMIT');
    const a = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(a.code, a.stdout + a.stderr).toBe(0);
    expect(await topicMessageCount(`${db}.t`)).toBe(48_000);
    const msgs = (await readTopic(`${db}.t`)).map((m) => JSON.parse(m.value) as { type: string; id: number });
    expect(msgs.slice(0, 24_000).every((m) => m.type === 'INSERT')).toBe(true);
    expect(msgs.slice(24_000).every((m) => m.type === 'UPDATE')).toBe(true);
    const ids = msgs.map((m) => m.id);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    const st = JSON.parse(readFileSync(path.join(cwd, '.mig', 'state.json'), 'utf8'));
    const [[end]] = (await conn.query('SHOW MASTER STATUS')) as unknown as [{ File: string; Position: number }[]];
    expect(st.migrations.bigtx.checkpoint).toMatchObject({ file: end!.File, pos: Number(end!.Position) });
  });
});
