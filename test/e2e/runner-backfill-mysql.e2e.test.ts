// MariaDB → MySQL with a runner: a table added to a migration that streams is backfilled in watermark
// chunks while the stream runs, under inserts, updates, deletes and key moves on both tables, and each
// chunk is applied in one destination transaction with its high watermark's position. The destination
// ends equal to the source row for row, the table that was there is never copied again, and
// `apply --replace MIGRATION/DB.TABLE` without a runner re-copies the one table the same way.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { rootConnection, uniqueName, MYSQL_PORT } from '../integration/helpers/env.js';
import { runMig } from './helpers/run-mig.js';
import { dump } from './helpers/tidb.js';
import { fillLoadTable, LOAD_TABLE_COLUMNS, startUpdateBurst, startWriteLoad } from './helpers/write-load.js';
import { killIfRunning, leaseHolderPid, sleep, startMig, statusJson, statusOfMigration, waitUntil, type BackgroundMig } from './helpers/runner.js';
import { readMigState, startKeyMover, stopQuietly, WriterConnections } from './helpers/backfill.js';

const SRC = uniqueName('rbmsrc');
const DST = uniqueName('rbmdst');
const CP = uniqueName('rbmcp');
const NAME = SRC.replace(/_/g, '-').slice(0, 63);
const ROWS = { a: 3000, c: 12_000 };
// Small chunks: C's copy then takes many watermark windows, so changes land inside them.
const CHUNK = 500;
const MARKER_ID = 10_000_007;
let cwd: string;
let conn: Connection;
const writers = new WriterConnections(() => rootConnection());

function spec(withC: boolean): string {
  return `apiVersion: mig/v1
kind: Migration
metadata: { name: ${NAME} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: { type: mysql, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root, checkpointDatabase: ${CP}, batchRows: 200 }
  full: { chunkSize: ${CHUNK} }
  objects:
    - database: ${SRC}
      target: ${DST}
      tables:
        - name: a
${withC ? '        - name: c\n' : ''}`;
}
const specFile = () => path.join(cwd, 'migrations.d', 'rbm.yaml');
const state = () => readMigState(cwd, NAME);

