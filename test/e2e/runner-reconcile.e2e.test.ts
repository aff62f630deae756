// A runner (`mig run`) reconciling a changed spec while it streams, as a CI job would change it: under
// a steady write load, a table is added (backfilled with watermark chunks while the stream runs) and
// another's row filter changes (only that table re-snapshotted). The table left alone is never copied
// again, and every topic's last state per key ends equal to the source.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { rootConnection, uniqueName, MYSQL_PORT, KAFKA_BROKERS } from '../integration/helpers/env.js';
import { runMig } from './helpers/run-mig.js';
import { fillLoadTable, LOAD_TABLE_COLUMNS, loadGroup, startUpdateBurst, startWriteLoad, type UpdateBurst, type WriteLoad } from './helpers/write-load.js';
import {
  endOffsets,
  isObject,
  killIfRunning,
  lastStateByKey,
  leaseHolderPid,
  loadRowText,
  readCanal,
  rowId,
  sleep,
  snapshotRowsAfter,
  startMig,
  statusJson,
  statusOfMigration,
  waitForMessage,
  waitUntil,
  writtenAfter,
  type BackgroundMig,
  type Json,
} from './helpers/runner.js';

const db = uniqueName('reconcile');
const name = db.replace(/_/g, '-').slice(0, 63);
const topicOf = (t: string) => `${db}.${t}`;
const ROWS = { a: 5000, b: 5000, c: 30_000 };
// Small chunks: C's backfill then takes many watermark windows, so the load changes C inside them.
const CHUNK = 500;
// B's filter before and after the edit. `grp` never changes (helpers/write-load.ts), so groups 0-2 match
// only the old filter, 3-4 both, 5-9 only the new one.
const OLD_FILTER = 'grp < 5';
const NEW_FILTER = 'grp >= 3';
const matchesNew = (grp: number) => grp >= 3;
// Marker rows written after the load stopped; ids far above the load's, in a group the new filter takes.
const MARKER_ID = 10_000_007;

let cwd: string;
let conn: Connection;
let loadConn: Connection;
let burstConn: Connection;
let runner: BackgroundMig | undefined;
let load: WriteLoad | undefined;
let burst: UpdateBurst | undefined;

// The state fields this test reads (file backend, .mig/state.json), typed as the feature contract
// names them; everything is optional so a missing field fails an assertion rather than a cast.
interface TableSt {
  phase?: string;
  rowsCopied?: number;
  fullDoneAt?: string;
  backfill?: { generation?: number; startedAt?: string; doneAt?: string; chunks?: number; superseded?: number };
}
interface MigSt {
  generation?: number;
  observedGeneration?: number;
  desired?: Json;
  runner?: { status?: string; pid?: number; host?: string; updatedAt?: string; reconciling?: Json; lastError?: Json };
  snapshot?: { position?: Json };
  tables: Record<string, TableSt>;
}

function readState(): MigSt {
  const s = JSON.parse(readFileSync(path.join(cwd, '.mig', 'state.json'), 'utf8')) as { migrations: Record<string, MigSt> };
  const m = s.migrations[name];
  if (!m) throw new Error(`no migration ${name} in the state`);
  return m;
}

function spec(withC: boolean, bFilter: string): string {
  return `apiVersion: mig/v1
kind: Migration
metadata: { name: ${name} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: { type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${topicOf('all')}, ddlTopic: ${topicOf('ddl')}, format: canal-json }
  full: { chunkSize: ${CHUNK} }
  objects:
    - database: ${db}
      tables:
        - { name: a, topic: ${topicOf('a')} }
        - { name: b, topic: ${topicOf('b')}, filter: "${bFilter}" }
${withC ? `        - { name: c, topic: ${topicOf('c')} }\n` : ''}`;
}

const specFile = () => path.join(cwd, 'migrations.d', 'reconcile.yaml');

beforeAll(async () => {
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-reconcile-'));
  mkdirSync(path.join(cwd, 'migrations.d'));
  conn = await rootConnection();
  loadConn = await rootConnection();
  burstConn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  for (const t of ['a', 'b', 'c']) await conn.query(`CREATE TABLE ${db}.${t} (${LOAD_TABLE_COLUMNS})`);
  writeFileSync(specFile(), spec(false, OLD_FILTER));
});

