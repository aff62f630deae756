// MariaDB → MySQL through the built mig: the private MariaDB is both the source (one database) and the
// destination (another database, through objects[].target). validate, plan, apply (schema + full),
// then binlog transactions applied by apply --until-caught-up: a transaction across tables with
// INSERT, UPDATE (also of the key) and DELETE, an ALTER TABLE ADD COLUMN, a transaction of 6000 rows
// (the reader hands it on in parts; it commits whole), a filter and an operation selection; apply
// --follow (a table created in a database taken whole joins) stopped by SIGTERM; finally kill -9 while applying and a re-run: a keyless table shows
// that no transaction was applied twice or skipped, and the checkpoint row agrees with the rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { MYSQL_PORT, uniqueName } from '../integration/helpers/env.js';
import { runMig, spawnMig } from './helpers/run-mig.js';
import { dump, tablesOf, textConnection } from './helpers/tidb.js';
import { decodeBinlogPosition } from '../../src/connectors/sources/mysql/binlog-checkpoint.js';

const SRC = uniqueName('m2msrc');
const DST = uniqueName('m2mdst');
const CP = uniqueName('m2mcp');
const SRCW = uniqueName('m2mwsrc');
const DSTW = uniqueName('m2mwdst');
const NAME = 'm2m-e2e';
let cwd: string;
let conn: Connection;

const state = () => JSON.parse(readFileSync(path.join(cwd, '.mig', 'state.json'), 'utf8')).migrations[NAME];

async function q<T = RowDataPacket>(sql: string, params: unknown[] = []): Promise<T[]> {
  const [r] = await conn.query<RowDataPacket[]>(sql, params);
  return r as T[];
}

async function binlogEnd(): Promise<{ file: string; pos: number }> {
  const [r] = await q('SHOW MASTER STATUS');
  return { file: String(r!.File), pos: Number(r!.Position) };
}

/** The destination's binlog checkpoint of this migration, decoded. */
async function checkpointRow(): Promise<{ file: string; pos: number } | undefined> {
  const [r] = await q(`SELECT feed, kafka_offset o FROM ${CP}.mig_checkpoint WHERE migration = ?`, [NAME]);
  return r ? decodeBinlogPosition(String(r.feed), String(r.o)) : undefined;
}

