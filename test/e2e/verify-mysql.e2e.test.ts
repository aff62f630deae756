// mig verify against a MySQL destination, through the built binary: a copied migration verifies
// equal (checksums of several key-range chunks, a filter, a rename and an excluded column, a keyless
// table); then the destination is tampered with (a changed value, a missing row, an extra row, a
// wrong value in a renamed column, an extra keyless row) and verify names each difference with exit
// 3, in human, JSON and markdown form; finally a streaming migration under a steady write load
// verifies equal while the load runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { MYSQL_PORT, uniqueName } from '../integration/helpers/env.js';
import { runMig, spawnMig } from './helpers/run-mig.js';
import { textConnection } from './helpers/tidb.js';
import { fillLoadTable, LOAD_TABLE_COLUMNS } from './helpers/write-load.js';
import { verifyUnderLoad } from './helpers/verify-live.js';

const SRC = uniqueName('vsrc');
const DST = uniqueName('vdst');
const LSRC = uniqueName('vlsrc');
const LDST = uniqueName('vldst');
const CP = uniqueName('vcp');
const RSRC = uniqueName('vrsrc');
const RDST = uniqueName('vrdst');
let cwd: string;
let liveCwd: string;
let conn: Connection;

interface JsonTable { table: string; status: string; method: string; missing: number; extra: number; differing: number; sample: { kind: string; key: string | null; columns?: string[]; row?: Record<string, string | null> }[] }
interface JsonReport { equal: boolean; migrations: { migration: string; tables: JsonTable[] }[] }

/** A project holding one MariaDB → MySQL migration (both on the private server) with these lines under spec. */
function project(dir: string, name: string, spec: string): void {
  mkdirSync(path.join(dir, 'migrations.d'));
  const head = ['apiVersion: mig/v1', 'kind: Migration', `metadata: { name: ${name} }`, 'spec:',
    `  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }`,
    `  destination: { type: mysql, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root, checkpointDatabase: ${CP} }`];
  writeFileSync(path.join(dir, 'migrations.d', 'm.yaml'), `${head.join('\n')}\n${spec}`);
}

