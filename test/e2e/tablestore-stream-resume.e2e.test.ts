// apply --follow into Tablestore killed with SIGKILL while the source keeps changing (inserts,
// updates setting and clearing columns, deletes, key changes), then apply --until-caught-up: the
// changes after the last checkpoint are replayed, and since every write is idempotent in order per
// key, Tablestore ends with exactly the source's rows. writeMode update (the default): an UpdateRow
// replayed over a later state must still converge, which only holds if no change is skipped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { rootConnection, uniqueName, MYSQL_PORT } from '../integration/helpers/env.js';
import { startTablestoreServer, type TablestoreTestServer } from '../support/tablestore/index.js';
import { runMig, spawnMig } from './helpers/run-mig.js';
import { expectSameRows, tablestoreEnv, tablestoreSpec } from './helpers/tablestore.js';

const BASE = 2000;
const db = uniqueName('tsstream');
let server: TablestoreTestServer;
let conn: Connection;
let cwd: string;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startTablestoreServer();
  env = tablestoreEnv(server);
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.t (id INT PRIMARY KEY, v INT NOT NULL, note VARCHAR(40), amount DECIMAL(10,2))`);
  const rows = Array.from({ length: BASE }, (_, i) => [i + 1, 0, `row ${i + 1}`, `${i}.50`]);
  await conn.query(`INSERT INTO ${db}.t VALUES ?`, [rows]);
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-ts-stream-'));
  mkdirSync(path.join(cwd, 'migrations.d'));
  writeFileSync(path.join(cwd, 'migrations.d', 's.yaml'), tablestoreSpec({
    name: 'ts-stream', port: MYSQL_PORT, server, chunkSize: 500,
    objects: `    - database: ${db}\n      tables: [{ name: t }]\n`,
  }));
});

afterAll(async () => {
  await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.end();
  await server.close();
});

/**
 * One round of changes: 20 new rows, an update of one of them and of an old row (a column cleared
 * on every other round), a delete, and a key change. Rows keep distinct ids across rounds.
 */
async function round(n: number): Promise<void> {
  const first = BASE + n * 20 + 1;
  const batch = Array.from({ length: 20 }, (_, i) => [first + i, n, `new ${first + i}`, null]);
  await conn.query(`INSERT INTO ${db}.t VALUES ?`, [batch]);
  await conn.query(`UPDATE ${db}.t SET v = v + 1, amount = ? WHERE id IN (?, ?)`, [n % 2 ? null : `${n}.25`, first, (n % BASE) + 1]);
  await conn.query(`DELETE FROM ${db}.t WHERE id = ?`, [first + 1]);
  await conn.query(`UPDATE ${db}.t SET id = id + 1000000, note = 'moved' WHERE id = ?`, [first + 2]);
}

describe('Tablestore: kill -9 while streaming', () => {
  it('replays from the checkpoint after a crash and converges to the source rows', async () => {
    const first = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd, env });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(server.rows('t')).toHaveLength(BASE);

    const follow = spawnMig(['apply', '--auto-approve', '--follow'], { cwd, env });
    let out = '';
    follow.stdout!.on('data', (d) => (out += d));
    follow.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<void>((r) => follow.on('exit', () => r()));
    let stop = false;
    let rounds = 0;
    const writes = (async () => {
      while (!stop) await round(rounds++);
    })();
    try {
      // Kill once mig has written a good part of the stream, with changes still coming.
      const deadline = Date.now() + 20_000;
      while (server.rows('t').length < BASE + 600) {
        if (Date.now() > deadline) throw new Error(`streaming never got going: ${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      follow.kill('SIGKILL');
      await exited;
      // Changes keep landing in the binlog while mig is down.
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      stop = true;
      await writes;
    }
    const atKill = server.rows('t').length;

    const again = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd, env });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('which is no longer running; resuming from its checkpoints');
    expect(again.stdout).toContain('caught up');
    const n = await expectSameRows(server, conn, db, 't');
    // Each round adds 20 rows and deletes one (the moved row keeps its count).
    expect(n).toBe(BASE + rounds * 19);
    console.log(`Tablestore streaming kill -9: ${rounds} rounds of changes (${rounds * 24} row events), ${atKill} rows at the kill, ${n} at the end`);

    const plan = await runMig(['plan', '--detailed-exitcode'], { cwd, env });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });
});
