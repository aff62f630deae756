// TiDB → MySQL through the built mig: validate, precheck, plan, apply (schema + full load), then
// Drainer transactions from the real broker applied by apply --until-caught-up: skipped up to the
// snapshot's commit ts, then every column type, multi-table transactions, key changes, DDL (ADD
// COLUMN, CREATE TABLE joining a whole-database migration), a 2 MiB transaction, filter + rename,
// an operation selection, conflictMode ignore; finally a kill -9 while applying. MariaDB stands in
// for TiDB's SQL endpoint (helpers/tidb.ts), so the destination is compared with it table by table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { MYSQL_PORT, uniqueName } from '../integration/helpers/env.js';
import { dml, i64, str } from '../support/drainer.js';
import { runMig, spawnMig } from './helpers/run-mig.js';
import { FakeTidb, createFeedTopic, tidbSourceYaml, textConnection, deleteTopics, dump, produce, tablesOf } from './helpers/tidb.js';
import { TYPE_COLUMNS, TYPE_ROWS } from './helpers/tidb-types.js';

const SRC = uniqueName('tidbsrc');
const DST = uniqueName('tidbdst');
const SRCB = uniqueName('tidbsrcb');
const DSTB = uniqueName('tidbdstb');
const CP = uniqueName('tidbcp');
const TOPIC = `${SRC}.binlog`;
const NAME = 'tidb-e2e';
let cwd: string;
let conn: Connection;
let tidb: FakeTidb;
let tidbB: FakeTidb;
let startTs: bigint;
let ts: bigint;
const nextTs = () => (ts += 3n);

const state = () => JSON.parse(readFileSync(path.join(cwd, '.mig', 'state.json'), 'utf8')).migrations[NAME];

async function q<T = RowDataPacket>(sql: string, params: unknown[] = []): Promise<T[]> {
  const [r] = await conn.query<RowDataPacket[]>(sql, params);
  return r as T[];
}