beforeAll(async () => {
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-m2m-'));
  conn = await textConnection();
  await conn.query(`CREATE DATABASE ${SRC}`);
  await conn.query(`CREATE TABLE ${SRC}.orders (id INT PRIMARY KEY, customer VARCHAR(20) NOT NULL, amount DECIMAL(10,2), placed DATETIME(3), note TEXT)`);
  await conn.query(`INSERT INTO ${SRC}.orders VALUES (1, 'ann', 10.50, '2026-01-02 03:04:05.678', 'é ✓'), (2, 'bob', 20.00, NULL, NULL), (3, 'cy', NULL, NULL, 'x')`);
  await conn.query(`CREATE TABLE ${SRC}.items (id INT PRIMARY KEY, order_id INT NOT NULL, qty INT, blob_col VARBINARY(16))`);
  await conn.query(`INSERT INTO ${SRC}.items VALUES (1, 1, 2, 0x00ff), (2, 2, 1, NULL)`);
  // No key: a transaction applied twice shows as a duplicate row, a skipped one as a gap.
  await conn.query(`CREATE TABLE ${SRC}.events (n INT, note VARCHAR(40))`);
  await conn.query(`INSERT INTO ${SRC}.events VALUES (1, 'first'), (1, 'first')`);
  await conn.query(`CREATE TABLE ${SRC}.bulk (id INT PRIMARY KEY, payload VARCHAR(100))`);
  await conn.query(`CREATE TABLE ${SRC}.paid (id INT PRIMARY KEY, status VARCHAR(10) NOT NULL, v INT)`);
  await conn.query(`INSERT INTO ${SRC}.paid VALUES (1, 'paid', 1), (2, 'draft', 2)`);
  await conn.query(`CREATE TABLE ${SRC}.nodelete (id INT PRIMARY KEY, v VARCHAR(10))`);
  await conn.query(`INSERT INTO ${SRC}.nodelete VALUES (1, 'a'), (2, 'b')`);
  // Taken whole: a table created there while streaming joins the migration.
  await conn.query(`CREATE DATABASE ${SRCW}; CREATE TABLE ${SRCW}.seed (id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO ${SRCW}.seed VALUES (1, 'x')`);
  mkdirSync(path.join(cwd, 'migrations.d'));
  writeFileSync(path.join(cwd, 'migrations.d', 'm2m.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: ${NAME} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: { type: mysql, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root, checkpointDatabase: ${CP}, batchRows: 200 }
  precheck: { ignore: [source.primary-key] }
  objects:
    - database: ${SRC}
      target: ${DST}
      tables:
        - name: orders
        - name: items
        - name: events
        - name: bulk
        - name: paid
          target: paid_only
          filter: "status = 'paid'"
        - name: nodelete
          operations: [insert, update, ddl]
    - database: ${SRCW}
      target: ${DSTW}
`);
});

afterAll(async () => {
  await conn.query(`DROP DATABASE IF EXISTS ${SRC}; DROP DATABASE IF EXISTS ${DST}; DROP DATABASE IF EXISTS ${CP}; DROP DATABASE IF EXISTS ${SRCW}; DROP DATABASE IF EXISTS ${DSTW}`);
  await conn.end();
});

/** The plain tables hold the same rows (and columns) on both sides; the mapped ones what the spec selects. */
async function expectSame(): Promise<void> {
  for (const t of ['orders', 'items', 'events', 'bulk']) expect(await dump(conn, DST, t), t).toEqual(await dump(conn, SRC, t));
  expect(await dump(conn, DST, 'paid_only')).toEqual(await dump(conn, SRC, 'paid', '*', "status = 'paid'"));
  const whole = await tablesOf(conn, SRCW);
  expect(await tablesOf(conn, DSTW)).toEqual(whole);
  for (const t of whole) expect(await dump(conn, DSTW, t), t).toEqual(await dump(conn, SRCW, t));
}

describe('mysql-to-mysql', () => {
  it('validates, plans and applies schema + full load', async () => {
    const v = await runMig(['validate'], { cwd });
    expect(v.code, v.stdout + v.stderr).toBe(0);
    // A table at the destination that mig did not create fails the precheck (conflictMode: error).
    await conn.query(`CREATE DATABASE ${DST}; CREATE TABLE ${DST}.orders (id INT PRIMARY KEY)`);
    const refused = await runMig(['precheck'], { cwd });
    expect(refused.code, refused.stdout + refused.stderr).not.toBe(0);
    expect(refused.stdout).toMatch(new RegExp(`✗ destination\\.existing-tables +already at the destination: ${DST}\\.orders`));
    await conn.query(`DROP TABLE ${DST}.orders`);
    const pc = await runMig(['precheck'], { cwd });
    expect(pc.code, pc.stdout + pc.stderr).toBe(0);
    expect(pc.stdout).toMatch(/✓ destination\.existing-tables/);
    const plan = await runMig(['plan'], { cwd });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain(`table ${SRC}.orders → MySQL table ${DST}.orders`);
    expect(plan.stdout).toContain(`table ${SRC}.paid → MySQL table ${DST}.paid_only`);

    const apply = await runMig(['apply', '--auto-approve'], { cwd });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/consistent snapshot at binlog \S+:\d+/);
    expect(apply.stdout).toContain('incremental starts at');
    expect(await tablesOf(conn, DST)).toEqual(['bulk', 'events', 'items', 'nodelete', 'orders', 'paid_only']);
    expect(await tablesOf(conn, DSTW)).toEqual(['seed']);
    await expectSame();
    expect(state().tables[`${SRC}.orders`].targetOrigin).toBe('created');
    // Tables this migration created are its own: the precheck still passes.
    const after = await runMig(['precheck'], { cwd });
    expect(after.code, after.stdout + after.stderr).toBe(0);
  });

  it('applies the binlog after the snapshot: destination equals source', async () => {
    // One transaction across tables: insert, update, key change, delete.
    await conn.query(`START TRANSACTION;
      INSERT INTO ${SRC}.orders VALUES (10, 'dan', 5.25, '2026-02-03 04:05:06.789', 'new');
      UPDATE ${SRC}.orders SET amount = 99.99, note = NULL WHERE id = 1;
      UPDATE ${SRC}.orders SET id = 20 WHERE id = 2;
      DELETE FROM ${SRC}.items WHERE id = 2;
      INSERT INTO ${SRC}.items VALUES (3, 10, 7, 0x01);
      INSERT INTO ${SRC}.events VALUES (2, 'second');
      COMMIT`);
    await conn.query(`ALTER TABLE ${SRC}.orders ADD COLUMN channel VARCHAR(10) NULL DEFAULT 'web'`);
    await conn.query(`UPDATE ${SRC}.orders SET channel = 'shop' WHERE id = 10`);
    await conn.query(`INSERT INTO ${SRC}.orders (id, customer, channel) VALUES (11, 'eve', 'app')`);
    // 6000 rows in one transaction: more than a part (5000), applied in one destination transaction.
    const rows = Array.from({ length: 6000 }, (_, i) => [i + 1, `payload ${i + 1}`]);
    await conn.query(`START TRANSACTION`);
    await conn.query(`INSERT INTO ${SRC}.bulk VALUES ?`, [rows]);
    await conn.query(`UPDATE ${SRC}.bulk SET payload = CONCAT(payload, '!') WHERE id % 3 = 0`);
    await conn.query(`COMMIT`);
    // Filter and operation selection: a draft row stays out, a delete is not replicated.
    await conn.query(`INSERT INTO ${SRC}.paid VALUES (3, 'draft', 3), (4, 'paid', 4); UPDATE ${SRC}.paid SET status = 'paid' WHERE id = 2`);
    await conn.query(`DELETE FROM ${SRC}.nodelete WHERE id = 1; INSERT INTO ${SRC}.nodelete VALUES (3, 'c')`);

    const run = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('caught up');
    expect(await q(`SHOW COLUMNS FROM ${DST}.orders LIKE 'channel'`)).toHaveLength(1);
    await expectSame();
    expect(await dump(conn, DST, 'nodelete')).toEqual([
      JSON.stringify([['id', '1'], ['v', 'a']]), JSON.stringify([['id', '2'], ['v', 'b']]), JSON.stringify([['id', '3'], ['v', 'c']]),
    ]);

    // The destination's checkpoint row is where the state says, and status shows it.
    const cp = await checkpointRow();
    expect(cp).toEqual({ file: state().checkpoint.file, pos: state().checkpoint.pos });
    const status = await runMig(['status'], { cwd });
    expect(status.code, status.stdout + status.stderr).toBe(0);
    expect(status.stdout).toContain(`checkpoint: ${cp!.file}:${cp!.pos}`);
    const plan = await runMig(['plan', '--detailed-exitcode'], { cwd });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });

  it('apply --follow applies changes as they come (a new table of a whole database joins) and stops cleanly on SIGTERM', async () => {
    const child = spawnMig(['apply', '--auto-approve', '--follow'], { cwd });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const until = async (what: () => Promise<boolean> | boolean, label: string) => {
      const deadline = Date.now() + 20_000;
      while (!(await what())) {
        if (Date.now() > deadline) throw new Error(`${label}: ${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until(() => out.includes('streaming from'), 'never started streaming');
    await conn.query(`INSERT INTO ${SRC}.orders (id, customer) VALUES (30, 'fay')`);
    await conn.query(`CREATE TABLE ${SRCW}.fresh (id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO ${SRCW}.fresh VALUES (1, 'one'), (2, 'two')`);
    await until(async () => (await q(`SELECT id FROM ${DST}.orders WHERE id = 30`)).length === 1, 'the row never arrived');
    await until(async () => (await tablesOf(conn, DSTW)).includes('fresh') && (await dump(conn, DSTW, 'fresh')).length === 2, 'rows of the new table never arrived');
    child.kill('SIGTERM');
    expect(await exited, out).toBe(0);
    expect(out).toContain('stopped');
    expect(out).toContain(`${SRCW}.fresh: created on the source during incremental`);
    await expectSame();
    // The joined table is in the state as the plan computes it: nothing to change.
    const plan = await runMig(['plan', '--detailed-exitcode'], { cwd });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });

  it('kill -9 while applying: after a re-run no transaction is applied twice or skipped', async () => {
    const N = 3000;
    const base = Number((await q(`SELECT COUNT(*) c FROM ${DST}.events`))[0]!.c);
    // Where the log ends after each transaction: the checkpoint must be one of these.
    const ends: string[] = [];
    for (let i = 0; i < N; i++) {
      if (i % 7 === 0) await conn.query(`START TRANSACTION; INSERT INTO ${SRC}.events VALUES (${1000 + i}, 'tx ${i}'); UPDATE ${SRC}.orders SET customer = 'c${i}' WHERE id = 10; COMMIT`);
      else await conn.query(`INSERT INTO ${SRC}.events VALUES (${1000 + i}, 'tx ${i}')`);
      const e = await binlogEnd();
      ends.push(`${e.file}:${e.pos}`);
    }
    const child = spawnMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    const deadline = Date.now() + 30_000;
    const applied = async () => Number((await q(`SELECT COUNT(*) c FROM ${DST}.events WHERE n >= 1000`))[0]!.c);
    while ((await applied()) < N / 3) {
      if (Date.now() > deadline) throw new Error(`apply never got a third through: ${out}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGKILL');
    await exited;
    const killed = await checkpointRow();
    const k = ends.indexOf(`${killed!.file}:${killed!.pos}`);
    // The rows at the destination are exactly the transactions up to its checkpoint.
    expect(k, `${killed!.file}:${killed!.pos}`).toBeGreaterThanOrEqual(0);
    expect(k).toBeLessThan(N - 1);
    expect(await applied()).toBe(k + 1);
    expect(Number((await q(`SELECT COUNT(*) c FROM ${DST}.events`))[0]!.c)).toBe(base + k + 1);
    console.log(`mysql kill -9: checkpoint after ${k + 1}/${N} transactions; state file at ${state().checkpoint.file}:${state().checkpoint.pos}`);

    const again = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain(`streaming from ${killed!.file}:${killed!.pos}`);
    expect(await applied()).toBe(N);
    await expectSame();
  });
});
