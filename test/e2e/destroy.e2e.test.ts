// mig destroy against the real services: a migration that `mig apply --follow` streams is destroyed
// (the runner stops streaming it and releases its lease, the state forgets it, its topics stay),
// applied again and destroyed with --delete-destination (the shown plan marks each topic
// [destructive], and they are gone); a MySQL destination loses its checkpoint rows and, with the
// flag, the tables mig created but not one it found in place.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { KAFKA_BROKERS, MYSQL_PORT, rootConnection, uniqueName } from '../integration/helpers/env.js';
import { runMig } from './helpers/run-mig.js';
import { killIfRunning, startMig, statusJson, statusOfMigration, type BackgroundMig } from './helpers/runner.js';

const db = uniqueName('destroy');
const name = db.replace(/_/g, '-').slice(0, 63);
const topics = [`${db}.a`, `${db}.all`, `${db}.ddl`];
const DST = `${db}_dst`;
const CP = `${db}_cp`;
const mysqlName = `${name}-my`.slice(0, 63);

let cwd: string;
let conn: Connection;
let follow: BackgroundMig | undefined;
const kafka = new Kafka({ clientId: 'mig-test-destroy', brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING });

async function existingTopics(): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const all = new Set(await admin.listTopics());
    return topics.filter((t) => all.has(t));
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-destroy-'));
  mkdirSync(path.join(cwd, 'migrations.d'));
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.a (id INT PRIMARY KEY, v INT)`);
  await conn.query(`INSERT INTO ${db}.a VALUES (1, 1), (2, 2), (3, 3)`);
  await conn.query(`CREATE TABLE ${db}.b (id INT PRIMARY KEY, v INT)`);
  await conn.query(`INSERT INTO ${db}.b VALUES (1, 1)`);
  writeFileSync(path.join(cwd, 'migrations.d', 'kafka.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: ${name} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: { type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${db}.all, ddlTopic: ${db}.ddl, format: canal-json }
  objects:
    - database: ${db}
      tables: [ { name: a, topic: ${db}.a } ]
`);
});

afterAll(async () => {
  await killIfRunning(follow);
  await conn?.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn?.query(`DROP DATABASE IF EXISTS ${DST}`);
  await conn?.query(`DROP DATABASE IF EXISTS ${CP}`);
  await conn?.end();
});

