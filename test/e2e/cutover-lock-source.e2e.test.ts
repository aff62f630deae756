// mig cutover --lock-source for real, on a MariaDB of this file's own (read_only is a global
// setting every other test file would feel on the shared server): the source is made read-only
// after approval, the stream reaches its final position, every table verifies equal and the cutover
// is recorded with sourceReadOnly; an ordinary application user can no longer write the source.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { runMig, spawnMig } from './helpers/run-mig.js';
import { startPrivateMariadb, type PrivateMariadb } from './helpers/private-mariadb.js';

let server: PrivateMariadb;
let conn: Connection;

beforeAll(async () => {
  server = await startPrivateMariadb();
  conn = await server.connection();
  await conn.query('CREATE DATABASE shop; CREATE TABLE shop.orders (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO shop.orders VALUES (1, "a"), (2, "b")');
  // The application: no SUPER or READ_ONLY ADMIN, so read_only applies to it.
  await conn.query("CREATE USER app@'%' IDENTIFIED BY 'app-secret-1'; GRANT INSERT, SELECT ON shop.* TO app@'%'");
}, 180_000);

afterAll(async () => {
  await conn?.end();
  await server?.stop();
});

describe('mig cutover --lock-source', () => {
  it('makes the source read-only, waits for the final position, verifies and records it', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'mig-cutover-lock-'));
    mkdirSync(path.join(cwd, 'migrations.d'));
    writeFileSync(path.join(cwd, 'migrations.d', 'm.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: lock-me }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${server.port}, user: root }
  destination: { type: mysql, host: 127.0.0.1, port: ${server.port}, user: root, checkpointDatabase: mig_cp }
  types: [schema, full, incremental]
  objects: [{ database: shop, target: shop_copy }]
  heartbeat: { enabled: true }
`);
    const child = spawnMig(['apply', '-y', '--follow'], { cwd });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const app = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'app', password: 'app-secret-1' });
    try {
      const deadline = Date.now() + 60_000;
      while (!out.includes('streaming from')) {
        if (Date.now() > deadline) throw new Error(`never started streaming: ${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await app.query('INSERT INTO shop.orders VALUES (3, "c"), (4, "d")');

      const r = await runMig(['cutover', 'lock-me', '--lock-source', '-y', '--max-lag', '60s', '--timeout', '2m', '--json'], { cwd });
      expect(r.code, r.stdout + r.stderr + out).toBe(0);
      const result = JSON.parse(r.stdout) as { recorded: boolean; cutover: { tables: number; rows: number; sourceReadOnly: boolean } };
      expect(result).toMatchObject({ recorded: true, cutover: { tables: 1, rows: 4, sourceReadOnly: true } });

      const [ro] = await conn.query<RowDataPacket[]>('SELECT @@global.read_only AS r');
      expect(Number(ro[0]!.r)).toBe(1);
      await expect(app.query('INSERT INTO shop.orders VALUES (5, "e")')).rejects.toThrow(/read-only|READ.ONLY/i);
      const [rows] = await conn.query<RowDataPacket[]>('SELECT id, v FROM shop_copy.orders ORDER BY id');
      expect(rows.map((x) => `${x.id}:${x.v}`)).toEqual(['1:a', '2:b', '3:c', '4:d']);
    } finally {
      await app.end();
      child.kill('SIGTERM');
      await exited;
    }
    const status = await runMig(['status', '--offline'], { cwd });
    expect(status.stdout).toMatch(/cutover: {4}\S+ at \S+, 1 tables verified equal/);
  }, 240_000);
});
