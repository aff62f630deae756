// The suite's broker is Kafka 4; clusters still on 3.9 are served too (issue 12). This file starts a
// Kafka 3.9 broker of its own (helpers/private-services.ts, MIG_KAFKA_LINE=3.9, same jars cache) and
// runs a migration against it from the shared MariaDB: schema, full load and streamed changes in
// each message format, lz4 and a DDL topic, then mig verify compares the topics with the source.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { MYSQL_PORT, uniqueName } from '../integration/helpers/env.js';
import { privateServices, type PrivateServices } from './helpers/private-services.js';
import { runMig } from './helpers/run-mig.js';
import { textConnection } from './helpers/tidb.js';

const SRC = uniqueName('k39');
let services: PrivateServices;
let conn: Connection;

beforeAll(async () => {
  services = await privateServices('mig-kafka39-', { kafkaLine: '3.9' });
  const ms = await services.start(['kafka']);
  const env = await services.env();
  console.log(`kafka 3.9: private broker ${env.MIG_TEST_KAFKA_VERSION} on port ${services.kafkaPort} started in ${(ms / 1000).toFixed(1)} s`);
  expect(env.MIG_TEST_KAFKA_VERSION).toMatch(/^3\.9\./);
  conn = await textConnection();
  await conn.query(`CREATE DATABASE ${SRC}`);
  await conn.query(`CREATE TABLE ${SRC}.orders (id INT PRIMARY KEY, note VARCHAR(40), amount DECIMAL(10,2))`);
  await conn.query(`INSERT INTO ${SRC}.orders VALUES ${Array.from({ length: 500 }, (_, i) => `(${i + 1}, 'n${i}', ${i}.5)`).join(', ')}`);
}, 180_000);

afterAll(async () => {
  await conn?.query(`DROP DATABASE IF EXISTS ${SRC}`);
  await conn?.end();
  await services?.cleanup();
});

function project(format: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `mig-k39-${format}-`));
  mkdirSync(path.join(dir, 'migrations.d'));
  writeFileSync(path.join(dir, 'migrations.d', 'm.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: k39-${format} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: { type: kafka, brokers: ${JSON.stringify(services.kafkaBrokers)}, topic: ${SRC}.${format}, format: ${format}, partitions: 3, ddlTopic: ${SRC}.${format}.ddl }
  objects: [{ database: ${SRC} }]
`);
  return dir;
}

describe('a Kafka 3.9 broker', () => {
  it('takes the schema, the full load and the stream in every format, and verifies equal', async () => {
    const dirs = ['canal-json', 'dts-avro', 'shareplex-json'].map(project);
    for (const cwd of dirs) {
      const r = await runMig(['apply', '--auto-approve'], { cwd });
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
    await conn.query(`UPDATE ${SRC}.orders SET note = 'changed' WHERE id <= 50`);
    await conn.query(`DELETE FROM ${SRC}.orders WHERE id > 480`);
    await conn.query(`INSERT INTO ${SRC}.orders VALUES (1001, 'new', 1.25)`);
    for (const cwd of dirs) {
      const caught = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
      expect(caught.code, caught.stdout + caught.stderr).toBe(0);
      const v = await runMig(['verify', '--json'], { cwd });
      expect(v.code, v.stdout + v.stderr).toBe(0);
      const t = (JSON.parse(v.stdout) as { migrations: { tables: { status: string; sourceRows: number; destinationRows: number }[] }[] }).migrations[0]!.tables[0]!;
      expect(t).toMatchObject({ status: 'equal', sourceRows: 481, destinationRows: 481 });
    }
  }, 300_000);
});
