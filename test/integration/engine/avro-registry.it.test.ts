// DTS Avro through the CLI with a schema registry: the value schema is registered per topic subject,
// every message carries the Confluent frame (magic 0, schema id), and decodes with the schema the
// registry returns for that id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import avsc from 'avsc';
import type { Connection } from 'mysql2/promise';
import { rootConnection, uniqueName, MYSQL_PORT, KAFKA_BROKERS } from '../helpers/env.js';
import { readTopic } from '../helpers/kafka.js';
import { runMig } from '../../e2e/helpers/run-mig.js';

const REGISTRY = process.env.MIG_TEST_REGISTRY_URL ?? 'http://127.0.0.1:18081/apis/ccompat/v7';
const db = uniqueName('avroreg');
const topic = `${db}.t`;
let conn: Connection;
let cwd: string;

beforeAll(async () => {
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.t (id BIGINT UNSIGNED PRIMARY KEY, name VARCHAR(20) CHARACTER SET latin1, amount DECIMAL(10,2), at DATETIME(3))`);
  await conn.query(`INSERT INTO ${db}.t VALUES (18446744073709551615, 'café', 12.50, '2026-01-02 03:04:05.678')`);
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-avroreg-'));
  mkdirSync(path.join(cwd, 'migrations.d'));
  writeFileSync(path.join(cwd, 'migrations.d', 'a.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: avroreg }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination:
    type: kafka
    brokers: ${JSON.stringify(KAFKA_BROKERS)}
    topic: ${topic}
    format: dts-avro
    schemaRegistry: { url: "${REGISTRY}" }
  objects: [{ database: ${db} }]
`);
});

afterAll(async () => {
  await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.end();
});

describe('dts-avro with a schema registry', () => {
  it('registers <topic>-value and frames every message with its id', async () => {
    const a = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(a.code, a.stdout + a.stderr).toBe(0);
    expect(a.stdout).toMatch(new RegExp(`value schema of ${topic.replace(/\./g, '\\.')} registered as ${topic.replace(/\./g, '\\.')}-value \\(id \\d+\\)`));
    await conn.query(`UPDATE ${db}.t SET amount = 13.75 WHERE id = 18446744073709551615`);
    const b = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(b.code, b.stdout + b.stderr).toBe(0);

    const latest = (await (await fetch(`${REGISTRY}/subjects/${topic}-value/versions/latest`)).json()) as { id: number; schema: string };
    const type = avsc.Type.forSchema(JSON.parse(latest.schema), { wrapUnions: 'auto' });
    const msgs = await readTopic(topic);
    expect(msgs).toHaveLength(2);
    const decoded = msgs.map((m) => {
      const buf = m.raw;
      expect(buf[0]).toBe(0);
      expect(buf.readUInt32BE(1)).toBe(latest.id);
      return type.fromBuffer(buf.subarray(5)) as { operation: string; objectName: string; afterImages: unknown[]; beforeImages: unknown[] | null };
    });
    expect(decoded.map((d) => d.operation)).toEqual(['INSERT', 'UPDATE']);
    expect(decoded[0]!.objectName).toBe(`${db}.t`);
    expect(JSON.parse(JSON.stringify(decoded[1]!.afterImages[2]))).toEqual({ 'com.alibaba.dts.formats.avro.Decimal': { value: '13.75', precision: 10, scale: 2 } });
  });
});