beforeAll(async () => {
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-tidb-'));
  conn = await textConnection();
  await conn.query(`CREATE DATABASE ${SRC}; CREATE DATABASE ${SRCB}; CREATE DATABASE ${DSTB}`);
  await conn.query(`CREATE TABLE ${SRC}.types (${TYPE_COLUMNS})`);
  for (const r of TYPE_ROWS) await conn.query(`INSERT INTO ${SRC}.types VALUES ${r}`);
  await conn.query(`CREATE TABLE ${SRC}.orders (id INT PRIMARY KEY, customer VARCHAR(20) NOT NULL, amount DECIMAL(10,2))`);
  await conn.query(`INSERT INTO ${SRC}.orders VALUES (1, 'ann', 10.50), (2, 'bob', 20.00), (3, 'cy', NULL)`);
  await conn.query(`CREATE TABLE ${SRC}.items (id INT PRIMARY KEY, order_id INT NOT NULL, qty INT)`);
  await conn.query(`INSERT INTO ${SRC}.items VALUES (1, 1, 2), (2, 2, 1)`);
  await conn.query(`CREATE TABLE ${SRC}.events (n INT, note VARCHAR(20))`);
  await conn.query(`INSERT INTO ${SRC}.events VALUES (1, 'first'), (1, 'first')`);
  await conn.query(`CREATE TABLE ${SRC}.bulk (id INT PRIMARY KEY, payload MEDIUMTEXT)`);
  await conn.query(`CREATE TABLE ${SRCB}.filtered (id INT PRIMARY KEY, status VARCHAR(10) NOT NULL, amount INT, secret VARCHAR(20))`);
  await conn.query(`INSERT INTO ${SRCB}.filtered VALUES (1, 'paid', 10, 's1'), (2, 'draft', 20, 's2'), (3, 'paid', 30, 's3')`);
  await conn.query(`CREATE TABLE ${SRCB}.nodelete (id INT PRIMARY KEY, v VARCHAR(10))`);
  await conn.query(`INSERT INTO ${SRCB}.nodelete VALUES (1, 'a'), (2, 'b')`);
  await conn.query(`CREATE TABLE ${SRCB}.conflict (id INT PRIMARY KEY, v VARCHAR(10))`);
  await conn.query(`INSERT INTO ${SRCB}.conflict VALUES (1, 'src'), (2, 'src2')`);
  // Already at the destination (conflictMode: ignore): the full load keeps it, incremental overwrites.
  await conn.query(`CREATE TABLE ${DSTB}.conflict (id INT PRIMARY KEY, v VARCHAR(10))`);
  await conn.query(`INSERT INTO ${DSTB}.conflict VALUES (1, 'dest-old')`);
  tidb = new FakeTidb(conn, SRC);
  tidbB = new FakeTidb(conn, SRCB);
  await createFeedTopic(TOPIC, 8 << 20);
  mkdirSync(path.join(cwd, 'migrations.d'));
  writeFileSync(path.join(cwd, 'migrations.d', 'tidb.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: ${NAME} }
spec:
${tidbSourceYaml(TOPIC)}
  destination: { type: mysql, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root, checkpointDatabase: ${CP}, batchRows: 50 }
  conflictMode: ignore
  precheck: { ignore: [source.primary-key] }
  objects:
    - database: ${SRC}
      target: ${DST}
    - database: ${SRCB}
      target: ${DSTB}
      tables:
        - name: filtered
          target: filtered_v2
          filter: "status <> 'draft'"
          columns: { exclude: [secret] }
          rename: { amount: total }
        - name: nodelete
          operations: [insert, update, ddl]
        - name: conflict
`);
});

afterAll(async () => {
  await conn.query(`DROP DATABASE IF EXISTS ${SRC}; DROP DATABASE IF EXISTS ${DST}; DROP DATABASE IF EXISTS ${SRCB}; DROP DATABASE IF EXISTS ${DSTB}; DROP DATABASE IF EXISTS ${CP}`);
  await conn.end();
  await deleteTopics([TOPIC]);
});

/** Every table of the whole-database pair holds the same rows (and columns) on both sides. */
async function expectSameDatabase(): Promise<void> {
  const tables = await tablesOf(conn, SRC);
  expect(await tablesOf(conn, DST)).toEqual(tables);
  for (const t of tables) expect(await dump(conn, DST, t), t).toEqual(await dump(conn, SRC, t));
}

async function expectMappedTables(): Promise<void> {
  expect(await dump(conn, DSTB, 'filtered_v2')).toEqual(await dump(conn, SRCB, 'filtered', 'id, status, amount AS total', "status <> 'draft'"));
  expect(await dump(conn, DSTB, 'conflict')).toEqual(await dump(conn, SRCB, 'conflict'));
}

describe('tidb-to-mysql', () => {
  it('validates, prechecks, plans and applies schema + full load', async () => {
    const v = await runMig(['validate'], { cwd });
    expect(v.code, v.stdout + v.stderr).toBe(0);
    const pc = await runMig(['precheck'], { cwd });
    expect(pc.code, pc.stdout + pc.stderr).toBe(0);
    expect(pc.stdout).toMatch(/source\.feed-topic/);
    const plan = await runMig(['plan'], { cwd });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain(`table ${SRC}.types → MySQL table ${DST}.types`);
    expect(plan.stdout).toContain(`table ${SRCB}.filtered → MySQL table ${DSTB}.filtered_v2`);

    const apply = await runMig(['apply', '--auto-approve'], { cwd });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/consistent snapshot at commit ts \d+/);
    expect(apply.stdout).toContain('kept (conflictMode: ignore)');
    startTs = BigInt(state().feed.startTs);
    ts = startTs;
    expect(apply.stdout).toContain(`transactions after commit ts ${startTs}`);
    await expectSameDatabase();
    // Full load under conflictMode ignore: the destination's own row 1 stays.
    expect(await dump(conn, DSTB, 'conflict')).toEqual([JSON.stringify([['id', '1'], ['v', 'dest-old']]), JSON.stringify([['id', '2'], ['v', 'src2']])]);
    expect(await dump(conn, DSTB, 'filtered_v2')).toEqual(await dump(conn, SRCB, 'filtered', 'id, status, amount AS total', "status <> 'draft'"));
  });

  it('applies the Drainer feed after the snapshot: destination equals source', async () => {
    const msgs: Buffer[] = [];
    // Committed at or before the snapshot (already in it): applying them would break equality.
    const cols = [{ name: 'id', type: 'int', pk: true }, { name: 'customer', type: 'varchar' }, { name: 'amount', type: 'decimal', flen: 10, decimal: 2 }];
    msgs.push(dml(startTs - 1n, [{ schema: SRC, table: 'orders', columns: cols, mutations: [{ type: 'insert', row: [i64(999), str('ghost'), str('1.00')] }] }]));
    msgs.push(dml(startTs, [{ schema: SRC, table: 'orders', columns: cols, mutations: [{ type: 'delete', row: [i64(1), str('ann'), str('10.50')] }] }]));

    // One transaction over three tables: insert, update, key change, delete, a keyless insert.
    await tidb.insert('orders', { id: 10, customer: 'dee', amount: '5.25' });
    await tidb.insert('items', { id: 100, order_id: 10, qty: 3 });
    await tidb.update('orders', { id: 1 }, { amount: '11.00' });
    await tidb.update('orders', { id: 2 }, { id: 20 });
    await tidb.delete('items', { id: 1 });
    await tidb.insert('events', { n: 2, note: 'second' });
    msgs.push(tidb.commit(nextTs()));

    // Every column type: new rows from each kind of value, an update to other values, a delete.
    const typeRows = await q<Record<string, unknown>>(`SELECT * FROM ${SRC}.types ORDER BY id`);
    for (const r of typeRows) await tidb.insert('types', { ...r, id: Number(r.id) + 10 } as never);
    const { id: _ignored, ...second } = typeRows[1]!;
    await tidb.update('types', { id: 1 }, second as never);
    await tidb.delete('types', { id: 2 });
    msgs.push(tidb.commit(nextTs()));

    // DDL, then rows in the new shape; a table created mid-stream joins the whole-database migration.
    msgs.push(await tidb.ddl(nextTs(), 'orders', "ALTER TABLE orders ADD COLUMN note VARCHAR(20) DEFAULT 'none'"));
    await tidb.update('orders', { id: 10 }, { note: 'hello' });
    await tidb.insert('orders', { id: 11, customer: 'eve', amount: null, note: 'new' });
    msgs.push(tidb.commit(nextTs()));
    // One transaction of ~2.4 MiB: over the 1 MiB default fetch size, Drainer never splits it.
    for (let i = 1; i <= 1200; i++) await tidb.insert('bulk', { id: i, payload: `${i}:`.padEnd(2000, 'x') });
    const big = tidb.commit(nextTs());
    expect(big.length).toBeGreaterThan(2 << 20);
    msgs.push(big);

    // Filter + rename + excluded column; an operation selection without delete; conflict overwrite.
    await tidbB.insert('filtered', { id: 10, status: 'draft', amount: 1, secret: 'x' });
    await tidbB.insert('filtered', { id: 11, status: 'paid', amount: 5, secret: 'y' });
    await tidbB.update('filtered', { id: 3 }, { amount: 33 });
    await tidbB.delete('filtered', { id: 1 });
    await tidbB.update('nodelete', { id: 1 }, { v: 'a2' });
    await tidbB.delete('nodelete', { id: 2 });
    await tidbB.insert('nodelete', { id: 3, v: 'c' });
    await tidbB.update('conflict', { id: 1 }, { v: 'src-new' });
    msgs.push(tidbB.commit(nextTs()));
    await produce(TOPIC, msgs);

    const run = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(`caught up: ${(msgs.length - 2).toLocaleString('en-US')} transaction(s) applied, 2 at or before the snapshot skipped`);

    await expectSameDatabase();
    await expectMappedTables();
    // Deletes are not replicated for nodelete: row 2 stays at the destination.
    expect(await dump(conn, DSTB, 'nodelete')).toEqual([...(await dump(conn, SRCB, 'nodelete')), JSON.stringify([['id', '2'], ['v', 'b']])].sort());
    const [cp] = await q(`SELECT kafka_offset, commit_ts FROM ${CP}.mig_checkpoint WHERE migration = ?`, [NAME]);
    expect(String(cp!.kafka_offset)).toBe(String(msgs.length - 1));
    expect(String(cp!.commit_ts)).toBe(String(ts));

    const status = await runMig(['status'], { cwd });
    expect(status.code, status.stdout + status.stderr).toBe(0);
    expect(status.stdout).toContain(`snapshot:   commit ts ${startTs}`);
    expect(status.stdout).toContain(`checkpoint: ${TOPIC}:0 offset ${msgs.length - 1} (commit ts ${ts})`);
    // The stand-in's commit ts is MariaDB's binlog offset, not a TSO with a physical time, so only the basis is asserted.
    expect(status.stdout).toMatch(/lag: +[\d.]+ s from the last change \(no heartbeat[^)]*\); caught up/);
    const plan = await runMig(['plan', '--detailed-exitcode'], { cwd });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });

  it('a table created while following joins the whole-database migration from its CREATE TABLE', async () => {
    const child = spawnMig(['apply', '--auto-approve', '--follow'], { cwd });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const until = async (what: () => Promise<boolean> | boolean, label: string) => {
      const deadline = Date.now() + 30_000;
      while (!(await what())) {
        if (Date.now() > deadline) throw new Error(`${label}: ${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until(() => out.includes('applying'), 'never started applying');
    const msgs = [await tidb.ddl(nextTs(), 'fresh', 'CREATE TABLE fresh (id INT PRIMARY KEY, v VARCHAR(10))')];
    await tidb.insert('fresh', { id: 1, v: 'one' });
    await tidb.insert('fresh', { id: 2, v: 'two' });
    await tidb.update('orders', { id: 10 }, { customer: 'deb' });
    msgs.push(tidb.commit(nextTs()));
    await produce(TOPIC, msgs);
    await until(async () => (await tablesOf(conn, DST)).includes('fresh') && (await dump(conn, DST, 'fresh')).length === 2, 'rows of the new table never arrived');
    child.kill('SIGTERM');
    expect(await exited, out).toBe(0);
    expect(out).toContain(`${SRC}.fresh: created on the source during incremental`);
    await expectSameDatabase();
    const plan = await runMig(['plan', '--detailed-exitcode'], { cwd });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });

  it('kill -9 while applying: after a re-run no transaction is applied twice or skipped', async () => {
    const base = Number((await q(`SELECT kafka_offset o FROM ${CP}.mig_checkpoint WHERE migration = ?`, [NAME]))[0]!.o);
    const N = 3000;
    const msgs: Buffer[] = [];
    // Keyless rows: a transaction applied twice shows as a duplicate row, a skipped one as a gap.
    for (let i = 0; i < N; i++) {
      await tidb.insert('events', { n: 1000 + i, note: `tx ${i}` });
      if (i % 7 === 0) await tidb.update('orders', { id: 10 }, { customer: `c${i}` });
      msgs.push(tidb.commit(nextTs()));
    }
    await produce(TOPIC, msgs);
    const child = spawnMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    const deadline = Date.now() + 60_000;
    let at = base;
    while (at < base + N / 3) {
      if (Date.now() > deadline) throw new Error(`apply never got a third through: ${out}`);
      await new Promise((r) => setTimeout(r, 10));
      at = Number((await q(`SELECT kafka_offset o FROM ${CP}.mig_checkpoint WHERE migration = ?`, [NAME]))[0]!.o);
    }
    child.kill('SIGKILL');
    await exited;
    const killedAt = Number((await q(`SELECT kafka_offset o FROM ${CP}.mig_checkpoint WHERE migration = ?`, [NAME]))[0]!.o);
    expect(killedAt).toBeLessThan(base + N);
    // The destination's rows agree with its checkpoint whatever the state file had recorded.
    const applied = Number((await q(`SELECT COUNT(*) c FROM ${DST}.events WHERE n >= 1000`))[0]!.c);
    expect(applied).toBe(killedAt - base);
    console.log(`tidb kill -9: checkpoint at ${killedAt - base}/${N} transactions, state file at ${state().feed.positions[`${TOPIC}:0`].offset - base}`);

    const again = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain(`from partition 0 offset ${killedAt + 1}`);
    expect(again.stdout).toContain(`caught up: ${(base + N - killedAt).toLocaleString('en-US')} transaction(s) applied`);
    await expectSameDatabase();
  });
});
