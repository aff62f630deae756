// Real outages during `mig apply --follow` (issue 13): the services are stopped for real, so this file
// runs a MariaDB and a Kafka broker of its own (helpers/private-services.ts) and never touches the
// shared ones. With a writer running:
//   a. Kafka stopped for 30 s: the process stays up and says it is retrying; after the broker returns
//      every committed change is in the topic (re-sends allowed), each key's changes in order.
//   b. MariaDB (source and MySQL destination alike) restarted: the process stays up and the
//      destination ends equal to the source.
//   c. A connection retry window shorter than the outage (MIG_RETRY_MINUTE_MS scales a window's
//      minute): mig exits 1 soon after the window with the last error and a fix, no stack trace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { privateServices, readWholeTopic, type PrivateServices } from './helpers/private-services.js';
import { killIfRunning, isObject, sleep, startMig, statusJson, statusOfMigration, waitUntil, type BackgroundMig, type CanalMessage } from './helpers/runner.js';
import { dump } from './helpers/tidb.js';
import { fillLoadTable, LOAD_TABLE_COLUMNS, startWriteLoad, type LoadOp, type LoadTable, type WriteLoad } from './helpers/write-load.js';

const KAFKA_OUTAGE_MS = 30_000;
const MARIADB_OUTAGE_MS = 10_000;
// Few keys, so each is updated many times and its counter sequence says something about order.
const ROWS = 200;

let services: PrivateServices;
let conn: Connection;
const migs: BackgroundMig[] = [];
const loads: WriteLoad[] = [];
const extraConns: Connection[] = [];

beforeAll(async () => {
  services = await privateServices('mig-outage-');
  const ms = await services.start(['mariadb', 'kafka']);
  console.log(`outage: private MariaDB (port ${services.mysqlPort}) and Kafka (port ${services.kafkaPort}) started in ${(ms / 1000).toFixed(1)} s`);
  const env = await services.env();
  expect(env.MIG_TEST_MYSQL_PORT).toBe(String(services.mysqlPort));
  expect(env.MIG_TEST_KAFKA_BROKERS).toBe(services.kafkaBrokers[0]);
  conn = await services.mysqlConnection();
});

afterAll(async () => {
  for (const l of loads) await l.stop().catch(() => undefined);
  for (const m of migs) await killIfRunning(m);
  for (const c of [...extraConns, conn]) await c?.end().catch(() => undefined);
  await services?.cleanup();
});

/** A project directory with one migration spec; `body` is the spec's lines under `spec:`. */
function project(prefix: string, name: string, body: string): string {
  const cwd = mkdtempSync(path.join(tmpdir(), prefix));
  mkdirSync(path.join(cwd, 'migrations.d'));
  writeFileSync(path.join(cwd, 'migrations.d', `${name}.yaml`), `apiVersion: mig/v1
kind: Migration
metadata: { name: ${name} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${services.mysqlPort}, user: root }
${body}`);
  return cwd;
}

function follow(cwd: string, env?: Record<string, string>): BackgroundMig {
  const m = startMig(['apply', '--auto-approve', '--follow'], { cwd, env });
  migs.push(m);
  return m;
}

/** Waits until the run says it streams (the full load is done). */
async function untilStreaming(mig: BackgroundMig): Promise<void> {
  await mig.waitForOutput(/: streaming from /, 60_000);
}

async function newLoadConnection(): Promise<Connection> {
  const c = await services.mysqlConnection();
  extraConns.push(c);
  return c;
}

function load(c: Connection, table: LoadTable, seed: number): WriteLoad {
  const l = startWriteLoad(c, { tables: [table], perSecond: 100, insertShare: 0.1, deleteShare: 0, seed });
  loads.push(l);
  return l;
}

/** Stops a service, keeps it down for `ms` in all (the stop's own time included), starts it again. */
async function outage(service: 'mariadb' | 'kafka', ms: number, mig: BackgroundMig, during?: () => Promise<void>): Promise<{ downMs: number; aliveAfter: boolean }> {
  const t0 = Date.now();
  await services.stop(service);
  const down = Date.now();
  await during?.();
  const rest = t0 + ms - Date.now();
  if (rest > 0) await sleep(rest);
  const aliveAfter = mig.running();
  await services.startAgain(service);
  return { downMs: Date.now() - down, aliveAfter };
}