afterAll(async () => {
  await load?.stop().catch(() => undefined);
  await burst?.stop().catch(() => undefined);
  await killIfRunning(runner);
  await loadConn?.end();
  await burstConn?.end();
  await conn?.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn?.end();
});

async function sourceRows(table: string): Promise<Map<number, ReturnType<typeof loadRowText>>> {
  const [rows] = await conn.query(`SELECT id, grp, n, note FROM ${db}.${table}`);
  return new Map((rows as { id: number; grp: number; n: number; note: string }[]).map((r) => [Number(r.id), loadRowText(r)]));
}

describe('mig run reconciles a changed spec while streaming', () => {
  it('adds a table by backfill, re-snapshots only the refiltered one, and every topic ends equal to the source', { timeout: 180_000 }, async () => {
    const tables = {
      a: await fillLoadTable(conn, `${db}.a`, ROWS.a),
      b: await fillLoadTable(conn, `${db}.b`, ROWS.b),
      c: await fillLoadTable(conn, `${db}.c`, ROWS.c),
    };
    // The load runs from before the first apply to the end: the full load, the runner's start, the
    // reconcile and the backfill all happen under it.
    load = startWriteLoad(loadConn, { tables: [tables.a, tables.b, tables.c], perSecond: 300, insertShare: 0.3, deleteShare: 0.15 });

    const first = await runMig(['apply', '--auto-approve'], { cwd });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const before = readState();
    const aBefore = before.tables[`${db}.a`];
    expect(aBefore?.fullDoneAt, JSON.stringify(before.tables)).toBeDefined();
    // Rows deleted by the load before the snapshot are not copied: most of A's rows, not all of them.
    expect(aBefore?.rowsCopied).toBeGreaterThan(ROWS.a * 0.9);
    const snapshotBefore = JSON.stringify(before.snapshot?.position);
    expect(before.snapshot?.position).toBeDefined();
    const genBefore = before.generation;

    // Anything on A's topic from here on was written by the runner: none of it may be a snapshot row.
    const aEndAtRunnerStart = await endOffsets(topicOf('a'));
    const bEndAtRunnerStart = await endOffsets(topicOf('b'));
    runner = startMig(['run', name], { cwd });
    await runner.waitForOutput(/lease/i, 30_000);
    // The runner holds the lease once status names it; then it streams for a while before the edit.
    await waitUntil('the runner to hold the lease', 30_000, async () => (leaseHolderPid(statusOfMigration(await statusJson(cwd, ['--offline']), name)) === runner!.pid ? true : undefined));
    await sleep(3000);

    // The CI job's edit: C joins, B's filter changes. Then apply hands the new generation to the runner.
    writeFileSync(specFile(), spec(true, NEW_FILTER));
    // Next to the paced load, a burst of updates on C while it is copied, one row per chunk-sized id
    // range in each statement, so that changes land inside chunk windows and the copy has chunk rows
    // to drop (backfill.superseded): the paced load alone rarely hits the one chunk being read.
    burst = startUpdateBurst(burstConn, tables.c, CHUNK, 100);
    const applyStart = Date.now();
    const handed = await runMig(['apply', '--auto-approve', '--wait', '2m'], { cwd });
    const reconcileSeconds = (Date.now() - applyStart) / 1000;
    expect(handed.code, `${handed.stdout}${handed.stderr}\n--- the runner's output:\n${runner.output()}`).toBe(0);
    // It says the running runner takes the generation, naming it.
    expect(handed.stdout).toMatch(/runner/i);
    expect(handed.stdout).toContain(`pid ${runner.pid}`);
    expect(runner.running(), runner.output()).toBe(true);

    const after = readState();
    expect(after.generation, JSON.stringify({ generation: after.generation, observed: after.observedGeneration, runner: after.runner })).toBeDefined();
    if (genBefore !== undefined) expect(after.generation).toBeGreaterThan(genBefore);
    expect(after.observedGeneration).toBe(after.generation);
    // `desired` is there only while a generation waits for the runner.
    expect(after.desired).toBeUndefined();
    expect(after.runner?.pid).toBe(runner.pid);
    expect(after.runner?.lastError ?? undefined).toBeUndefined();
    // C: backfilled under the stream. "Observed" means the runner took the generation up (as a
    // controller's observedGeneration); the backfill and the re-snapshot may still be running, so their
    // end is awaited in the state.
    const done = await waitUntil('the backfills of the new generation to finish', 90_000, () => {
      const m = readState();
      const open = Object.entries(m.tables).filter(([, t]) => t.backfill && !t.backfill.doneAt);
      return m.tables[`${db}.c`]?.backfill?.doneAt && open.length === 0 ? m : undefined;
    }, 250);
    const backfilledSeconds = (Date.now() - applyStart) / 1000;
    await burst.stop();
    expect(done.observedGeneration).toBe(done.generation);
    expect(done.runner?.lastError ?? undefined).toBeUndefined();
    // A: not copied again, and the stream still starts from the first snapshot.
    for (const m of [after, done]) {
      expect(m.tables[`${db}.a`]?.fullDoneAt).toBe(aBefore?.fullDoneAt);
      expect(m.tables[`${db}.a`]?.rowsCopied).toBe(aBefore?.rowsCopied);
      expect(m.tables[`${db}.a`]?.backfill).toBeUndefined();
      expect(JSON.stringify(m.snapshot?.position)).toBe(snapshotBefore);
    }
    const cState = done.tables[`${db}.c`];
    expect(cState?.backfill?.doneAt, JSON.stringify(cState)).toBeDefined();
    expect(cState?.backfill?.startedAt).toBeDefined();
    expect(cState?.backfill?.generation).toBe(after.generation);
    // Whatever chunk size the backfill uses, 30,000 rows take several watermark windows.
    expect(cState?.backfill?.chunks).toBeGreaterThan(1);
    const backfillStart = Date.parse(cState!.backfill!.startedAt!);
    const backfillEnd = Date.parse(cState!.backfill!.doneAt!);
    const inBackfill = (o: { at: number }) => o.at >= backfillStart && o.at <= backfillEnd;
    const loadChanges = load.ops.filter((o) => o.table === `${db}.c` && inBackfill(o)).length;
    const burstChanges = burst.statements.filter(inBackfill).reduce((n, st) => n + st.rows, 0);
    const changesDuringBackfill = loadChanges + burstChanges;
    // Printed before asserting on it, so the figures are in the output even when a check fails.
    console.log(
      `runner reconcile: apply --wait returned after ${reconcileSeconds.toFixed(1)} s (generation ${after.generation}), backfills done after ${backfilledSeconds.toFixed(1)} s; ` +
        `C backfill of ${ROWS.c} rows in ${((backfillEnd - backfillStart) / 1000).toFixed(1)} s, ${cState?.backfill?.chunks} chunks, ` +
        `${cState?.backfill?.superseded} chunk rows superseded; changes during the backfill: ${changesDuringBackfill} ` +
        `(${loadChanges} from the paced load, ${burstChanges} rows from ${burst.statements.filter(inBackfill).length} burst statements)`,
    );
    expect(changesDuringBackfill).toBeGreaterThan(0);
    // The burst puts changes inside chunk windows in every run (19 to 65 chunk rows dropped in the
    // runs so far); none dropped would mean the window check never ran.
    expect(cState?.backfill?.superseded).toBeGreaterThan(0);

    const st = statusOfMigration(await statusJson(cwd, ['--offline']), name);
    const gen = st?.generation;
    expect(isObject(gen) ? { desired: gen.desired, observed: gen.observed } : gen, JSON.stringify(st)).toEqual({ desired: after.generation, observed: after.generation });
    expect(isObject(st?.runner), JSON.stringify(st)).toBe(true);
    expect(leaseHolderPid(st)).toBe(runner.pid);

    // From a moment after the runner reported the generation, B's old-only groups get nothing more.
    await sleep(3000);
    const bEndAfterSwitch = await endOffsets(topicOf('b'));
    await sleep(2000);
    await load.stop();
    const loadOps = load.ops.length;
    const loadSeconds = (load.ops[load.ops.length - 1]!.at - load.ops[0]!.at) / 1000;

    // Marker rows, written last: once each has reached its topic, every change before it has too
    // (one partition per topic, and the runner writes a topic's changes in binlog order).
    const beforeMarkers = await Promise.all(['a', 'b', 'c'].map((t) => endOffsets(topicOf(t))));
    for (const t of ['a', 'b', 'c']) await conn.query(`INSERT INTO ${db}.${t} (id, grp, n, note) VALUES (?, ?, 0, 'marker')`, [MARKER_ID, loadGroup(MARKER_ID)]);
    const isMarker = (m: { data: Record<string, string | null>[] | null }) => m.data?.[0]?.id === String(MARKER_ID);
    await Promise.all(['a', 'b', 'c'].map((t, i) => waitForMessage(topicOf(t), beforeMarkers[i]!, isMarker, 60_000)));

    const stopAt = Date.now();
    runner.child.kill('SIGTERM');
    const exit = await Promise.race([runner.exited, sleep(30_000).then(() => 'timeout' as const)]);
    expect(exit, runner.output()).toEqual({ code: 0, signal: null });
    const stopSeconds = (Date.now() - stopAt) / 1000;
    // A planned stop hands the lease back at once rather than letting it lapse.
    const stopped = statusOfMigration(await statusJson(cwd, ['--offline']), name);
    expect(stopped?.lease, JSON.stringify(stopped)).toBeUndefined();

    const [aMsgs, bMsgs, cMsgs] = await Promise.all([readCanal(topicOf('a')), readCanal(topicOf('b')), readCanal(topicOf('c'))]);
    const [aSrc, bSrc, cSrc] = await Promise.all([sourceRows('a'), sourceRows('b'), sourceRows('c')]);
    const aFullAfter = snapshotRowsAfter(aMsgs, aEndAtRunnerStart, ROWS.a);
    const bFullAfter = snapshotRowsAfter(bMsgs, bEndAtRunnerStart, ROWS.b);
    console.log(
      `runner reconcile: snapshot rows after the runner started A/B ${aFullAfter.length}/${bFullAfter.length}; ` +
        `load ${loadOps} statements in ${loadSeconds.toFixed(0)} s; messages A/B/C ${aMsgs.length}/${bMsgs.length}/${cMsgs.length}; ` +
        `SIGTERM to exit ${stopSeconds.toFixed(1)} s`,
    );

    // Every topic, replayed, equals its table at the source (B under the new filter).
    for (const [src, msgs] of [[aSrc, aMsgs], [cSrc, cMsgs]] as const) {
      const got = new Map([...lastStateByKey(msgs)].map(([id, r]) => [id, loadRowText(r)]));
      // Compared as sorted entries: a difference names the keys, not just the counts.
      expect([...got].sort((x, y) => x[0] - y[0])).toEqual([...src].sort((x, y) => x[0] - y[0]));
    }
    const bGot = new Map([...lastStateByKey(bMsgs)].filter(([, r]) => matchesNew(Number(r.grp))).map(([id, r]) => [id, loadRowText(r)]));
    const bWant = new Map([...bSrc].filter(([, r]) => matchesNew(Number(r.grp))));
    expect([...bGot].sort((x, y) => x[0] - y[0])).toEqual([...bWant].sort((x, y) => x[0] - y[0]));

    // A was never copied again: no snapshot row after the runner started.
    expect(aFullAfter.length, `snapshot rows on A after the runner started, e.g. ${aFullAfter[0]?.value}`).toBe(0);
    // B was re-snapshotted under the new filter only: its new snapshot rows are all in groups it takes.
    expect(bFullAfter.length).toBeGreaterThan(0);
    expect(bFullAfter.filter((m) => !matchesNew(Number(m.msg.data![0]!.grp))).map((m) => rowId(m.msg))).toEqual([]);
    // Once the runner observed the new generation, the old filter's rows are no longer written.
    const bOldOnly = writtenAfter(bMsgs, bEndAfterSwitch).filter((m) => !m.msg.isDdl && !matchesNew(Number(m.msg.data![0]!.grp)));
    expect(bOldOnly.map((m) => `${m.msg.type} ${rowId(m.msg)}`)).toEqual([]);
  });
});
