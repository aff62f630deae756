// destination.delivery exactly-once (issue 12): mig apply --follow streams under a steady insert
// and update load and is killed with SIGKILL three times, each restart resuming from the checkpoint
// record its last committed Kafka transaction holds. A read_committed consumer (mig's own reader)
// then finds every source change exactly once, in each key's order, and the last value of each row
// equal to the source. A batch the killed process had begun (open or aborted transaction) is
// invisible to it. The checkpoint topic is compacted and holds the migration's record; destroy
// empties it, and a record mig cannot read stops the run with a fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { KAFKA_BROKERS, MYSQL_PORT, uniqueName } from '../integration/helpers/env.js';
import { TopicAdmin } from '../../src/connectors/kafka/topic-admin.js';
import { KafkaWriter } from '../../src/connectors/sinks/kafka/writer.js';
import { runMig } from './helpers/run-mig.js';
import { committed } from './helpers/committed.js';
import { killIfRunning, sleep, startMig, type BackgroundMig } from './helpers/runner.js';
import { deleteTopics, textConnection } from './helpers/tidb.js';

const DB = uniqueName('eos');
const TOPIC = `${DB}.t`;
const CHECKPOINTS = `${DB}.checkpoints`;
const endpoint = { brokers: KAFKA_BROKERS };
let conn: Connection;
let cwd: string;
const migs: BackgroundMig[] = [];

beforeAll(async () => {
  conn = await textConnection();
  await conn.query(`CREATE DATABASE ${DB}`);
  await conn.query(`CREATE TABLE ${DB}.t (id INT PRIMARY KEY, v INT NOT NULL)`);
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-eos-'));
  mkdirSync(path.join(cwd, 'migrations.d'));
  writeFileSync(path.join(cwd, 'migrations.d', 'eos.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: ${DB.replace(/_/g, '-')} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: { type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${TOPIC}, partitions: 3, delivery: exactly-once, checkpointTopic: ${CHECKPOINTS} }
  objects: [{ database: ${DB} }]
`);
});

afterAll(async () => {
  for (const m of migs) await killIfRunning(m);
  await deleteTopics([TOPIC, CHECKPOINTS]);
  await conn.query(`DROP DATABASE IF EXISTS ${DB}`);
  await conn.end();
});

describe('delivery exactly-once', () => {
  it('kill -9 three times while streaming: a read_committed consumer sees every change once', async () => {
    const plan = await runMig(['plan'], { cwd });
    expect(plan.stdout).toContain(`exactly-once (checkpoints in ${CHECKPOINTS})`);
    const first = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(first.code, first.stdout + first.stderr).toBe(0);

    let stop = false;
    let n = 0;
    const writes = (async () => {
      while (!stop) {
        const batch = Array.from({ length: 20 }, (_, i) => [n * 20 + i + 1, n]);
        await conn.query(`INSERT INTO ${DB}.t VALUES ?`, [batch]);
        await conn.query(`UPDATE ${DB}.t SET v = v + 1 WHERE id IN (?, ?)`, [n * 20 + 1, Math.max(1, n * 10)]);
        n++;
        await sleep(5);
      }
    })();
    const kills: number[] = [];
    for (let round = 0; round < 3; round++) {
      const follow = startMig(['apply', '--auto-approve', '--follow'], { cwd });
      migs.push(follow);
      await follow.waitForOutput(/streaming from/, 60_000);
      // Killed somewhere inside the stream of transactions: 1.5–3 s of writes after it started.
      await sleep(1500 + round * 700);
      follow.child.kill('SIGKILL');
      await follow.exited;
      kills.push(n);
    }
    await sleep(300);
    stop = true;
    await writes;
    const last = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(last.code, last.stdout + last.stderr).toBe(0);

    const msgs = (await committed(TOPIC)).map((m) => ({ ...m, c: JSON.parse(m.value) as { id: number; type: string; data: { id: string; v: string }[] } }));
    // Each binlog row change has an id of its own (an UPDATE of two rows: two changes, two ids).
    const changes = msgs.map((m) => `${m.c.id}/${m.c.data[0]!.id}`);
    const unique = new Set(changes);
    const [[{ c: rows }]] = (await conn.query(`SELECT COUNT(*) AS c FROM ${DB}.t`)) as unknown as [[{ c: string }]];
    const [[{ u: updated }]] = (await conn.query(`SELECT COALESCE(SUM(v - FLOOR((id - 1) / 20)), 0) AS u FROM ${DB}.t`)) as unknown as [[{ u: string }]];
    console.log(`exactly-once kill -9: kills after ${kills.join(', ')} write rounds; ${n} rounds, ${rows} rows; ${msgs.length} messages read committed, ${unique.size} distinct changes, ${changes.length - unique.size} duplicates`);
    expect(changes.length - unique.size).toBe(0);
    // Every insert and every update arrived.
    expect(unique.size).toBe(Number(rows) + Number(updated));
    // Per key, the changes are in source order and the last one holds the source's value.
    const lastOf = new Map<string, { id: number; v: string }>();
    for (const m of msgs) {
      const key = m.c.data[0]!.id;
      const was = lastOf.get(key);
      if (was) expect(m.c.id, `key ${key}`).toBeGreaterThan(was.id);
      lastOf.set(key, { id: m.c.id, v: m.c.data[0]!.v });
    }
    const [src] = await conn.query(`SELECT id, v FROM ${DB}.t`);
    for (const r of src as { id: string; v: string }[]) expect(lastOf.get(String(r.id))?.v, `row ${r.id}`).toBe(String(r.v));

    const checkpoints = await committed(CHECKPOINTS);
    expect(checkpoints.length).toBeGreaterThan(0);
    expect(JSON.parse(checkpoints.at(-1)!.value)).toMatchObject({ migration: DB.replace(/_/g, '-'), feed: expect.stringMatching(/^binlog:/) });

    // A record mig cannot read (another writer on the topic) stops the run with the fix, no stack.
    const good = checkpoints.at(-1)!;
    const record = (value: string) => [{ topic: CHECKPOINTS, key: good.key, value: Buffer.from(value), partition: 0 }];
    const writer = await KafkaWriter.connect({ type: 'kafka', brokers: KAFKA_BROKERS, topic: TOPIC, format: 'canal-json', partitions: 1, replicationFactor: 1 });
    await writer.send(record('not json'));
    const refused = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`is not mig's JSON`);
    expect(refused.stderr).toContain('checkpointTopic of its own');
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    // The good record back: destroy reads it.
    await writer.send(record(good.value));
    await writer.close();

    // destroy forgets the record: a migration created again under the name starts afresh.
    const destroy = await runMig(['destroy', DB.replace(/_/g, '-'), '-y'], { cwd });
    expect(destroy.code, destroy.stdout + destroy.stderr).toBe(0);
    expect(destroy.stdout).toContain(`removed 1 row(s) from topic ${CHECKPOINTS}`);
    expect((await committed(CHECKPOINTS)).at(-1)!.value).toBe('');
  }, 300_000);
});