/** A migration still running is stopped with SIGTERM and must exit 0 within 30 s. */
async function expectCleanStop(mig: BackgroundMig): Promise<void> {
  mig.child.kill('SIGTERM');
  const exit = await Promise.race([mig.exited, sleep(30_000).then(() => 'no exit within 30 s after SIGTERM' as const)]);
  expect(exit, mig.output()).toEqual({ code: 0, signal: null });
}


/** Each key's counter values in topic order (canal-json row images; DDL messages skipped). */
function countersByKey(msgs: CanalMessage[]): Map<number, number[]> {
  const seen = new Map<number, number[]>();
  for (const m of msgs) {
    if (m.isDdl || !m.data) continue;
    for (const row of m.data) {
      const id = Number(row.id);
      if (!seen.has(id)) seen.set(id, []);
      seen.get(id)!.push(Number(row.n));
    }
  }
  return seen;
}

/** The (key, counter) pairs of `list` that no message carries. */
function missingIn(seen: Map<number, number[]>, list: readonly { id: number; n: number }[]): { id: number; n: number }[] {
  return list.filter((c) => !seen.get(c.id)?.includes(c.n));
}

/** The runner's status in `mig status --json --offline` (undefined before there is one). */
async function runnerStatus(cwd: string, name: string): Promise<string | undefined> {
  const m = statusOfMigration(await statusJson(cwd, ['--offline']), name);
  return isObject(m?.runner) && typeof m.runner.status === 'string' ? m.runner.status : undefined;
}

