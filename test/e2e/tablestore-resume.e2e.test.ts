// A 150k-row full load into Tablestore killed with SIGKILL halfway, then applied again: it resumes
// after the last acknowledged chunk, and once the changes made meanwhile are streamed, Tablestore
// holds exactly the source's rows. The spec uses writeMode overwrite (PutRow replaces the row).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { rootConnection, uniqueName, MYSQL_PORT } from '../integration/helpers/env.js';
import { startTablestoreServer, type TablestoreTestServer } from '../support/tablestore/index.js';
import { sdkClient, TableStore } from '../support/tablestore/sdk.js';
import { runMig, spawnMig } from './helpers/run-mig.js';
import { expectSameRows, tablestoreEnv, tablestoreSpec } from './helpers/tablestore.js';

const ROWS = 150_000;
const CHUNK = 2000;
const db = uniqueName('tsresume');
const name = 'ts-resume';
let server: TablestoreTestServer;
let conn: Connection;
let cwd: string;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startTablestoreServer();
  env = tablestoreEnv(server);
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.big (id INT PRIMARY KEY, a VARCHAR(64), n INT, amount DECIMAL(10,2), dt DATETIME(6))`);
  for (let start = 0; start < ROWS; start += 10_000) {
    const rows = Array.from({ length: 10_000 }, (_, i) => [start + i + 1, `row ${start + i + 1}`, (start + i) % 997, `${i}.75`, '2026-01-02 03:04:05.123456']);
    await conn.query(`INSERT INTO ${db}.big VALUES ?`, [rows]);
  }
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-ts-resume-'));
  mkdirSync(path.join(cwd, 'migrations.d'));
  writeFileSync(path.join(cwd, 'migrations.d', 'big.yaml'), tablestoreSpec({
    name, port: MYSQL_PORT, server, chunkSize: CHUNK, destination: { writeMode: 'overwrite' },
    objects: `    - database: ${db}\n      tables: [{ name: big }]\n`,
  }));
});

afterAll(async () => {
  await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.end();
  await server.close();
});

function copied(): number {
  const file = path.join(cwd, '.mig', 'state.json');
  if (!existsSync(file)) return 0;
  const s = JSON.parse(readFileSync(file, 'utf8')) as { migrations: Record<string, { tables: Record<string, { rowsCopied: number }> } | undefined> };
  return s.migrations[name]?.tables[`${db}.big`]?.rowsCopied ?? 0;
}

describe('Tablestore: kill -9 during the full load', () => {
  it('resumes from the checkpoint, loses nothing, and streams the changes made meanwhile', async () => {
    const child = spawnMig(['apply', '--auto-approve'], { cwd, env });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    const deadline = Date.now() + 60_000;
    while (copied() < ROWS / 2) {
      if (Date.now() > deadline) throw new Error(`load never reached half: ${out}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    // A little later, so that chunks are usually on their way to Tablestore when the process dies.
    await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await exited;
    const checkpointed = copied();
    const atKill = server.rows('big').length;
    expect(checkpointed).toBeGreaterThanOrEqual(ROWS / 2);
    expect(checkpointed).toBeLessThan(ROWS);
    expect(atKill).toBeGreaterThanOrEqual(checkpointed);

    // Changes while mig is down: all of them must arrive after the resumed load.
    await conn.query(`UPDATE ${db}.big SET a = 'changed', amount = NULL WHERE id % 1000 = 1`);
    await conn.query(`DELETE FROM ${db}.big WHERE id % 1000 = 2`);
    await conn.query(`UPDATE ${db}.big SET id = id + 1000000 WHERE id IN (3, ${ROWS - 3})`);
    await conn.query(`INSERT INTO ${db}.big VALUES (${ROWS + 1}, NULL, NULL, NULL, NULL)`);

    const again = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd, env });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('which is no longer running; resuming from its checkpoints');
    expect(again.stdout).toContain(`resuming after ${checkpointed.toLocaleString('en-US')} rows`);
    expect(again.stdout).toContain('caught up');
    console.log(`Tablestore kill -9 at ${checkpointed} checkpointed rows, ${atKill} rows already written`);
    const n = await expectSameRows(server, conn, db, 'big');
    expect(n).toBe(ROWS - ROWS / 1000 + 1);

    // writeMode overwrite: PutRow replaces the whole row, so a column only Tablestore has goes.
    await sdkClient(server).updateRow({ tableName: 'big', condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null), primaryKey: [{ id: TableStore.Long.fromNumber(7) }], updateOfAttributeColumns: [{ PUT: [{ extra: 'gone soon' }] }] });
    expect(server.rows('big').find((r) => r.primaryKey.id === 7n)!.attributes.extra).toBe('gone soon');
    await conn.query(`UPDATE ${db}.big SET n = -7 WHERE id = 7`);
    const last = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd, env });
    expect(last.code, last.stdout + last.stderr).toBe(0);
    expect(server.rows('big').find((r) => r.primaryKey.id === 7n)!.attributes).toEqual({ a: 'row 7', n: -7n, amount: '6.75', dt: '2026-01-02 03:04:05.123456' });

    const plan = await runMig(['plan', '--detailed-exitcode'], { cwd, env });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });
});
