// Issue 13: after PURGE BINARY LOGS removed the file a migration's checkpoint is in, `mig plan` must
// not say "No changes": it plans the repair (-/+ re-snapshot required, exit 2 under
// --detailed-exitcode), and `mig apply` of that saved plan performs it: the checkpoint is dropped,
// every row is copied again from a new snapshot, and streaming goes on from there. The purge runs
// on a MariaDB of this file's own: other test files read the shared server's binary log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { KAFKA_BROKERS, uniqueName } from '../integration/helpers/env.js';
import { readTopic } from '../integration/helpers/kafka.js';
import { runMig } from './helpers/run-mig.js';
import { startPrivateMariadb, type PrivateMariadb } from './helpers/private-mariadb.js';

const db = uniqueName('purge');
const topic = `${db}.t`;
const NAME = 'purge-e2e';
let server: PrivateMariadb;
let conn: Connection;
let cwd: string;

const state = () => JSON.parse(readFileSync(path.join(cwd, '.mig', 'state.json'), 'utf8')).migrations[NAME];
const mig = (args: string[]) => runMig(args, { cwd });

async function binaryLogs(): Promise<string[]> {
  const [rows] = await conn.query<RowDataPacket[]>('SHOW BINARY LOGS');
  return rows.map((r) => String(r.Log_name));
}

async function ids(): Promise<string[]> {
  return (await readTopic(topic)).map((m) => String(JSON.parse(m.value).data[0].id));
}

beforeAll(async () => {
  server = await startPrivateMariadb();
  conn = await server.connection();
  await conn.query(`CREATE DATABASE ${db}; CREATE TABLE ${db}.t (id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO ${db}.t VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-purge-'));
  mkdirSync(path.join(cwd, 'migrations.d'));
  writeFileSync(path.join(cwd, 'migrations.d', 'purge.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: ${NAME} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${server.port}, user: root }
  destination: { type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${topic}, ddlTopic: ${topic}.ddl }
  objects:
    - database: ${db}
      tables:
        - name: t
`);
}, 240_000);

afterAll(async () => {
  await conn?.end().catch(() => undefined);
  await server?.stop();
}, 120_000);