/** A source table of ROWS load rows and a project migrating it to a topic of the private Kafka. */
async function kafkaMigration(prefix: string, name: string, extra: string): Promise<{ topic: string; table: LoadTable; cwd: string }> {
  const db = `${prefix}_${Date.now().toString(36)}`;
  const topic = `${db}.t`;
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.t (${LOAD_TABLE_COLUMNS})`);
  const table = await fillLoadTable(conn, `${db}.t`, ROWS);
  const cwd = project(`mig-${name}-`, name, `  destination: { type: kafka, brokers: ${JSON.stringify(services.kafkaBrokers)}, topic: ${topic}, ddlTopic: ${topic}.ddl, format: canal-json }
${extra}  objects:
    - database: ${db}
      tables: [{ name: t }]
`);
  return { topic, table, cwd };
}

describe('Kafka stopped for 30 s during apply --follow', () => {
  it('stays up, retries, and the topic ends with every change, each key in order', async () => {
    const name = 'outage-kafka';
    const { topic, table, cwd } = await kafkaMigration('outage_kafka', name, '');
    const mig = follow(cwd);
    await untilStreaming(mig);

    const writer = load(await newLoadConnection(), table, 13);
    await sleep(3000);
    // While the broker is away, status names the runner as retrying.
    const statuses = new Set<string>();
    const { downMs, aliveAfter } = await outage('kafka', KAFKA_OUTAGE_MS, mig, async () => {
      await waitUntil('status to show the runner retrying', KAFKA_OUTAGE_MS - 5000, async () => {
        const s = await runnerStatus(cwd, name);
        if (s) statuses.add(s);
        return s === 'retrying' ? true : undefined;
      }, 500).catch(() => undefined);
    });
    await sleep(5000);
    await writer.stop();

    // Caught up once every (key, counter) the source reached is in the topic: the full load's rows
    // with counter 0, then each change the writer committed.
    const changes: LoadOp[] = writer.ops;
    const fullLoad = Array.from({ length: ROWS }, (_, i) => ({ id: i + 1, n: 0 }));
    let msgs: CanalMessage[] = [];
    let seen = new Map<number, number[]>();
    const stoppedAt = Date.now();
    await waitUntil('every change in the topic', 90_000, async () => {
      if (!mig.running()) throw new Error(`mig exited:\n${mig.output()}`);
      msgs = (await readWholeTopic(services.kafkaBrokers, topic)).map((m) => JSON.parse(m.value) as CanalMessage).filter((m) => !m.isDdl && m.data);
      seen = countersByKey(msgs);
      return missingIn(seen, changes).length + missingIn(seen, fullLoad).length === 0 ? true : undefined;
    }, 2000).catch(() => undefined);
    const catchUpSeconds = (Date.now() - stoppedAt) / 1000;
    const lost = missingIn(seen, changes);
    const lostFullLoad = missingIn(seen, fullLoad);

    // Per key: first occurrences strictly increasing (a re-sent run repeats values already seen),
    // and the last message holds the source's final value.
    const [srcRows] = await conn.query(`SELECT id, n FROM ${table.table}`);
    const finalN = new Map((srcRows as { id: string; n: string }[]).map((r) => [Number(r.id), Number(r.n)]));
    const outOfOrder: string[] = [];
    const wrongLast: string[] = [];
    let keysWithResends = 0;
    for (const [id, values] of seen) {
      const firsts = values.filter((v, i) => values.indexOf(v) === i);
      if (firsts.length !== values.length) keysWithResends++;
      if (firsts.some((v, i) => i > 0 && v <= firsts[i - 1]!)) outOfOrder.push(`${id}: ${values.join(',')}`);
      if (values[values.length - 1] !== finalN.get(id)) wrongLast.push(`${id}: kafka ${values[values.length - 1]}, source ${finalN.get(id)}`);
    }
    console.log(
      `outage: kafka down ${(downMs / 1000).toFixed(1)} s, ${changes.length} changes written, ${changes.length - lost.length} found, lost ${lost.length}; ` +
        `full-load rows missing ${lostFullLoad.length}; ${msgs.length} row messages, keys with re-sent changes ${keysWithResends}, ` +
        `out of order ${outOfOrder.length}, wrong last value ${wrongLast.length}; all in the topic ${catchUpSeconds.toFixed(1)} s after the writer stopped; ` +
        `mig alive at the end of the outage: ${aliveAfter}; runner statuses seen while down: ${[...statuses].join(', ') || 'none'}`,
    );
    expect(aliveAfter, mig.output()).toBe(true);
    expect(mig.running(), mig.output()).toBe(true);
    expect(mig.output()).toMatch(/retrying/i);
    expect([...statuses], mig.output()).toContain('retrying');
    expect(lost.slice(0, 20).map((c) => `${c.id}:${c.n}`)).toEqual([]);
    expect(lostFullLoad.slice(0, 20).map((c) => `${c.id}:${c.n}`)).toEqual([]);
    expect(outOfOrder.slice(0, 20)).toEqual([]);
    expect(wrongLast.slice(0, 20)).toEqual([]);
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual([...finalN.keys()].sort((a, b) => a - b));
    await expectCleanStop(mig);
  });
});

describe('MariaDB restarted during apply --follow (MySQL destination on it)', () => {
  it('stays up, and the destination ends equal to the source', async () => {
    const tag = Date.now().toString(36);
    const src = `outage_src_${tag}`;
    const dst = `outage_dst_${tag}`;
    const cp = `outage_cp_${tag}`;
    const name = 'outage-mariadb';
    await conn.query(`CREATE DATABASE ${src}`);
    await conn.query(`CREATE TABLE ${src}.t (${LOAD_TABLE_COLUMNS})`);
    const table = await fillLoadTable(conn, `${src}.t`, ROWS);
    const cwd = project('mig-outage-mariadb-', name, `  destination: { type: mysql, host: 127.0.0.1, port: ${services.mysqlPort}, user: root, checkpointDatabase: ${cp} }
  objects:
    - database: ${src}
      target: ${dst}
      tables: [{ name: t }]
`);
    const mig = follow(cwd);
    await untilStreaming(mig);

    // The writer runs in phases around the restart: its connection does not survive it.
    const before = load(await newLoadConnection(), table, 17);
    await sleep(3000);
    await before.stop();
    const { downMs, aliveAfter } = await outage('mariadb', MARIADB_OUTAGE_MS, mig);
    // The test's own connection died with the server too.
    await conn.end().catch(() => undefined);
    conn = await services.mysqlConnection();
    const after = load(await newLoadConnection(), table, 19);
    await sleep(5000);
    await after.stop();
    const written = before.ops.length + after.ops.length;

    let srcRows: string[] = [];
    let dstRows: string[] = [];
    const stoppedAt = Date.now();
    await waitUntil('the destination to equal the source', 90_000, async () => {
      if (!mig.running()) throw new Error(`mig exited:\n${mig.output()}`);
      srcRows = await dump(conn, src, 't');
      dstRows = await dump(conn, dst, 't').catch(() => []);
      return srcRows.join('\n') === dstRows.join('\n') ? true : undefined;
    }, 1000).catch(() => undefined);
    const catchUpSeconds = (Date.now() - stoppedAt) / 1000;
    const dstSet = new Set(dstRows);
    const srcSet = new Set(srcRows);
    const differing = srcRows.filter((r) => !dstSet.has(r)).length + dstRows.filter((r) => !srcSet.has(r)).length;
    console.log(
      `outage: mariadb down ${(downMs / 1000).toFixed(1)} s (restart, source and destination), ${written} changes written ` +
        `(${before.ops.length} before, ${after.ops.length} after), source rows ${srcRows.length}, destination rows ${dstRows.length}, ` +
        `differing ${differing}; equal ${catchUpSeconds.toFixed(1)} s after the writer stopped; mig alive at the end of the outage: ${aliveAfter}`,
    );
    expect(aliveAfter, mig.output()).toBe(true);
    expect(mig.running(), mig.output()).toBe(true);
    expect(mig.output()).toMatch(/retrying/i);
    expect(dstRows).toEqual(srcRows);
    await expectCleanStop(mig);
  });
});

describe('a connection retry window shorter than the outage', () => {
  it('exits 1 soon after the window with the last error and a fix, no stack trace', async () => {
    const WINDOW_MS = 10 * 500;
    const name = 'outage-short';
    const { table, cwd } = await kafkaMigration('outage_short', name, '  retry: { connectionMinutes: 10 }\n');
    // A minute of a retry window is 500 ms here: connectionMinutes 10 is a 5 s window.
    const mig = follow(cwd, { MIG_RETRY_MINUTE_MS: '500' });
    await untilStreaming(mig);
    // Changes keep coming, so the lost broker is noticed at once.
    const writer = load(await newLoadConnection(), table, 23);
    await sleep(2000);
    await services.stop('kafka');
    const downAt = Date.now();
    // Kafka stays down (the file's cleanup removes it).
    // The window counts from the first failure the engine sees: the Kafka client's own retries
    // (about 20 s against a stopped broker) come first.
    const MARGIN_MS = 45_000;
    const exit = await Promise.race([mig.exited, sleep(WINDOW_MS + MARGIN_MS).then(() => 'still running' as const)]);
    const exitSeconds = (Date.now() - downAt) / 1000;
    await writer.stop();
    const out = mig.output();
    console.log(
      `outage: kafka down for good, retry window ${(WINDOW_MS / 1000).toFixed(1)} s (connectionMinutes 10, MIG_RETRY_MINUTE_MS=500); ` +
        `mig ${typeof exit === 'string' ? `still running after ${exitSeconds.toFixed(1)} s` : `exited ${exit.code ?? exit.signal} ${exitSeconds.toFixed(1)} s after the broker stopped`}; ` +
        `last lines: ${JSON.stringify(out.trim().split('\n').slice(-4).join(' | '))}`,
    );
    expect(exit, out).toEqual({ code: 1, signal: null });
    expect(exitSeconds, out).toBeGreaterThanOrEqual(WINDOW_MS / 1000);
    expect(out).toMatch(/retrying/i);
    // The last error, then what to do about it.
    expect(out).toMatch(/error/i);
    expect(out).toMatch(/^\s*fix: \S/im);
    expect(out).not.toMatch(/^\s+at \S.*[:(]\d+:\d+\)?$/m);
    expect(out).not.toMatch(/looks like a bug/i);
  });
});
