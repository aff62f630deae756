// mig verify against Kafka, through the built binary: a copy in each message format verifies equal
// (the last state per key rebuilt from the topic with mig's decoders); messages tampered into a
// canal-json topic (a changed value, a deleted row, an extra row, a wrong value in a renamed column,
// a duplicate keyless row) are each named with exit 3; a source change the migration does not carry
// shows in DTS Avro and Shareplex JSON; a streaming migration under a write load verifies equal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Connection } from 'mysql2/promise';
import { KAFKA_BROKERS, MYSQL_PORT, uniqueName } from '../integration/helpers/env.js';
import { readTopic, type ReadMessage } from '../integration/helpers/kafka.js';
import { runMig } from './helpers/run-mig.js';
import { deleteTopics, textConnection } from './helpers/tidb.js';
import { fillLoadTable, LOAD_TABLE_COLUMNS } from './helpers/write-load.js';
import { verifyUnderLoad } from './helpers/verify-live.js';

const SRC = uniqueName('vksrc');
const LSRC = uniqueName('vklsrc');
const TOPICS = { canal: `${SRC}.canal`, avro: `${SRC}.avro`, shareplex: `${SRC}.shareplex`, live: `${LSRC}.live`, moved: `${LSRC}.moved` };
let conn: Connection;

interface JsonTable { table: string; status: string; method: string; missing: number; extra: number; differing: number; sample: { kind: string; key: string | null; columns?: string[] }[] }
interface JsonReport { equal: boolean; migrations: { migration: string; tables: JsonTable[] }[] }

/** A project with one migration of SRC's tables to a topic, as `spec` lines. */
function project(name: string, spec: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `mig-${name}-`));
  mkdirSync(path.join(dir, 'migrations.d'));
  const head = ['apiVersion: mig/v1', 'kind: Migration', `metadata: { name: ${name} }`, 'spec:', `  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }`];
  writeFileSync(path.join(dir, 'migrations.d', 'm.yaml'), `${head.join('\n')}\n${spec}`);
  return dir;
}

const copySpec = (topic: string, format: string) => `  destination: { type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${topic}, format: ${format} }
  types: [schema, full]
  objects:
    - database: ${SRC}
      tables:
        - name: orders
          rename: { name: full_name }
          columns: { exclude: [secret] }
        - name: events
  precheck: { ignore: [source.primary-key] }
`;

async function verifyJson(cwd: string, ...args: string[]): Promise<{ code: number; report: JsonReport; byTable: Map<string, JsonTable> }> {
  const r = await runMig(['verify', '--json', ...args], { cwd });
  expect([0, 3], r.stdout + r.stderr).toContain(r.code);
  const report = JSON.parse(r.stdout) as JsonReport;
  return { code: r.code, report, byTable: new Map(report.migrations[0]!.tables.map((t) => [t.table, t])) };
}

const kafka = new Kafka({ clientId: 'mig-verify-test', brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING });

async function produce(topic: string, messages: { key: string | null; value: string }[]): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: messages.map((m) => ({ key: m.key, value: m.value, partition: 0 })) });
  } finally {
    await producer.disconnect();
  }
}

beforeAll(async () => {
  conn = await textConnection();
  await conn.query(`CREATE DATABASE ${SRC}`);
  await conn.query(`CREATE TABLE ${SRC}.orders (id INT PRIMARY KEY, name VARCHAR(20), secret VARCHAR(10), amount DECIMAL(10,2), at DATETIME(3), raw VARBINARY(4))`);
  const rows = Array.from({ length: 400 }, (_, i) => `(${i + 1}, ${i % 9 === 0 ? 'NULL' : `'n${i} é'`}, 's', ${i}.5, '2026-03-04 05:06:07.${String(i % 1000).padStart(3, '0')}', 0x0a${(i % 256).toString(16).padStart(2, '0')})`);
  await conn.query(`INSERT INTO ${SRC}.orders VALUES ${rows.join(', ')}`);
  await conn.query(`CREATE TABLE ${SRC}.events (n INT, note VARCHAR(20))`);
  await conn.query(`INSERT INTO ${SRC}.events VALUES (1, 'a'), (1, 'a'), (2, NULL)`);
});

afterAll(async () => {
  await deleteTopics(Object.values(TOPICS));
  for (const db of [SRC, LSRC]) await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.end();
});

