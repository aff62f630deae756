// The CLI against the broker's SCRAM and TLS listeners, with each compression codec and acks setting:
// what a spec says about connecting is what mig does, and the password stays out of every output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { rootConnection, uniqueName, MYSQL_PORT, KAFKA_SCRAM_BROKERS, KAFKA_TLS_BROKERS, KAFKA_TLS_CA, KAFKA_SCRAM_USER, KAFKA_SCRAM_PASSWORD } from '../helpers/env.js';
import { readTopic } from '../helpers/kafka.js';
import { runMig } from '../../e2e/helpers/run-mig.js';

const db = uniqueName('ksec');
let conn: Connection;

beforeAll(async () => {
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.t (id INT PRIMARY KEY, v VARCHAR(100))`);
  await conn.query(`INSERT INTO ${db}.t VALUES ?`, [Array.from({ length: 50 }, (_, i) => [i + 1, 'x'.repeat(80)])]);
});

afterAll(async () => {
  await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.end();
});

function project(name: string, destination: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mig-ksec-'));
  mkdirSync(path.join(dir, 'migrations.d'));
  writeFileSync(path.join(dir, 'ca.pem'), readFileSync(KAFKA_TLS_CA));
  writeFileSync(path.join(dir, 'migrations.d', 'k.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: ${name} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination:
    type: kafka
    topic: ${db}.${name}
${destination}
  objects: [{ database: ${db} }]
`);
  return dir;
}

describe('SCRAM, TLS, compression and acks through the CLI', () => {
  it.each([
    ['scram256', 'scram-sha-256', 'snappy', 'leader'],
    ['scram512', 'scram-sha-512', 'gzip', 'all'],
  ])('%s', async (name, mechanism, compression, acks) => {
    const cwd = project(name, `    brokers: ${JSON.stringify(KAFKA_SCRAM_BROKERS)}
    compression: ${compression}
    acks: ${acks}
    sasl: { mechanism: ${mechanism}, username: ${KAFKA_SCRAM_USER}, password: "\${env:KSEC_PASSWORD}" }`);
    const ok = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd, env: { KSEC_PASSWORD: KAFKA_SCRAM_PASSWORD } });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect((await readTopic(`${db}.${name}`)).length).toBe(50);
    const bad = await runMig(['plan'], { cwd, env: { KSEC_PASSWORD: 'wrong-password-123' } });
    expect(bad.stdout + bad.stderr).toContain('Kafka not inspected');
    expect(bad.stdout + bad.stderr).not.toContain('wrong-password-123');
    expect(ok.stdout + ok.stderr).not.toContain(KAFKA_SCRAM_PASSWORD);
  });

  it('TLS with the CA file from the spec (relative to the project root), lz4 by default', async () => {
    const cwd = project('tls', `    brokers: ${JSON.stringify(KAFKA_TLS_BROKERS)}
    tls: { ca: ca.pem }`);
    const ok = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect((await readTopic(`${db}.tls`)).length).toBe(50);
  });
});
