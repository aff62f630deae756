// Two runners (`mig run`) on one shared MySQL state: one holds the migration's lease and streams, the
// other stands by. The active one is killed with SIGKILL under a write load; the standby must take
// the lease over once it lapses and resume from the last checkpoint: no change lost, each key's
// changes in order (re-sends after the takeover allowed, as at-least-once delivery permits).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { rootConnection, uniqueName, MYSQL_PORT, KAFKA_BROKERS } from '../integration/helpers/env.js';
import { runMig } from './helpers/run-mig.js';
import { fillLoadTable, LOAD_TABLE_COLUMNS, loadGroup, startWriteLoad, type LoadTable, type WriteLoad } from './helpers/write-load.js';
import {
  endOffsets,
  killIfRunning,
  leaseHolderPid,
  readCanal,
  rowId,
  sleep,
  startMig,
  statusJson,
  statusOfMigration,
  waitForMessage,
  waitUntil,
  type BackgroundMig,
} from './helpers/runner.js';

const db = uniqueName('takeover');
const stateDb = `${db}_state`;
const name = db.replace(/_/g, '-').slice(0, 63);
const topic = `${db}.t`;
const LEASE_SECONDS = 5;
// Few rows, so each key is updated many times and its counter sequence says something about order.
const ROWS = 200;
const MARKER_ID = 10_000_001;

let cwd: string;
let conn: Connection;
let loadConn: Connection;
let load: WriteLoad | undefined;
const runners: BackgroundMig[] = [];

const stateArgs = () => ['--state-url', `mysql://root@127.0.0.1:${MYSQL_PORT}/${stateDb}`];