describe('a purged binary log', () => {
  it('is planned as a re-snapshot that apply performs', { timeout: 180_000 }, async () => {
    const first = await mig(['apply', '--auto-approve', '--until-caught-up']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    await conn.query(`INSERT INTO ${db}.t VALUES (4, 'd')`);
    const caught = await mig(['apply', '--auto-approve', '--until-caught-up']);
    expect(caught.code, caught.stdout + caught.stderr).toBe(0);
    const checkpointFile = String(state().checkpoint.file);
    expect((await ids()).sort()).toEqual(['1', '2', '3', '4']);
    const clean = await mig(['plan', '--detailed-exitcode']);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);

    // The checkpoint's file goes: new files, a change in the newest, then the purge.
    await conn.query('FLUSH BINARY LOGS');
    await conn.query('FLUSH BINARY LOGS');
    await conn.query(`INSERT INTO ${db}.t VALUES (5, 'e')`);
    const newest = (await binaryLogs()).at(-1)!;
    await conn.query(`PURGE BINARY LOGS TO '${newest}'`);
    expect(await binaryLogs()).not.toContain(checkpointFile);

    const plan = await mig(['plan', '--detailed-exitcode', '--out', 'plan.json']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).not.toContain('No changes');
    // A 5-row table: copied again, not long-running (plan/table-size.ts).
    expect(plan.stdout).toContain(`-/+ migration ${NAME}  [re-snapshot]\n`);
    expect(plan.stdout).toContain(`re-snapshot required (binlog file ${checkpointFile} was purged from the source, whose oldest is now ${newest}; the checkpoint cannot resume)`);
    expect(plan.stdout).toContain(`-/+ table ${db}.t → topic ${topic}`);
    const md = await mig(['plan', '--format', 'markdown']);
    expect(md.stdout).toContain(`re-snapshot required (binlog file ${inlineMd(checkpointFile)} was purged`);

    const repair = await mig(['apply', 'plan.json', '--auto-approve', '--until-caught-up']);
    expect(repair.code, repair.stdout + repair.stderr).toBe(0);
    expect(repair.stdout).toContain('checkpoint dropped; every table is copied again from a new snapshot');
    // Every row again from the new snapshot (5 included), after the first copy and stream.
    const after = await ids();
    expect(after.slice(0, 4).sort()).toEqual(['1', '2', '3', '4']);
    expect(after.slice(4).sort()).toEqual(['1', '2', '3', '4', '5']);
    expect((await binaryLogs())).toContain(String(state().checkpoint?.file ?? state().snapshot.position.file));

    await conn.query(`INSERT INTO ${db}.t VALUES (6, 'f')`);
    const streamed = await mig(['apply', '--auto-approve', '--until-caught-up']);
    expect(streamed.code, streamed.stdout + streamed.stderr).toBe(0);
    expect((await ids()).at(-1)).toBe('6');
    const done = await mig(['plan', '--detailed-exitcode']);
    expect(done.code, done.stdout + done.stderr).toBe(0);
  });

  // A MySQL destination keeps its own checkpoint row, written with the data: the re-snapshot must
  // stream from the new snapshot, not from the purged position that row still holds.
  it('is repaired for a MySQL destination too, whose checkpoint table still names the purged file', { timeout: 180_000 }, async () => {
    const src = `${db}_m`;
    const dst = `${db}_md`;
    const name = `${NAME}-mysql`;
    await conn.query(`CREATE DATABASE ${src}; CREATE TABLE ${src}.t (id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO ${src}.t VALUES (1, 'a'), (2, 'b')`);
    const dir = mkdtempSync(path.join(tmpdir(), 'mig-purge-m-'));
    mkdirSync(path.join(dir, 'migrations.d'));
    writeFileSync(path.join(dir, 'migrations.d', 'purge.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: ${name} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${server.port}, user: root }
  destination: { type: mysql, host: 127.0.0.1, port: ${server.port}, user: root, checkpointDatabase: ${src}_cp }
  objects:
    - database: ${src}
      target: ${dst}
`);
    const m = (args: string[]) => runMig(args, { cwd: dir });
    const rowsAt = async (d: string) => (await conn.query<RowDataPacket[]>(`SELECT id, v FROM ${d}.t ORDER BY id`))[0].map((r) => `${r.id}:${r.v}`);
    const first = await m(['apply', '--auto-approve', '--until-caught-up']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    await conn.query(`INSERT INTO ${src}.t VALUES (3, 'c')`);
    const caught = await m(['apply', '--auto-approve', '--until-caught-up']);
    expect(caught.code, caught.stdout + caught.stderr).toBe(0);
    await conn.query('FLUSH BINARY LOGS');
    await conn.query(`INSERT INTO ${src}.t VALUES (4, 'd')`);
    await conn.query('FLUSH BINARY LOGS');
    await conn.query(`PURGE BINARY LOGS TO '${(await binaryLogs()).at(-1)!}'`);

    const plan = await m(['plan', '--detailed-exitcode', '--out', 'plan.json']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toContain('re-snapshot required');
    const repair = await m(['apply', 'plan.json', '--auto-approve', '--until-caught-up']);
    expect(repair.code, repair.stdout + repair.stderr).toBe(0);
    await conn.query(`INSERT INTO ${src}.t VALUES (5, 'e')`);
    const streamed = await m(['apply', '--auto-approve', '--until-caught-up']);
    expect(streamed.code, streamed.stdout + streamed.stderr).toBe(0);
    expect(await rowsAt(dst)).toEqual(await rowsAt(src));
    expect(await rowsAt(dst)).toEqual(['1:a', '2:b', '3:c', '4:d', '5:e']);
  });
});

/** How the markdown plan writes a file name (an underscore is escaped). */
function inlineMd(text: string): string {
  return text.replace(/_/g, '\\_');
}
