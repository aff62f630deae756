// A 200k-row full load killed with SIGKILL halfway, then applied again: it resumes from the last
// acknowledged chunk, re-reads only what was in flight, and the topic ends with every row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { rootConnection, uniqueName, MYSQL_PORT, KAFKA_BROKERS } from '../integration/helpers/env.js';
import { readTopic, topicMessageCount } from '../integration/helpers/kafka.js';
import { runMig, spawnMig } from './helpers/run-mig.js';

const ROWS = 200_000;
const CHUNK = 2000;
const db = uniqueName('resume');
const topic = `${db}.big`;
let cwd: string;
let conn: Connection;

beforeAll(async () => {
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-resume-'));
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.big (id INT PRIMARY KEY, a VARCHAR(64), n INT, dt DATETIME(6))`);
  for (let start = 0; start < ROWS; start += 10_000) {
    const rows = Array.from({ length: 10_000 }, (_, i) => [start + i + 1, `row ${start + i + 1}`, (start + i) % 997, '2026-01-02 03:04:05.123456']);
    await conn.query(`INSERT INTO ${db}.big VALUES ?`, [rows]);
  }
  mkdirSync(path.join(cwd, 'migrations.d'));
  writeFileSync(path.join(cwd, 'migrations.d', 'big.yaml'), `apiVersion: mig/v1
kind: Migration
metadata:
  name: big-resume
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: { type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${topic}, format: canal-json }
  types: [schema, full, incremental]
  full: { chunkSize: ${CHUNK} }
  objects:
    - database: ${db}
      tables: [{ name: big }]
`);
});

afterAll(async () => {
  await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.end();
});

function copied(): number {
  const file = path.join(cwd, '.mig', 'state.json');
  if (!existsSync(file)) return 0;
  try {
    const s = JSON.parse(readFileSync(file, 'utf8'));
    return s.migrations['big-resume']?.tables[`${db}.big`]?.rowsCopied ?? 0;
  } catch {
    return 0; // caught between writes is impossible (atomic rename), but a missing key is not
  }
}

describe('kill -9 during the full load', () => {
  it('resumes from the checkpoint and loses nothing', async () => {
    const child = spawnMig(['apply', '--auto-approve'], { cwd });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    const deadline = Date.now() + 120_000;
    while (copied() < ROWS / 2) {
      if (Date.now() > deadline) throw new Error(`load never reached half: ${out}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    // A little later, so that a chunk is usually on its way to Kafka when the process dies.
    await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGKILL');
    await exited;

    const checkpointed = copied();
    const inTopicAtKill = await topicMessageCount(topic);
    expect(checkpointed).toBeGreaterThanOrEqual(ROWS / 2);
    expect(checkpointed).toBeLessThan(ROWS);
    expect(checkpointed % CHUNK).toBe(0);

    const again = await runMig(['apply', '--auto-approve'], { cwd });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('which is no longer running; resuming from its checkpoints');
    expect(again.stdout).toContain(`resuming after ${checkpointed.toLocaleString('en-US')} rows`);

    const msgs = await readTopic(topic, 120_000);
    const keys = new Set(msgs.map((m) => m.key));
    expect(keys.size).toBe(ROWS);
    // Rows re-read = what reached Kafka after the last checkpoint (at most the two chunks in flight).
    const reread = msgs.length - ROWS;
    expect(reread).toBe(inTopicAtKill - checkpointed);
    expect(reread).toBeLessThanOrEqual(2 * CHUNK);
    console.log(`kill -9 at ${checkpointed} checkpointed rows; ${inTopicAtKill} messages in the topic; rows read twice: ${reread}`);

    const plan = await runMig(['plan', '--detailed-exitcode'], { cwd });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });
});

describe('kill -9 while streaming', () => {
  it('resumes from the checkpoint: every change arrives, repeats only inside the window', async () => {
    const sdb = uniqueName('sresume');
    const stopic = `${sdb}.t`;
    const dir = mkdtempSync(path.join(tmpdir(), 'mig-sresume-'));
    mkdirSync(path.join(dir, 'migrations.d'));
    await conn.query(`CREATE DATABASE ${sdb}`);
    await conn.query(`CREATE TABLE ${sdb}.t (id INT PRIMARY KEY, v INT NOT NULL)`);
    writeFileSync(path.join(dir, 'migrations.d', 's.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: s }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: { type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${stopic} }
  objects: [{ database: ${sdb} }]
`);
    try {
      const first = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd: dir });
      expect(first.code, first.stdout + first.stderr).toBe(0);
      const follow = spawnMig(['apply', '--auto-approve', '--follow'], { cwd: dir });
      const exited = new Promise<void>((r) => follow.on('exit', () => r()));
      let stop = false;
      let n = 0;
      const writes = (async () => {
        while (!stop) {
          const batch = Array.from({ length: 50 }, (_, i) => [n * 50 + i + 1, n]);
          await conn.query(`INSERT INTO ${sdb}.t VALUES ?`, [batch]);
          await conn.query(`UPDATE ${sdb}.t SET v = v + 1 WHERE id = ?`, [n * 50 + 1]);
          n++;
        }
      })();
      const deadline = Date.now() + 60_000;
      while ((await topicMessageCount(stopic)) < 2000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      follow.kill('SIGKILL');
      await exited;
      await new Promise((r) => setTimeout(r, 200));
      stop = true;
      await writes;
      const again = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd: dir });
      expect(again.code, again.stdout + again.stderr).toBe(0);
      expect(again.stdout).toContain('which is no longer running; resuming from its checkpoints');

      const msgs = (await readTopic(stopic)).map((m) => JSON.parse(m.value) as { id: number; type: string; data: { id: string; v: string }[] });
      const ids = msgs.map((m) => m.id);
      const unique = new Set(ids);
      // Every change exactly once by id, apart from a contiguous redelivered run after the checkpoint.
      const [rows] = await conn.query(`SELECT COUNT(*) AS c FROM ${sdb}.t`);
      const expectedChanges = n * 51;
      expect(unique.size).toBe(expectedChanges);
      expect(Number((rows as { c: number }[])[0]!.c)).toBe(n * 50);
      const repeats = ids.length - unique.size;
      console.log(`streaming kill -9: ${expectedChanges} changes, ${repeats} delivered twice`);
      const firstRepeat = ids.findIndex((id, i) => ids.indexOf(id) !== i);
      if (firstRepeat >= 0) {
        // The repeated run is a replay of a suffix that ended where the first process died.
        const replayStart = ids.indexOf(ids[firstRepeat]!);
        expect(ids.slice(firstRepeat, firstRepeat + repeats)).toEqual(ids.slice(replayStart, replayStart + repeats));
      }
      const last = new Map<string, string>();
      for (const m of msgs) last.set(m.data[0]!.id, m.data[0]!.v);
      const [src] = await conn.query(`SELECT id, v FROM ${sdb}.t`);
      for (const r of src as { id: number; v: number }[]) expect(last.get(String(r.id))).toBe(String(r.v));
    } finally {
      await conn.query(`DROP DATABASE IF EXISTS ${sdb}`);
    }
  });
});