beforeAll(async () => {
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-takeover-'));
  mkdirSync(path.join(cwd, 'migrations.d'));
  conn = await rootConnection();
  loadConn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  // The MySQL state backend creates its tables but not its database.
  await conn.query(`CREATE DATABASE ${stateDb}`);
  await conn.query(`CREATE TABLE ${db}.t (${LOAD_TABLE_COLUMNS})`);
  writeFileSync(path.join(cwd, 'migrations.d', 'takeover.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: ${name} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: { type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${topic}, ddlTopic: ${topic}.ddl, format: canal-json }
  objects:
    - database: ${db}
      tables: [{ name: t }]
`);
});

afterAll(async () => {
  await load?.stop().catch(() => undefined);
  for (const r of runners) await killIfRunning(r);
  await loadConn?.end();
  await conn?.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn?.query(`DROP DATABASE IF EXISTS ${stateDb}`);
  await conn?.end();
});

describe('mig run: standby takes the lease over after kill -9', () => {
  it('resumes from the checkpoint within the lease: nothing lost, each key in order', { timeout: 180_000 }, async () => {
    const table: LoadTable = await fillLoadTable(conn, `${db}.t`, ROWS);
    const first = await runMig(['apply', '--auto-approve', ...stateArgs()], { cwd });
    expect(first.code, first.stdout + first.stderr).toBe(0);

    load = startWriteLoad(loadConn, { tables: [table], perSecond: 300, insertShare: 0.1, deleteShare: 0 });
    const runArgs = ['run', name, ...stateArgs(), '--lease-seconds', String(LEASE_SECONDS)];
    runners.push(startMig(runArgs, { cwd }), startMig(runArgs, { cwd }));
    const [r1, r2] = runners as [BackgroundMig, BackgroundMig];

    // The active runner is the lease holder status names; the other says it stands by.
    const holder = await waitUntil('one runner to hold the lease', 30_000, async () => {
      const pid = leaseHolderPid(statusOfMigration(await statusJson(cwd, ['--offline', ...stateArgs()]), name));
      return pid === r1.pid || pid === r2.pid ? pid : undefined;
    }, 250);
    const active = holder === r1.pid ? r1 : r2;
    const standby = holder === r1.pid ? r2 : r1;
    await standby.waitForOutput(/standby/i, 30_000);
    expect(active.running() && standby.running(), active.output() + standby.output()).toBe(true);

    // Stream under the load for a while so the kill lands mid-stream with checkpoints behind it.
    await sleep(5000);
    const killAt = Date.now();
    active.child.kill('SIGKILL');
    expect(await active.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // Taken over: the standby says so and status names it as the holder.
    const budgetMs = (LEASE_SECONDS + 5) * 1000;
    const [lineAt, statusAt] = await Promise.all([
      standby.waitForOutput(/took over/i, budgetMs + 20_000),
      waitUntil('status to name the standby as the lease holder', budgetMs + 20_000, async () =>
        leaseHolderPid(statusOfMigration(await statusJson(cwd, ['--offline', ...stateArgs()]), name)) === standby.pid ? Date.now() : undefined, 250),
    ]);
    const takeoverSeconds = (Math.min(lineAt, statusAt) - killAt) / 1000;
    // Printed before asserting on it, so the figure is in the output even when the check fails.
    console.log(
      `runner takeover: lease ${LEASE_SECONDS} s, taken over ${takeoverSeconds.toFixed(1)} s after kill -9 ` +
        `(stdout ${((lineAt - killAt) / 1000).toFixed(1)} s, status ${((statusAt - killAt) / 1000).toFixed(1)} s)`,
    );
    expect(takeoverSeconds).toBeLessThanOrEqual(LEASE_SECONDS + 5);

    // The new holder streams under the load too, then the load stops and a marker row goes last.
    await sleep(5000);
    await load.stop();
    // Once the marker, written last, is in the topic, every change before it is too (one partition).
    const beforeMarker = await endOffsets(topic);
    await conn.query(`INSERT INTO ${db}.t (id, grp, n, note) VALUES (?, ?, 0, 'marker')`, [MARKER_ID, loadGroup(MARKER_ID)]);
    await waitForMessage(topic, beforeMarker, (m) => m.data?.[0]?.id === String(MARKER_ID), 60_000);
    standby.child.kill('SIGTERM');
    const exit = await Promise.race([standby.exited, sleep(30_000).then(() => 'timeout' as const)]);
    expect(exit, standby.output()).toEqual({ code: 0, signal: null });
    // A planned stop hands the lease back at once rather than letting it lapse.
    const stopped = statusOfMigration(await statusJson(cwd, ['--offline', ...stateArgs()]), name);
    expect(stopped?.lease, JSON.stringify(stopped)).toBeUndefined();

    // Per key: the counter values in Kafka order, against every value the source reached.
    const msgs = (await readCanal(topic)).filter((m) => !m.msg.isDdl && m.msg.data);
    const seen = new Map<number, number[]>();
    for (const m of msgs) {
      const id = rowId(m.msg);
      if (!seen.has(id)) seen.set(id, []);
      seen.get(id)!.push(Number(m.msg.data![0]!.n));
    }
    const reached = new Map<number, Set<number>>();
    for (let id = 1; id <= ROWS; id++) reached.set(id, new Set([0]));
    for (const o of load.ops) {
      if (!reached.has(o.id)) reached.set(o.id, new Set());
      reached.get(o.id)!.add(o.n);
    }
    reached.set(MARKER_ID, new Set([0]));
    const lost: string[] = [];
    for (const [id, values] of reached) {
      const got = new Set(seen.get(id) ?? []);
      for (const v of values) if (!got.has(v)) lost.push(`${id}:${v}`);
    }
    const outOfOrder: string[] = [];
    const wrongLast: string[] = [];
    const [srcRows] = await conn.query(`SELECT id, n FROM ${db}.t`);
    const sourceN = new Map((srcRows as { id: number; n: number }[]).map((r) => [Number(r.id), Number(r.n)]));
    for (const [id, values] of seen) {
      // First occurrences only: a re-sent run after the takeover repeats values already seen.
      const firsts: number[] = [];
      const had = new Set<number>();
      for (const v of values) {
        if (had.has(v)) continue;
        had.add(v);
        firsts.push(v);
      }
      if (firsts.some((v, i) => i > 0 && v <= firsts[i - 1]!)) outOfOrder.push(`${id}: ${firsts.join(',')}`);
      if (values[values.length - 1] !== sourceN.get(id)) wrongLast.push(`${id}: kafka ${values[values.length - 1]}, source ${sourceN.get(id)}`);
    }
    const expectedPairs = [...reached.values()].reduce((a, s) => a + s.size, 0);
    const resent = msgs.length - expectedPairs;

    console.log(
      `runner takeover: taken over ${takeoverSeconds.toFixed(1)} s after kill -9; changes during the run: ${load.ops.length}; ` +
        `messages ${msgs.length}; re-sent ${resent}; lost ${lost.length}; out of order ${outOfOrder.length}; wrong last value ${wrongLast.length}`,
    );
    expect(lost.slice(0, 20)).toEqual([]);
    expect(outOfOrder.slice(0, 20)).toEqual([]);
    expect(wrongLast.slice(0, 20)).toEqual([]);
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual([...sourceN.keys()].sort((a, b) => a - b));
  });
});