beforeAll(async () => {
  conn = await textConnection();
  await conn.query(`CREATE DATABASE ${SRC}`);
  await conn.query(`CREATE TABLE ${SRC}.orders (id INT PRIMARY KEY, customer VARCHAR(20) NOT NULL, amount DECIMAL(10,2), placed DATETIME(3), f FLOAT, note TEXT, raw VARBINARY(8))`);
  const values = Array.from({ length: 3000 }, (_, i) => `(${i + 1}, 'c${i % 97}', ${i % 5 === 0 ? 'NULL' : `${i}.25`}, '2026-01-02 03:04:05.${String(i % 1000).padStart(3, '0')}', ${i / 3}, ${i % 7 === 0 ? 'NULL' : `'é ${i}'`}, 0x00ff${(i % 256).toString(16).padStart(2, '0')})`);
  await conn.query(`INSERT INTO ${SRC}.orders VALUES ${values.join(', ')}`);
  await conn.query(`CREATE TABLE ${SRC}.people (id INT PRIMARY KEY, name VARCHAR(20), secret VARCHAR(10))`);
  await conn.query(`INSERT INTO ${SRC}.people VALUES (1, 'ann', 's1'), (2, 'bob', 's2'), (3, NULL, 's3')`);
  await conn.query(`CREATE TABLE ${SRC}.paid (id INT PRIMARY KEY, status VARCHAR(10) NOT NULL)`);
  await conn.query(`INSERT INTO ${SRC}.paid VALUES (1, 'paid'), (2, 'draft'), (3, 'paid')`);
  await conn.query(`CREATE TABLE ${SRC}.events (n INT, note VARCHAR(20))`);
  await conn.query(`INSERT INTO ${SRC}.events VALUES (1, 'a'), (1, 'a'), (2, NULL)`);
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-verify-'));
  project(cwd, 'verify-copy', `  types: [schema, full]
  objects:
    - database: ${SRC}
      target: ${DST}
      tables:
        - name: orders
        - name: people
          rename: { name: full_name }
          columns: { exclude: [secret] }
        - name: paid
          filter: "status = 'paid'"
        - name: events
  precheck: { ignore: [source.primary-key] }
`);
  const apply = await runMig(['apply', '--auto-approve'], { cwd });
  expect(apply.code, apply.stdout + apply.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  for (const db of [SRC, DST, LSRC, LDST, CP, RSRC, RDST]) await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.end();
});

describe('mig verify, MySQL destination', () => {
  it('an untouched copy verifies equal: checksums of key-range chunks, the filter, the rename and the excluded column', async () => {
    const r = await runMig(['verify', '--chunk-rows', '500', '--json'], { cwd });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as JsonReport & { migrations: { tables: (JsonTable & { chunks?: number; sourceRows: number })[] }[] };
    expect(report.equal).toBe(true);
    const byName = new Map(report.migrations[0]!.tables.map((t) => [t.table, t]));
    expect(byName.get(`${SRC}.orders`)).toMatchObject({ status: 'equal', method: 'checksum', sourceRows: 3000, chunks: 7 });
    expect(byName.get(`${SRC}.paid`)).toMatchObject({ status: 'equal', sourceRows: 2 });
    expect(byName.get(`${SRC}.events`)).toMatchObject({ status: 'equal', method: 'rows' });
    const human = await runMig(['verify'], { cwd });
    expect(human.code, human.stdout + human.stderr).toBe(0);
    expect(human.stdout).toContain(`✓ ${SRC}.orders → ${DST}.orders: equal (source 3,000 rows, destination 3,000`);
    expect(human.stdout).toContain('All 4 tables equal');
  });

  it('a tampered destination: verify names each difference and exits 3', async () => {
    await conn.query(`UPDATE ${DST}.orders SET note = 'tampered' WHERE id = 1500`);
    await conn.query(`DELETE FROM ${DST}.orders WHERE id = 10`);
    await conn.query(`INSERT INTO ${DST}.orders (id, customer) VALUES (99999, 'nobody')`);
    await conn.query(`UPDATE ${DST}.people SET full_name = 'wrong' WHERE id = 2`);
    await conn.query(`INSERT INTO ${DST}.events VALUES (2, NULL)`);
    const r = await runMig(['verify', 'verify-copy', '--chunk-rows', '500', '--json'], { cwd });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.equal).toBe(false);
    const byName = new Map(report.migrations[0]!.tables.map((t) => [t.table, t]));
    const orders = byName.get(`${SRC}.orders`)!;
    expect(orders).toMatchObject({ status: 'different', missing: 1, extra: 1, differing: 1 });
    expect(orders.sample).toEqual(expect.arrayContaining([
      { kind: 'missing', key: '["10"]' },
      { kind: 'differing', key: '["1500"]', columns: ['note'] },
      { kind: 'extra', key: '["99999"]' },
    ]));
    expect(byName.get(`${SRC}.people`)).toMatchObject({ status: 'different', differing: 1, sample: [{ kind: 'differing', key: '["2"]', columns: ['full_name'] }] });
    expect(byName.get(`${SRC}.events`)).toMatchObject({ status: 'different', extra: 1, sample: [{ kind: 'extra', key: null, row: { n: '2', note: null } }] });
    expect(byName.get(`${SRC}.paid`)!.status).toBe('equal');

    const human = await runMig(['verify', '--target', `${DST}.orders`, '--chunk-rows', '500'], { cwd });
    expect(human.code, human.stdout + human.stderr).toBe(3);
    expect(human.stdout).toContain(`✗ ${SRC}.orders → ${DST}.orders: different: 1 missing, 1 extra, 1 differing`);
    expect(human.stdout).toContain('differing key ["1500"]: note');
    expect(human.stdout).toContain('Differences found in 1 of 1 tables');
    expect(human.stdout).not.toContain('people');

    const md = await runMig(['verify', '--format', 'markdown'], { cwd });
    expect(md.code).toBe(3);
    expect(md.stdout).toContain('### mig verify: ❌ differences found');
    expect(md.stdout).toContain(`| \`${SRC}.people\` | \`${DST}.people\` | ❌ 1 differing |`);
  });

  it('FLOAT and DOUBLE rounded by source.floatPrecision / doublePrecision verify equal; a value off in the kept digits differs', async () => {
    // The migration wrote ROUND(col, n) into columns of the source's type: verify rounds both sides.
    await conn.query(`CREATE DATABASE ${RSRC}`);
    await conn.query(`CREATE TABLE ${RSRC}.m (id INT PRIMARY KEY, f FLOAT, d DOUBLE)`);
    await conn.query(`INSERT INTO ${RSRC}.m VALUES ${Array.from({ length: 200 }, (_, i) => `(${i + 1}, ${i} / 7, ${i} * 1.0000001 / 3)`).join(', ')}, (201, NULL, -0.004999)`);
    const dir = mkdtempSync(path.join(tmpdir(), 'mig-verify-round-'));
    project(dir, 'verify-round', `  types: [schema, full]
  objects: [{ database: ${RSRC}, target: ${RDST} }]
`);
    // The source line gets the rounding.
    const file = path.join(dir, 'migrations.d', 'm.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('user: root }', 'user: root, floatPrecision: 2, doublePrecision: 4 }'));
    const apply = await runMig(['apply', '--auto-approve'], { cwd: dir });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const [[stored]] = (await conn.query(`SELECT d FROM ${RDST}.m WHERE id = 101`)) as unknown as [[{ d: number | string }]];
    expect(Number(stored.d)).toBe(33.3333);
    const equal = await runMig(['verify', '--json'], { cwd: dir });
    expect(equal.code, equal.stdout + equal.stderr).toBe(0);
    await conn.query(`UPDATE ${RDST}.m SET d = d + 0.0001 WHERE id = 50`);
    const off = await runMig(['verify', '--json'], { cwd: dir });
    expect(off.code).toBe(3);
    const t = (JSON.parse(off.stdout) as JsonReport).migrations[0]!.tables[0]!;
    expect(t).toMatchObject({ differing: 1, sample: [{ kind: 'differing', key: '["50"]', columns: ['d'] }] });
  }, 120_000);

  it('an error under --json is one JSON object, exit 1', async () => {
    const r = await runMig(['verify', 'no-such-migration', '--json'], { cwd });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ type: 'error', code: 'migration-unknown' });
  });

  it('a streaming migration under a steady write load verifies equal while the load runs', async () => {
    await conn.query(`CREATE DATABASE ${LSRC}`);
    await conn.query(`CREATE TABLE ${LSRC}.hot (${LOAD_TABLE_COLUMNS})`);
    const hot = await fillLoadTable(conn, `${LSRC}.hot`, 5000);
    liveCwd = mkdtempSync(path.join(tmpdir(), 'mig-verify-live-'));
    project(liveCwd, 'verify-live', `  objects:
    - database: ${LSRC}
      target: ${LDST}
`);
    const live = await verifyUnderLoad(liveCwd, hot, ['--chunk-rows', '1000']);
    expect(live.verify.code, live.verify.stdout + live.verify.stderr + live.applyOutput).toBe(0);
    expect((JSON.parse(live.verify.stdout) as JsonReport).migrations[0]!.tables[0]).toMatchObject({ table: `${LSRC}.hot`, status: 'equal' });
    expect(live.ops).toBeGreaterThan(100);
  }, 180_000);

  it('differences of a migration that is behind are re-checked once it caught up: equal, and counted as settled', async () => {
    // The streaming process is frozen (SIGSTOP) while the source changes, so the destination is
    // certainly behind when verify first compares; it is thawed while verify waits for the catch-up.
    const db = uniqueName('vrsrc');
    await conn.query(`CREATE DATABASE ${db}; CREATE TABLE ${db}.t (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO ${db}.t VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
    const cwd = mkdtempSync(path.join(tmpdir(), 'mig-verify-recheck-'));
    project(cwd, 'verify-recheck', `  heartbeat: { enabled: true }\n  objects:\n    - database: ${db}\n      target: ${db}_dst\n`);
    const child = spawnMig(['apply', '-y', '--follow'], { cwd });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 60_000;
      while (!out.includes('streaming from')) {
        if (Date.now() > deadline) throw new Error(`never started streaming: ${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill('SIGSTOP');
      await conn.query(`INSERT INTO ${db}.t VALUES (4, 'd'); UPDATE ${db}.t SET v = 'bb' WHERE id = 2; DELETE FROM ${db}.t WHERE id = 3`);
      const verifying = runMig(['verify', 'verify-recheck', '--json', '--catch-up-timeout', '90s'], { cwd });
      await new Promise((r) => setTimeout(r, 4000));
      child.kill('SIGCONT');
      const r = await verifying;
      expect(r.code, r.stdout + r.stderr + out).toBe(0);
      const table = (JSON.parse(r.stdout) as JsonReport).migrations[0]!.tables[0]! as JsonTable & { settled?: number };
      expect(table).toMatchObject({ table: `${db}.t`, status: 'equal' });
      // The three keys differed at first and settled after the catch-up.
      expect(table.settled).toBe(3);
    } finally {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await exited;
      await conn.query(`DROP DATABASE IF EXISTS ${db}; DROP DATABASE IF EXISTS ${db}_dst`);
    }
  }, 180_000);
});
