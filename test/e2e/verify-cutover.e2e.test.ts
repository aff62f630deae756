// mig cutover through the built binary: a streaming MariaDB → MySQL migration is cut over while
// apply --follow runs it (lag under the threshold, the final position reached, every table verified,
// the cutover recorded in the state, kept by the runner's own writes and shown by mig status);
// --lock-source without approval stops before the source is touched; a destination that differs is
// not cut over (exit 3, nothing recorded).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { MYSQL_PORT, uniqueName } from '../integration/helpers/env.js';
import { runMig, spawnMig } from './helpers/run-mig.js';
import { textConnection } from './helpers/tidb.js';

const SRC = uniqueName('vcsrc');
const DST = uniqueName('vcdst');
const COPY = uniqueName('vccopy');
const CP = uniqueName('vccp');
let conn: Connection;

function project(name: string, types: string, target: string, extra = ''): string {
  const dir = mkdtempSync(path.join(tmpdir(), `mig-${name}-`));
  mkdirSync(path.join(dir, 'migrations.d'));
  writeFileSync(path.join(dir, 'migrations.d', 'm.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: ${name} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: { type: mysql, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root, checkpointDatabase: ${CP} }
  types: [${types}]
  objects: [{ database: ${SRC}, target: ${target} }]
${extra}`);
  return dir;
}

beforeAll(async () => {
  conn = await textConnection();
  await conn.query(`CREATE DATABASE ${SRC}`);
  await conn.query(`CREATE TABLE ${SRC}.orders (id INT PRIMARY KEY, v VARCHAR(20))`);
  await conn.query(`INSERT INTO ${SRC}.orders VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
});

afterAll(async () => {
  for (const db of [SRC, DST, COPY, CP]) await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.end();
});

describe('mig cutover', () => {
  it('a streaming migration is caught up, verified and its cutover recorded; status shows it', async () => {
    // The heartbeat moves the recorded position while the shared server's other writes carry nothing
    // for this migration, so the final catch-up takes seconds rather than the idle checkpoint's minute.
    const cwd = project('vc-live', 'schema, full, incremental', DST, '  heartbeat: { enabled: true }\n');
    const child = spawnMig(['apply', '--auto-approve', '--follow'], { cwd });
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
      await conn.query(`INSERT INTO ${SRC}.orders VALUES (4, 'd'); UPDATE ${SRC}.orders SET v = 'bb' WHERE id = 2`);

      // Without a terminal to approve it, --lock-source stops before anything runs on the source.
      const refused = await runMig(['cutover', 'vc-live', '--lock-source', '--max-lag', '60s'], { cwd });
      expect(refused.code, refused.stdout + refused.stderr).toBe(1);
      expect(refused.stdout).toContain('SET GLOBAL read_only = ON;');
      expect(refused.stderr).toContain('needs approval');
      const [ro] = await conn.query<RowDataPacket[]>('SELECT @@global.read_only AS r');
      expect(Number(ro[0]!.r)).toBe(0);

      mkdirSync(path.join(cwd, 'rollback', 'migrations.d'), { recursive: true });
      const reverseFile = path.join(cwd, 'rollback', 'migrations.d', 'vc-live-reverse.yaml');
      const r = await runMig(['cutover', 'vc-live', '--max-lag', '60s', '--timeout', '2m', '--json', '--reverse-spec', reverseFile], { cwd });
      expect(r.code, r.stdout + r.stderr + out).toBe(0);
      const result = JSON.parse(r.stdout) as { recorded: boolean; cutover: { tables: number; rows: number; position: string; sourceReadOnly: boolean } };
      expect(result).toMatchObject({ recorded: true, cutover: { tables: 1, rows: 4, sourceReadOnly: false } });
      expect(result.cutover.position).toMatch(/^.+\.\d+:\d+$/);
      expect(r.stderr).toContain("the migration has reached the source's position");
      // The rollback path: the destination's changes back to the source, names mapped back.
      const reverse = readFileSync(reverseFile, 'utf8');
      expect(reverse).toContain(`database: ${DST}`);
      expect(reverse).toContain(`target: ${SRC}`);
      expect(reverse).toMatch(/types:\n\s+- incremental/);
      const validate = await runMig(['validate', '--dir', path.join(cwd, 'rollback', 'migrations.d')], { cwd });
      expect(validate.code, validate.stdout + validate.stderr).toBe(0);
      const plan = await runMig(['plan', '--offline', '--dir', path.join(cwd, 'rollback', 'migrations.d'), '--state', path.join(cwd, 'rollback', 'state.json')], { cwd });
      expect(plan.stdout + plan.stderr).toContain('vc-live-reverse');

      // The runner keeps streaming and checkpointing; the record stays.
      await conn.query(`INSERT INTO ${SRC}.orders VALUES (5, 'e')`);
      await new Promise((res) => setTimeout(res, 3000));
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    const status = await runMig(['status', '--json', '--offline'], { cwd });
    expect(status.code, status.stdout + status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as { migrations: { cutover?: { tables: number } }[] }).migrations[0]!.cutover).toMatchObject({ tables: 1, rows: 4 });
    const human = await runMig(['status', '--offline'], { cwd });
    expect(human.stdout).toMatch(/cutover: {4}\S+ at \S+, 1 tables verified equal/);
  }, 180_000);

  it('a destination that differs is not cut over: exit 3, nothing recorded', async () => {
    const cwd = project('vc-copy', 'schema, full', COPY);
    const apply = await runMig(['apply', '--auto-approve'], { cwd });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    await conn.query(`DELETE FROM ${COPY}.orders WHERE id = 1`);
    const r = await runMig(['cutover', 'vc-copy'], { cwd });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toContain('missing   key ["1"]');
    expect(r.stdout).toContain('Cutover of vc-copy not recorded: the destination differs from the source.');
    const status = await runMig(['status', '--json', '--offline'], { cwd });
    expect((JSON.parse(status.stdout) as { migrations: { cutover?: unknown }[] }).migrations[0]!.cutover).toBeUndefined();
  }, 120_000);
});
