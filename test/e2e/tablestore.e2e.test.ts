// MySQL → Tablestore through the built mig, against the Tablestore test server started in this
// process (the mig child reaches it over HTTP): validate, precheck (passing and failing), plan,
// apply (tables created with their keys, full load), source changes streamed (key change, NULLs,
// a merged target, a refused row under dirtyData: skip, an ALTER reported), drift repaired, and
// every row in Tablestore compared with the source.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { rootConnection, uniqueName, MYSQL_PORT } from '../integration/helpers/env.js';
import { startTablestoreServer, type TablestoreTestServer } from '../support/tablestore/index.js';
import { sdkClient, TableStore } from '../support/tablestore/sdk.js';
import { runMig } from './helpers/run-mig.js';
import { expectSameRows, keyText, tablestoreEnv, tablestoreSpec } from './helpers/tablestore.js';

const db = uniqueName('tse2e');
const bad = `${db}_bad`;
const name = db.replace(/_/g, '-');
let server: TablestoreTestServer;
let conn: Connection;
let cwd: string;
let env: Record<string, string>;

function project(prefix: string, file: string, spec: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  mkdirSync(path.join(dir, 'migrations.d'));
  writeFileSync(path.join(dir, 'migrations.d', file), spec);
  return dir;
}

const mig = (args: string[], dir = cwd) => runMig(args, { cwd: dir, env });

