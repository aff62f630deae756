// Issue 13: a plan whose precheck failed (here a wrong password) cannot be applied, so `mig plan`
// exits 1, also under --detailed-exitcode, and says so in every format; a plan saved then is refused
// by `mig apply` even once the password is right again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { KAFKA_BROKERS, MYSQL_PORT, rootConnection, uniqueName } from '../integration/helpers/env.js';
import { runMig } from './helpers/run-mig.js';

const db = uniqueName('pcexit');
const user = `pcx${process.pid}`;
const PASSWORD = `pw-${Math.random().toString(36).slice(2)}`;
let conn: Connection;
let cwd: string;

beforeAll(async () => {
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}; CREATE TABLE ${db}.t (id INT PRIMARY KEY)`);
  await conn.query(`CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}'`);
  await conn.query(`GRANT SELECT, RELOAD, REPLICATION SLAVE, REPLICATION CLIENT, BINLOG MONITOR ON *.* TO '${user}'@'127.0.0.1'`);
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-pcexit-'));
  mkdirSync(path.join(cwd, 'migrations.d'));
  writeFileSync(path.join(cwd, 'migrations.d', 'pc.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: pc-exit }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: ${user}, password: "\${env:PCX_PASSWORD}" }
  destination: { type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${db}, ddlTopic: ${db}.ddl }
  objects:
    - database: ${db}
      tables:
        - name: t
`);
});

afterAll(async () => {
  await conn.query(`DROP DATABASE IF EXISTS ${db}; DROP USER IF EXISTS '${user}'@'127.0.0.1'`);
  await conn.end();
});

describe('a plan whose precheck failed', () => {
  const wrong = { PCX_PASSWORD: `${PASSWORD}-wrong` };

  it('exits 1 in every format, also with --detailed-exitcode', async () => {
    const human = await runMig(['plan', '--detailed-exitcode'], { cwd, env: wrong });
    expect(human.code, human.stdout + human.stderr).toBe(1);
    expect(human.stdout.split('\n')[0]).toContain('Precheck failed — this plan cannot be applied');
    expect(human.stdout).toContain('✗ source.connection');
    expect(human.stdout.trimEnd().split('\n').at(-1)).toContain('Precheck failed — this plan cannot be applied');

    const md = await runMig(['plan', '--format', 'markdown'], { cwd, env: wrong });
    expect(md.code).toBe(1);
    expect(md.stdout).toContain('## mig plan: ❌ precheck failed, cannot be applied');
    expect(md.stdout.indexOf('> [!CAUTION]')).toBeLessThan(md.stdout.indexOf('### '));

    const json = await runMig(['plan', '--json'], { cwd, env: wrong });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ applicable: false, precheckFailed: true, precheck: { ok: false } });
  });

  it('saved, is refused by apply even when the password is right again', async () => {
    const saved = await runMig(['plan', '--out', 'plan.json'], { cwd, env: wrong });
    expect(saved.code).toBe(1);
    expect(saved.stdout).toContain('Saved the plan to plan.json, but mig apply refuses it');
    const apply = await runMig(['apply', 'plan.json', '--auto-approve'], { cwd, env: { PCX_PASSWORD: PASSWORD } });
    expect(apply.code, apply.stdout + apply.stderr).toBe(1);
    expect(apply.stderr).toContain('the plan has errors; nothing was applied');
    expect(apply.stderr).toContain('Precheck failed — this plan cannot be applied');

    const right = await runMig(['plan', '--detailed-exitcode'], { cwd, env: { PCX_PASSWORD: PASSWORD } });
    expect(right.code, right.stdout + right.stderr).toBe(2);
  });
});