beforeAll(async () => {
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-rbm-'));
  mkdirSync(path.join(cwd, 'migrations.d'));
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${SRC}`);
  for (const t of ['a', 'c']) await conn.query(`CREATE TABLE ${SRC}.${t} (${LOAD_TABLE_COLUMNS})`);
  writeFileSync(specFile(), spec(false));
});

afterAll(async () => {
  await writers.endAll();
  await conn?.query(`DROP DATABASE IF EXISTS ${SRC}; DROP DATABASE IF EXISTS ${DST}; DROP DATABASE IF EXISTS ${CP}`);
  await conn?.end();
});

/** Waits until a marker row written after the load reached both destination tables: everything before it has. */
async function waitCaughtUp(tag: number): Promise<void> {
  for (const t of ['a', 'c']) await conn.query(`INSERT INTO ${SRC}.${t} (id, grp, n, note) VALUES (?, 0, 0, 'marker')`, [MARKER_ID + tag]);
  await waitUntil('the marker rows at the destination', 60_000, async () => {
    const [rows] = await conn.query(`SELECT (SELECT COUNT(*) FROM ${DST}.a WHERE id = ?) + (SELECT COUNT(*) FROM ${DST}.c WHERE id = ?) AS n`, [MARKER_ID + tag, MARKER_ID + tag]);
    return Number((rows as { n: number }[])[0]!.n) === 2 ? true : undefined;
  }, 250);
}

async function expectSameTables(): Promise<{ a: number; c: number }> {
  const out = { a: 0, c: 0 };
  for (const t of ['a', 'c'] as const) {
    const want = await dump(conn, SRC, t);
    expect(await dump(conn, DST, t), t).toEqual(want);
    out[t] = want.length;
  }
  return out;
}

describe('mig run backfills an added table into MySQL while streaming', () => {
  it('copies C under load with the stream running, never A again; --replace re-copies C without a runner', { timeout: 150_000 }, async () => {
    const tables = { a: await fillLoadTable(conn, `${SRC}.a`, ROWS.a), c: await fillLoadTable(conn, `${SRC}.c`, ROWS.c) };
    const first = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const aBefore = state().tables[`${SRC}.a`];
    expect(aBefore?.fullDoneAt).toBeDefined();
    expect(aBefore?.rowsCopied).toBe(ROWS.a);

    let runner: BackgroundMig | undefined = startMig(['run', NAME], { cwd });
    const load = startWriteLoad(await writers.next(), { tables: [tables.a, tables.c], perSecond: 200, insertShare: 0.3, deleteShare: 0.15 });
    const mover = startKeyMover(await writers.next(), `${SRC}.c`, ROWS.c, 40);
    const burst = startUpdateBurst(await writers.next(), tables.c, CHUNK, 50);
    // Killed and stopped even when an assertion fails, so nothing keeps writing or streaming.
    onTestFinished(async () => {
      await stopQuietly([load, mover, burst]);
      await killIfRunning(runner);
    });
    await waitUntil('the runner to hold the lease', 30_000, async () => (leaseHolderPid(statusOfMigration(await statusJson(cwd, ['--offline']), NAME)) === runner!.pid ? true : undefined));
    await sleep(2000);

    writeFileSync(specFile(), spec(true));
    const applyStart = Date.now();
    const handed = await runMig(['apply', '--auto-approve', '--wait', '2m'], { cwd });
    expect(handed.code, `${handed.stdout}${handed.stderr}\n--- runner:\n${runner.output()}`).toBe(0);
    expect(handed.stdout).toContain(`pid ${runner.pid}`);
    const done = await waitUntil('C backfilled', 90_000, () => (state().tables[`${SRC}.c`]?.backfill?.doneAt ? state() : undefined), 250);
    const backfillSeconds = (Date.now() - applyStart) / 1000;
    await Promise.all([load.stop(), mover.stop(), burst.stop()]);
    await waitCaughtUp(0);

    const c = done.tables[`${SRC}.c`]!;
    const counts = await expectSameTables();
    console.log(
      `runner backfill mysql: C backfilled in ${backfillSeconds.toFixed(1)} s after apply, ${c.backfill?.chunks} chunks, ${c.rowsCopied} rows copied, ` +
        `${c.backfill?.superseded} chunk rows superseded (C's destination table origin: ${c.targetOrigin}); load ${load.ops.length} statements, ${mover.moved} key moves; rows A/C ${counts.a}/${counts.c}`,
    );
    expect(done.runner?.lastError ?? undefined).toBeUndefined();
    expect(c.backfill?.generation).toBe(done.generation);
    expect(c.backfill?.chunks).toBeGreaterThan(1);
    // The field is there whatever the race gave; the burst makes a count above 0 likely, not certain.
    expect(typeof c.backfill?.superseded).toBe('number');
    // A is never copied again.
    for (const m of [done, state()]) {
      expect(m.tables[`${SRC}.a`]?.fullDoneAt).toBe(aBefore?.fullDoneAt);
      expect(m.tables[`${SRC}.a`]?.rowsCopied).toBe(aBefore?.rowsCopied);
      expect(m.tables[`${SRC}.a`]?.backfill).toBeUndefined();
    }

    // Without a runner: one table re-copied by apply itself, while a short load writes.
    runner.child.kill('SIGTERM');
    const exit = await Promise.race([runner.exited, sleep(30_000).then(() => 'timeout' as const)]);
    expect(exit, runner.output()).toEqual({ code: 0, signal: null });
    runner = undefined;
    const load2 = startWriteLoad(await writers.next(), { tables: [tables.a, tables.c], perSecond: 150, insertShare: 0.3, deleteShare: 0.15, seed: 99 });
    const mover2 = startKeyMover(await writers.next(), `${SRC}.c`, ROWS.c, 30, 2_000_000);
    onTestFinished(async () => {
      await stopQuietly([load2, mover2]);
    });
    const replaceStart = Date.now();
    const replaced = runMig(['apply', '--replace', `${NAME}/${SRC}.c`, '--auto-approve', '--until-caught-up'], { cwd });
    await sleep(3000);
    await Promise.all([load2.stop(), mover2.stop()]);
    const r = await replaced;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const replaceSeconds = (Date.now() - replaceStart) / 1000;
    // Writes after apply returned are picked up by a second catch-up run before comparing.
    const again = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const after = state();
    const cAfter = after.tables[`${SRC}.c`]!;
    const counts2 = await expectSameTables();
    console.log(
      `runner backfill mysql: --replace C took ${replaceSeconds.toFixed(1)} s, ${cAfter.backfill?.chunks} chunks, ${cAfter.backfill?.superseded} superseded; ` +
        `load ${load2.ops.length} statements, ${mover2.moved} key moves; rows A/C ${counts2.a}/${counts2.c}`,
    );
    expect(cAfter.backfill?.doneAt).toBeDefined();
    expect(cAfter.backfill?.startedAt).not.toBe(c.backfill?.startedAt);
    expect(after.tables[`${SRC}.a`]?.fullDoneAt).toBe(aBefore?.fullDoneAt);
    expect(after.tables[`${SRC}.a`]?.rowsCopied).toBe(aBefore?.rowsCopied);
  });
});
