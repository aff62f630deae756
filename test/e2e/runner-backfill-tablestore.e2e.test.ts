// MariaDB → Tablestore with a runner: a table added while the stream runs is backfilled in watermark
// chunks, each written after the sink acknowledged it, under inserts, updates, deletes and key moves.
// The Tablestore tables end equal to the source, and the table that was there is not copied again.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { rootConnection, uniqueName, MYSQL_PORT } from '../integration/helpers/env.js';
import { startTablestoreServer, type TablestoreTestServer } from '../support/tablestore/index.js';
import { runMig } from './helpers/run-mig.js';
import { expectSameRows, tablestoreEnv, tablestoreSpec } from './helpers/tablestore.js';
import { fillLoadTable, LOAD_TABLE_COLUMNS, startUpdateBurst, startWriteLoad } from './helpers/write-load.js';
import { killIfRunning, leaseHolderPid, sleep, startMig, statusJson, statusOfMigration, waitUntil, type BackgroundMig } from './helpers/runner.js';
import { readMigState, startKeyMover, stopQuietly, WriterConnections } from './helpers/backfill.js';

const db = uniqueName('rbts');
const NAME = db.replace(/_/g, '-').slice(0, 63);
const ROWS = { a: 2000, c: 6000 };
const CHUNK = 500;
const MARKER_ID = 10_000_007;
let server: TablestoreTestServer;
let conn: Connection;
let cwd: string;
let env: Record<string, string>;
const writers = new WriterConnections(() => rootConnection());

const specText = (withC: boolean) => tablestoreSpec({
  name: NAME, port: MYSQL_PORT, server, chunkSize: CHUNK,
  objects: `    - database: ${db}\n      tables: [{ name: a }${withC ? ', { name: c }' : ''}]\n`,
});
const specFile = () => path.join(cwd, 'migrations.d', 'rbts.yaml');
const state = () => readMigState(cwd, NAME);

beforeAll(async () => {
  server = await startTablestoreServer();
  env = tablestoreEnv(server);
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  for (const t of ['a', 'c']) await conn.query(`CREATE TABLE ${db}.${t} (${LOAD_TABLE_COLUMNS})`);
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-rbts-'));
  mkdirSync(path.join(cwd, 'migrations.d'));
  writeFileSync(specFile(), specText(false));
});

afterAll(async () => {
  await writers.endAll();
  await conn?.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn?.end();
  await server?.close();
});

describe('mig run backfills an added table into Tablestore while streaming', () => {
  it('copies C under load with the stream running and ends equal to the source', { timeout: 120_000 }, async () => {
    const tables = { a: await fillLoadTable(conn, `${db}.a`, ROWS.a), c: await fillLoadTable(conn, `${db}.c`, ROWS.c) };
    const first = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd, env });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const aBefore = state().tables[`${db}.a`];
    expect(aBefore?.rowsCopied).toBe(ROWS.a);

    const runner: BackgroundMig = startMig(['run', NAME], { cwd, env });
    const load = startWriteLoad(await writers.next(), { tables: [tables.a, tables.c], perSecond: 150, insertShare: 0.3, deleteShare: 0.15 });
    const mover = startKeyMover(await writers.next(), `${db}.c`, ROWS.c, 30);
    const burst = startUpdateBurst(await writers.next(), tables.c, CHUNK, 40);
    // Stopped and killed even when an assertion fails.
    onTestFinished(async () => {
      await stopQuietly([load, mover, burst]);
      await killIfRunning(runner);
    });
    await waitUntil('the runner to hold the lease', 30_000, async () => (leaseHolderPid(statusOfMigration(await statusJson(cwd, ['--offline'], env), NAME)) === runner.pid ? true : undefined));
    await sleep(1500);

    writeFileSync(specFile(), specText(true));
    const applyStart = Date.now();
    const handed = await runMig(['apply', '--auto-approve', '--wait', '2m'], { cwd, env });
    expect(handed.code, `${handed.stdout}${handed.stderr}\n--- runner:\n${runner.output()}`).toBe(0);
    const done = await waitUntil('C backfilled', 60_000, () => (state().tables[`${db}.c`]?.backfill?.doneAt ? state() : undefined), 250);
    const backfillSeconds = (Date.now() - applyStart) / 1000;
    await Promise.all([load.stop(), mover.stop(), burst.stop()]);
    // Marker rows written last: once both are in Tablestore, every change before them is.
    for (const t of ['a', 'c']) await conn.query(`INSERT INTO ${db}.${t} (id, grp, n, note) VALUES (?, 0, 0, 'marker')`, [MARKER_ID]);
    await waitUntil('the marker rows in Tablestore', 60_000, () =>
      ['a', 'c'].every((t) => server.rows(t).some((r) => r.primaryKey.id === BigInt(MARKER_ID))) ? true : undefined, 200);

    const c = done.tables[`${db}.c`]!;
    const rowsA = await expectSameRows(server, conn, db, 'a');
    const rowsC = await expectSameRows(server, conn, db, 'c');
    console.log(
      `runner backfill tablestore: C backfilled in ${backfillSeconds.toFixed(1)} s after apply, ${c.backfill?.chunks} chunks, ${c.rowsCopied} rows copied, ` +
        `${c.backfill?.superseded} superseded; load ${load.ops.length} statements, ${mover.moved} key moves; rows A/C ${rowsA}/${rowsC}`,
    );
    expect(done.runner?.lastError ?? undefined).toBeUndefined();
    expect(c.backfill?.chunks).toBeGreaterThan(1);
    expect(typeof c.backfill?.superseded).toBe('number');
    expect(state().tables[`${db}.a`]?.fullDoneAt).toBe(aBefore?.fullDoneAt);
    expect(state().tables[`${db}.a`]?.rowsCopied).toBe(aBefore?.rowsCopied);
    expect(state().tables[`${db}.a`]?.backfill).toBeUndefined();
  });
});