beforeAll(async () => {
  server = await startTablestoreServer();
  env = tablestoreEnv(server);
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.orders (id BIGINT PRIMARY KEY, name VARCHAR(50), amount DECIMAL(12,2), ratio DOUBLE,
    created DATETIME(3), paid TIMESTAMP NULL, flag TINYINT(1), data BLOB, tags SET('a','b'), big BIGINT UNSIGNED)`);
  await conn.query(`CREATE TABLE ${db}.items (code VARCHAR(20) PRIMARY KEY, qty INT)`);
  await conn.query(`CREATE TABLE ${db}.part_a (id INT PRIMARY KEY, v VARCHAR(20))`);
  await conn.query(`CREATE TABLE ${db}.part_b (id INT PRIMARY KEY, v VARCHAR(20))`);
  const orders = Array.from({ length: 300 }, (_, i) => {
    const n = i + 1;
    const nul = n % 7 === 0;
    return [n, nul ? null : `name ${n}`, nul ? null : `${n}.25`, n / 8, `2024-03-0${(n % 9) + 1} 10:11:12.${String(n % 1000).padStart(3, '0')}`,
      nul ? null : '2024-05-06 07:08:09', n % 2, nul ? null : Buffer.from([n & 0xff, 0, 0xfe]), n % 3 === 0 ? 'a,b' : 'a', String(BigInt(n) * 1_000_000_007n)];
  });
  await conn.query(`INSERT INTO ${db}.orders VALUES ?`, [orders]);
  await conn.query(`INSERT INTO ${db}.items VALUES ('apple', 3), ('pear', 5), ('plum', NULL)`);
  await conn.query(`INSERT INTO ${db}.part_a VALUES (1, 'a1'), (2, 'a2')`);
  await conn.query(`INSERT INTO ${db}.part_b VALUES (1, 'b1'), (3, 'b3')`);
  cwd = project('mig-ts-e2e-', 'ts.yaml', tablestoreSpec({
    name, port: MYSQL_PORT, server, chunkSize: 40, destination: { dirtyData: 'skip' },
    objects: `    - database: ${db}
      tables:
        - name: orders
        - name: items
        - { name: part_a, target: parts }
        - { name: part_b, target: parts }
`,
  }));
});

afterAll(async () => {
  await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.query(`DROP DATABASE IF EXISTS ${bad}`);
  await conn.end();
  await server.close();
});

async function expectAllRows(skipKeys?: Set<string>): Promise<void> {
  await expectSameRows(server, conn, db, 'orders', { skipKeys });
  await expectSameRows(server, conn, db, 'items');
  await expectSameRows(server, conn, db, 'part_a', { target: 'parts', merge: '__dts_data_source' });
  await expectSameRows(server, conn, db, 'part_b', { target: 'parts', merge: '__dts_data_source' });
  expect(server.rows('parts').length).toBe((await conn.query(`SELECT (SELECT COUNT(*) FROM ${db}.part_a) + (SELECT COUNT(*) FROM ${db}.part_b) AS n`).then(([r]) => Number((r as { n: number }[])[0]!.n))));
}

describe('mig with a Tablestore destination', () => {
  it('refuses what Tablestore cannot take: one database per migration, key types, names, the 64-table limit', async () => {
    const two = project('mig-ts-two-', 'two.yaml', tablestoreSpec({ name: 'two-dbs', port: MYSQL_PORT, server, chunkSize: 10, objects: `    - database: ${db}\n    - database: ${bad}\n` }));
    const v = await mig(['validate'], two);
    expect(v.code, v.stdout + v.stderr).toBe(1);
    expect(v.stdout + v.stderr).toContain('a Tablestore migration reads one source database');

    // Another instance, already holding 63 tables: two more would pass the limit.
    const full = await startTablestoreServer();
    try {
      const client = sdkClient(full);
      for (let i = 0; i < 63; i++) {
        await client.createTable({ tableMeta: { tableName: `t${i}`, primaryKey: [{ name: 'id', type: 'INTEGER' }] }, reservedThroughput: { capacityUnit: { read: 0, write: 0 } }, tableOptions: { timeToLive: -1, maxVersions: 1 } });
      }
      await conn.query(`CREATE DATABASE ${bad}`);
      await conn.query(`CREATE TABLE ${bad}.fkey (k DOUBLE PRIMARY KEY, v INT)`);
      await conn.query(`CREATE TABLE ${bad}.tscol (id INT PRIMARY KEY, \`timestamp\` INT)`);
      await conn.query(`CREATE TABLE ${bad}.k5 (a INT, b INT, c INT, d INT, e INT, PRIMARY KEY (a, b, c, d, e))`);
      await conn.query(`CREATE TABLE ${bad}.\`bad-name\` (id INT PRIMARY KEY)`);
      const dir = project('mig-ts-bad-', 'bad.yaml', tablestoreSpec({ name: 'bad', port: MYSQL_PORT, server: full, chunkSize: 10, objects: `    - database: ${bad}\n` }));
      const p = await runMig(['precheck'], { cwd: dir, env: tablestoreEnv(full) });
      expect(p.code, p.stdout + p.stderr).toBe(1);
      expect(p.stdout).toMatch(/✗ destination\.tablestore-limits/);
      expect(p.stdout).toContain('key column k of');
      expect(p.stdout).toContain('no default Tablestore key type');
      expect(p.stdout).toContain('`timestamp`');
      expect(p.stdout).toContain('would need 5 primary-key columns');
      expect(p.stdout).toContain('the Tablestore table name "bad-name" for');
      expect(p.stdout).toContain('the instance has 63 table(s) and this migration adds 4: over the 64-table limit');
      const a = await runMig(['apply', '--auto-approve'], { cwd: dir, env: tablestoreEnv(full) });
      expect(a.code).toBe(1);
      expect(full.tables()).toHaveLength(63);
    } finally {
      await full.close();
    }
  });

  it('validate, precheck and plan: the tables to create and DDL not replicated', async () => {
    const v = await mig(['validate']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    const pc = await mig(['precheck']);
    expect(pc.code, pc.stdout + pc.stderr).toBe(0);
    expect(pc.stdout).toMatch(/✓ destination\.tablestore-limits +0 table\(s\) in the instance, 3 to create; every table maps/);
    const p = await mig(['plan', '--detailed-exitcode']);
    expect(p.code, p.stdout + p.stderr).toBe(2);
    expect(p.stdout).toContain('DDL is not replicated to Tablestore');
    expect(p.stdout).toContain(`+ table ${db}.part_a → Tablestore table parts`);
    for (const t of ['orders', 'items', 'parts']) expect(p.stdout).toContain(`+ Tablestore table ${t}`);
  });

  it('apply: tables created with their keys, then the full load', async () => {
    const a = await mig(['apply', '--auto-approve']);
    expect(a.code, a.stdout + a.stderr).toBe(0);
    expect(a.stdout).toContain('created Tablestore table orders (key id INTEGER)');
    expect(a.stdout).toContain('created Tablestore table parts (key id INTEGER, __dts_data_source STRING)');
    expect(server.describe('items')!.primaryKey).toEqual([{ name: 'code', type: 'STRING' }]);
    expect(server.describe('parts')!.primaryKey).toEqual([{ name: 'id', type: 'INTEGER' }, { name: '__dts_data_source', type: 'STRING' }]);
    expect(server.rows('orders')).toHaveLength(300);
    await expectAllRows();
  });

  it('streams INSERT/UPDATE/DELETE (key change, NULLs, merged target), reports an ALTER, records a refused row', async () => {
    // A column only Tablestore has: writeMode update (UpdateRow) keeps it across source updates.
    await sdkClient(server).putRow({ tableName: 'orders', condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null), primaryKey: [{ id: TableStore.Long.fromNumber(5) }], attributeColumns: [{ extra: 'kept' }] });
    await conn.query(`INSERT INTO ${db}.orders (id, name, amount, created) VALUES (1001, 'new', 1.5, '2025-01-01 00:00:00.500'), (1002, NULL, NULL, NULL)`);
    await conn.query(`UPDATE ${db}.orders SET name = NULL, amount = NULL, data = NULL, ratio = -0.5 WHERE id = 3`);
    await conn.query(`UPDATE ${db}.orders SET id = 5000, name = 'moved' WHERE id = 2`);
    await conn.query(`DELETE FROM ${db}.orders WHERE id IN (10, 11)`);
    await conn.query(`INSERT INTO ${db}.orders (id, name, big) VALUES (1003, 'too big', 18446744073709551615)`);
    await conn.query(`UPDATE ${db}.part_a SET id = 100 WHERE id = 1`);
    await conn.query(`INSERT INTO ${db}.part_b VALUES (2, 'b2')`);
    await conn.query(`DELETE FROM ${db}.part_b WHERE id = 3`);
    await conn.query(`ALTER TABLE ${db}.items ADD COLUMN note VARCHAR(20)`);
    await conn.query(`INSERT INTO ${db}.items VALUES ('fig', 1, 'after the alter')`);
    await conn.query(`UPDATE ${db}.items SET note = 'noted', qty = NULL WHERE code = 'apple'`);
    await conn.query(`UPDATE ${db}.orders SET name = 'renamed' WHERE id = 5`);

    const a = await mig(['apply', '--auto-approve', '--until-caught-up']);
    expect(a.code, a.stdout + a.stderr).toBe(0);
    expect(a.stdout).toContain(`${db}.items: warning: DDL is not replicated to Tablestore: ALTER TABLE ${db}.items ADD COLUMN note`);
    expect(a.stdout).toMatch(/skipped: insert with key id=1003: /);
    expect(a.stdout).toContain('caught up');

    const five = server.rows('orders').find((r) => r.primaryKey.id === 5n)!;
    expect(five.attributes.extra).toBe('kept');
    expect(five.attributes.name).toBe('renamed');
    // The test-only column aside, Tablestore now holds exactly the source (minus the refused row).
    await sdkClient(server).updateRow({ tableName: 'orders', condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null), primaryKey: [{ id: TableStore.Long.fromNumber(5) }], updateOfAttributeColumns: [{ DELETE_ALL: ['extra'] }] });
    expect(server.rows('items').find((r) => r.primaryKey.code === 'fig')!.attributes).toEqual({ qty: 1n, note: 'after the alter' });
    await expectAllRows(new Set([keyText({ id: 1003n })]));

    const st = await mig(['status', '--json']);
    expect(st.code, st.stderr).toBe(0);
    const status = JSON.parse(st.stdout) as { migrations: { skippedRows: { table: string; key: string; phase: string; error?: string }[]; tables: { table: string; phase: string }[] }[] };
    expect(status.migrations[0]!.skippedRows).toEqual([expect.objectContaining({ table: `${db}.orders`, key: 'id=1003', phase: 'incremental', error: expect.stringContaining('outside the signed 64-bit range') })]);
    expect(status.migrations[0]!.tables.every((t) => t.phase === 'incremental')).toBe(true);
    const human = await mig(['status', '--offline']);
    expect(human.stdout).toContain('id=1003');
    expect(human.stdout).toContain('outside the signed 64-bit range');
  });

  it('drift: a Tablestore table deleted behind mig is planned back and copied again', async () => {
    await sdkClient(server).deleteTable({ tableName: 'items' });
    const p = await mig(['plan', '--detailed-exitcode']);
    expect(p.code, p.stdout + p.stderr).toBe(2);
    expect(p.stdout).toContain('+ Tablestore table items  [re-snapshot, long-running]');
    expect(p.stdout).toContain('drift: the table was deleted outside mig; it is created again (key code STRING) and');
    expect(p.stdout).toContain(`-/+ table ${db}.items → Tablestore table items`);
    await conn.query(`INSERT INTO ${db}.items VALUES ('kiwi', 9, NULL)`);
    const a = await mig(['apply', '--auto-approve', '--until-caught-up']);
    expect(a.code, a.stdout + a.stderr).toBe(0);
    expect(a.stdout).toContain('created Tablestore table items (key code STRING)');
    await expectAllRows(new Set([keyText({ id: 1003n })]));
    const again = await mig(['plan', '--detailed-exitcode']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('No changes to the migrations');
  });

  it('a key the existing table does not have fails the precheck before apply resets anything', async () => {
    const file = path.join(cwd, 'migrations.d', 'ts.yaml');
    const spec = readFileSync(file, 'utf8');
    writeFileSync(file, spec.replace('        - name: items\n', '        - { name: items, primaryKey: [{ column: code, type: BINARY }] }\n'));
    const p = await mig(['plan']);
    expect(p.stdout).toContain("partition key (1st key column) code of table items is STRING; mig writes BINARY: Tablestore cannot change a table's key");
    const a = await mig(['apply', '--auto-approve']);
    expect(a.code).toBe(1);
    expect(a.stdout).not.toContain('reset for a new snapshot');
    writeFileSync(file, spec);
    const back = await mig(['plan', '--detailed-exitcode']);
    expect(back.code, back.stdout + back.stderr).toBe(0);
  });
});
