// A full load while the source keeps changing, then the stream: replaying the topic gives exactly the
// source table, every change arrives once (ids never repeat), and every snapshot row once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { rootConnection, uniqueName, MYSQL_PORT, KAFKA_BROKERS } from '../helpers/env.js';
import { readTopic } from '../helpers/kafka.js';
import { runMig } from '../../e2e/helpers/run-mig.js';

const db = uniqueName('conc');
const topic = `${db}.acct`;
let cwd: string;
let conn: Connection;
let writer: Connection;

beforeAll(async () => {
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-conc-'));
  conn = await rootConnection();
  writer = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.acct (id INT PRIMARY KEY, v INT NOT NULL, note VARCHAR(30))`);
  const rows = Array.from({ length: 20_000 }, (_, i) => [i + 1, 0, `n${i + 1}`]);
  await conn.query(`INSERT INTO ${db}.acct VALUES ?`, [rows]);
  mkdirSync(path.join(cwd, 'migrations.d'));
  writeFileSync(path.join(cwd, 'migrations.d', 'conc.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: conc }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: { type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${topic} }
  full: { chunkSize: 500 }
  objects: [{ database: ${db}, tables: [{ name: acct }] }]
`);
});

afterAll(async () => {
  await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.end();
  await writer.end();
});

describe('full load under concurrent writes, then incremental', () => {
  it('loses nothing and duplicates nothing', async () => {
    let stop = false;
    let changes = 0;
    let next = 20_001;
    const writes = (async () => {
      while (!stop) {
        const id = 1 + Math.floor(Math.random() * 20_000);
        await writer.query('START TRANSACTION');
        await writer.query(`UPDATE ${db}.acct SET v = v + 1 WHERE id = ?`, [id]);
        await writer.query(`INSERT INTO ${db}.acct VALUES (?, 1, 'new')`, [next++]);
        await writer.query(`DELETE FROM ${db}.acct WHERE id = ?`, [1 + Math.floor(Math.random() * 20_000)]);
        await writer.query('COMMIT');
        changes++;
      }
    })();
    const a1 = await runMig(['apply', '--auto-approve'], { cwd });
    expect(a1.code, a1.stdout + a1.stderr).toBe(0);
    expect(a1.stdout).toContain('Start streaming with: mig apply --follow');
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await writes;
    expect(changes).toBeGreaterThan(10);
    const a2 = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(a2.code, a2.stdout + a2.stderr).toBe(0);

    const msgs = (await readTopic(topic)).map((m) => ({ key: m.key, ...JSON.parse(m.value) as { id: number; type: string; data: Record<string, string | null>[] } }));
    const replay = new Map<string, Record<string, string | null>>();
    const snapshotKeys = new Set<string>();
    const changeIds = new Set<number>();
    for (const m of msgs) {
      if (m.id === 0) {
        expect(snapshotKeys.has(m.key!)).toBe(false);
        snapshotKeys.add(m.key!);
      } else {
        expect(changeIds.has(m.id)).toBe(false);
        changeIds.add(m.id);
      }
      if (m.type === 'DELETE') replay.delete(m.key!);
      else replay.set(m.key!, m.data[0]!);
    }
    const [rows] = await conn.query<RowDataPacket[]>(`SELECT id, v, note FROM ${db}.acct ORDER BY id`);
    const expected = new Map(rows.map((r) => [JSON.stringify([String(r.id)]), { id: String(r.id), v: String(r.v), note: r.note === null ? null : String(r.note) }]));
    expect(replay.size).toBe(expected.size);
    for (const [k, v] of expected) expect(replay.get(k)).toEqual(v);
  });
});