describe('mig verify, Kafka destination', () => {
  it('canal-json: a copy verifies equal; tampered messages are each named, exit 3', async () => {
    const cwd = project('vk-canal', copySpec(TOPICS.canal, 'canal-json'));
    const apply = await runMig(['apply', '--auto-approve'], { cwd });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const equal = await verifyJson(cwd);
    expect(equal.code).toBe(0);
    expect(equal.byTable.get(`${SRC}.orders`)).toMatchObject({ status: 'equal', method: 'scan', sourceRows: 400, destinationRows: 400 });
    expect(equal.byTable.get(`${SRC}.events`)).toMatchObject({ status: 'equal', sourceRows: 3, destinationRows: 3 });

    const messages = await readTopic(TOPICS.canal);
    const of = (key: string) => messages.find((m) => m.key === key)!;
    const edit = (m: ReadMessage, change: (msg: { type: string; data: Record<string, string | null>[] }) => void, key = m.key) => {
      const msg = JSON.parse(m.value) as { type: string; data: Record<string, string | null>[] };
      change(msg);
      return { key, value: JSON.stringify(msg) };
    };
    const keyless = messages.find((m) => m.key === null && m.value.includes('"note":"a"'))!;
    await produce(TOPICS.canal, [
      edit(of('["5"]'), (m) => (m.data[0]!.amount = '999.99')),
      edit(of('["7"]'), (m) => (m.type = 'DELETE')),
      edit(of('["1"]'), (m) => (m.data[0]!.id = '999'), '["999"]'),
      edit(of('["2"]'), (m) => (m.data[0]!.full_name = 'wrong')),
      { key: null, value: keyless.value },
    ]);
    const tampered = await verifyJson(cwd);
    expect(tampered.code).toBe(3);
    const orders = tampered.byTable.get(`${SRC}.orders`)!;
    expect(orders).toMatchObject({ status: 'different', missing: 1, extra: 1, differing: 2 });
    expect(orders.sample).toEqual(expect.arrayContaining([
      { kind: 'differing', key: '["2"]', columns: ['full_name'] },
      { kind: 'differing', key: '["5"]', columns: ['amount'] },
      { kind: 'missing', key: '["7"]' },
      { kind: 'extra', key: '["999"]' },
    ]));
    expect(tampered.byTable.get(`${SRC}.events`)).toMatchObject({ status: 'different', extra: 1 });
    const human = await runMig(['verify'], { cwd });
    expect(human.code).toBe(3);
    expect(human.stdout).toContain('differing key ["2"]: full_name');
    expect(human.stdout).toContain('destination read back');
  }, 120_000);

  for (const [format, topic] of [['dts-avro', TOPICS.avro], ['shareplex-json', TOPICS.shareplex]] as const) {
    it(`${format}: a copy verifies equal; a source change the migration does not carry is named`, async () => {
      const cwd = project(`vk-${format}`, copySpec(topic, format));
      const apply = await runMig(['apply', '--auto-approve'], { cwd });
      expect(apply.code, apply.stdout + apply.stderr).toBe(0);
      const equal = await verifyJson(cwd);
      expect(equal.code).toBe(0);
      expect(equal.report.equal).toBe(true);
      // Full load only: this change never reaches the topic.
      await conn.query(`UPDATE ${SRC}.orders SET name = 'changed' WHERE id = 3`);
      try {
        const changed = await verifyJson(cwd, '--target', `${SRC}.orders`);
        expect(changed.code).toBe(3);
        expect(changed.byTable.get(`${SRC}.orders`)).toMatchObject({ differing: 1, missing: 0, extra: 0, sample: [{ kind: 'differing', key: '["3"]', columns: ['full_name'] }] });
      } finally {
        await conn.query(`UPDATE ${SRC}.orders SET name = 'n2 é' WHERE id = 3`);
      }
    }, 120_000);
  }

  it('dts-avro on 4 partitions: keys changed while streaming verify equal, the old keys gone', async () => {
    // A key change's update lands in the new key's partition, the old key's rows in another one:
    // the old key is named by the update's image (typed Avro items) and the partitions, read one
    // after another, are put back in source order by change id.
    await conn.query(`CREATE DATABASE IF NOT EXISTS ${LSRC}`);
    await conn.query(`CREATE TABLE ${LSRC}.moves (id INT PRIMARY KEY, code VARCHAR(12) NOT NULL, n INT)`);
    await conn.query(`INSERT INTO ${LSRC}.moves VALUES ${Array.from({ length: 60 }, (_, i) => `(${i + 1}, 'c${i + 1}', ${i})`).join(', ')}`);
    const cwd = project('vk-moved', `  destination: { type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${TOPICS.moved}, format: dts-avro, partitions: 4 }
  objects: [{ database: ${LSRC}, tables: [{ name: moves }] }]
`);
    const load = await runMig(['apply', '--auto-approve'], { cwd });
    expect(load.code, load.stdout + load.stderr).toBe(0);
    await conn.query(`UPDATE ${LSRC}.moves SET id = id + 1000 WHERE id <= 20`);
    await conn.query(`UPDATE ${LSRC}.moves SET id = id - 1000, n = -n WHERE id BETWEEN 1001 AND 1010`);
    await conn.query(`INSERT INTO ${LSRC}.moves VALUES (15, 'again', 0)`);
    await conn.query(`DELETE FROM ${LSRC}.moves WHERE id IN (30, 1015)`);
    const caught = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(caught.code, caught.stdout + caught.stderr).toBe(0);
    const r = await verifyJson(cwd);
    expect(r.byTable.get(`${LSRC}.moves`), JSON.stringify(r.report)).toMatchObject({ status: 'equal', sourceRows: 59, destinationRows: 59 });
    expect(r.code).toBe(0);
  }, 120_000);

  it('a streaming migration under a steady write load verifies equal while the load runs', async () => {
    await conn.query(`CREATE DATABASE IF NOT EXISTS ${LSRC}`);
    await conn.query(`CREATE TABLE ${LSRC}.hot (${LOAD_TABLE_COLUMNS})`);
    const hot = await fillLoadTable(conn, `${LSRC}.hot`, 3000);
    const cwd = project('vk-live', `  destination: { type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${TOPICS.live}, format: canal-json }
  objects: [{ database: ${LSRC} }]
`);
    const live = await verifyUnderLoad(cwd, hot, []);
    expect(live.verify.code, live.verify.stdout + live.verify.stderr + live.applyOutput).toBe(0);
    expect((JSON.parse(live.verify.stdout) as JsonReport).migrations[0]!.tables[0]).toMatchObject({ table: `${LSRC}.hot`, status: 'equal' });
    expect(live.ops).toBeGreaterThan(100);
  }, 180_000);
});