describe('mig destroy', () => {
  it('stops the runner streaming the migration, which releases its lease; the state forgets it; topics are kept', async () => {
    follow = startMig(['apply', '--auto-approve', '--follow'], { cwd });
    await follow.waitForOutput(new RegExp(`${name}: streaming from`), 120_000);
    expect(await existingTopics()).toEqual(topics);

    // Without a terminal and without -y it refuses, and nothing happens.
    const refused = await runMig(['destroy', name], { cwd });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(`stop replication: the runner holding its lease (pid ${follow.pid}`);
    expect(refused.stderr).toContain('Error: destroy needs approval, and there is no terminal to ask');
    expect(follow.running()).toBe(true);

    const r = await runMig(['destroy', name, '-y'], { cwd });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`keep the 3 topic(s) mig created (${topics.join(', ')}) and their data; --delete-destination deletes them`);
    expect(r.stdout).not.toContain('[destructive]');
    expect(r.stdout).toContain(`${name}: the runner holding its lease (pid ${follow.pid}`);
    expect(r.stdout).toContain(`${name}: removed by the runner.`);
    expect(r.stdout).toMatch(/Destroy complete\. State serial \d+\./);
    // The runner stopped streaming it at a checkpoint, forgot it and released the lease; with nothing
    // else to run, apply --follow ends.
    await follow.waitForOutput(new RegExp(`${name}: released the lease`), 10_000);
    expect(follow.output()).toMatch(new RegExp(`${name}: stopped at checkpoint`));
    expect((await follow.exited).code).toBe(0);

    const status = await statusJson(cwd);
    expect(statusOfMigration(status, name)).toBeUndefined();
    expect(await existingTopics()).toEqual(topics);
    const plan = await runMig(['plan'], { cwd });
    expect(plan.stdout).toContain(`+ migration ${name}`);
  }, 240_000);

  it('with --delete-destination deletes the topics mig created, each marked [destructive] in the plan shown', async () => {
    // Kept topics hold messages: applied again, the precheck refuses them (conflictMode: error), and
    // with conflictMode: ignore mig would adopt them, not create them. Gone, mig creates them anew.
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics }).finally(() => admin.disconnect());
    const applied = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(applied.code, applied.stderr + applied.stdout).toBe(0);
    const r = await runMig(['destroy', '--delete-destination', '--auto-approve', '--json'], { cwd });
    expect(r.code).toBe(0);
    for (const t of topics) expect(r.stderr).toContain(`- delete topic ${t} at ${KAFKA_BROKERS.join(', ')}, with its data  [destructive]`);
    const result = JSON.parse(r.stdout) as { type: string; ok: boolean; plan: { steps: { action: string; destructive: boolean }[] }[]; destroyed: { migration: string; stoppedBy: string; deleted: string[] }[] };
    expect(result).toMatchObject({ type: 'result', ok: true, destroyed: [{ migration: name, stoppedBy: 'destroy', deleted: topics }] });
    expect(result.plan[0]!.steps.filter((x) => x.destructive).map((x) => x.action)).toEqual(['delete', 'delete', 'delete']);
    expect(await existingTopics()).toEqual([]);
    expect(statusOfMigration(await statusJson(cwd), name)).toBeUndefined();
  }, 240_000);

  it('a migration mig run streams, whose topics apply created (--detach), loses them with --delete-destination', async () => {
    const dir = path.join(cwd, 'detach.d');
    mkdirSync(dir);
    const detached = `${name}-d`.slice(0, 63);
    const dTopics = [`${db}.d.a`, `${db}.d.all`];
    writeFileSync(path.join(dir, 'd.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: ${detached} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: { type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${db}.d.all, format: canal-json }
  objects:
    - database: ${db}
      tables: [ { name: a, topic: ${db}.d.a } ]
`);
    const state = ['--dir', dir, '--state', path.join(cwd, 'detach-state.json')];
    const recorded = await runMig(['apply', '-y', '--detach', ...state], { cwd });
    expect(recorded.code, recorded.stderr + recorded.stdout).toBe(0);
    follow = startMig(['run', ...state], { cwd });
    await follow.waitForOutput(new RegExp(`${detached}: streaming from`), 120_000);
    const r = await runMig(['destroy', '-y', '--delete-destination', ...state], { cwd });
    expect(r.code, r.stderr).toBe(0);
    for (const t of dTopics) expect(r.stdout).toContain(`- delete topic ${t} at ${KAFKA_BROKERS.join(', ')}, with its data  [destructive]`);
    expect(r.stdout).toContain(`${detached}: removed by the runner.`);
    await follow.waitForOutput(new RegExp(`${detached}: released the lease`), 10_000);
    // mig run stays up for migrations applied later.
    expect(follow.running()).toBe(true);
    const admin = kafka.admin();
    await admin.connect();
    const left = await admin.listTopics().finally(() => admin.disconnect());
    expect(left.filter((t) => dTopics.includes(t))).toEqual([]);
    follow.child.kill('SIGTERM');
    expect((await follow.exited).code).toBe(0);
  }, 240_000);

  it('an unknown name is refused with a did-you-mean, as JSON under --json', async () => {
    const r = await runMig(['destroy', `${name}x`, '--json', '-y'], { cwd });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ type: 'error', code: 'destroy-unknown', message: `no migration is named ${name}x; did you mean ${name}?` });
  });

  it('a MySQL destination loses its checkpoint rows, and with the flag the tables mig created, never one it found', async () => {
    await conn.query(`CREATE DATABASE ${DST}`);
    // Found in place (conflictMode: ignore keeps it): never dropped.
    await conn.query(`CREATE TABLE ${DST}.b (id INT PRIMARY KEY, v INT)`);
    const dir = path.join(cwd, 'mysql.d');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'm.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: ${mysqlName} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: { type: mysql, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root, checkpointDatabase: ${CP} }
  conflictMode: ignore
  objects:
    - database: ${db}
      target: ${DST}
      tables: [ { name: a }, { name: b } ]
`);
    const state = ['--dir', dir, '--state', path.join(cwd, 'mysql-state.json')];
    const applied = await runMig(['apply', '-y', '--until-caught-up', ...state], { cwd });
    expect(applied.code, applied.stderr + applied.stdout).toBe(0);
    const rows = async () => Number((await conn.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${CP}.mig_checkpoint WHERE migration = ?`, [mysqlName]))[0][0]!.n);
    expect(await rows()).toBeGreaterThan(0);
    const r = await runMig(['destroy', '-y', '--delete-destination', ...state], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`remove its rows from ${CP}.mig_checkpoint at MySQL 127.0.0.1:${MYSQL_PORT}`);
    expect(r.stdout).toContain(`- delete table ${DST}.a at MySQL 127.0.0.1:${MYSQL_PORT}, with its data  [destructive]`);
    expect(r.stdout).toContain(`mig did not record creating (${DST}.b)`);
    expect(await rows()).toBe(0);
    const [left] = await conn.query<RowDataPacket[]>('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1', [DST]);
    expect(left.map((x) => x.t)).toEqual(['b']);
  }, 240_000);
});
