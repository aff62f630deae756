// The source heartbeat through the built mig, against the real MariaDB: while `apply --follow`
// streams a quiet source, spec.heartbeat keeps the checkpoint's commit time moving every second,
// so lag stays near zero, and no heartbeat row or DDL reaches the destination (a Kafka topic, a
// MySQL database). With the heartbeat off, a MySQL destination's checkpoint stays at the last
// change and lag grows with the wall clock. (Other tests may write to the same server meanwhile;
// a MySQL destination moves its checkpoint only for its own tables, so that case stays quiet.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { KAFKA_BROKERS, MYSQL_PORT, rootConnection, uniqueName } from '../integration/helpers/env.js';
import { readTopic } from '../integration/helpers/kafka.js';
import { runMig } from './helpers/run-mig.js';
import { killIfRunning, sleep, startMig, waitUntil, type BackgroundMig } from './helpers/runner.js';
import { progressOf } from '../../src/model/progress.js';
import type { MigrationState } from '../../src/state/model.js';

const KSRC = uniqueName('hbk');
const TOPIC = `${KSRC}.all`;
const MSRC = uniqueName('hbm');
const MDST = uniqueName('hbmd');
const MCP = uniqueName('hbmcp');
const OSRC = uniqueName('hbo');
const ODST = uniqueName('hbod');
const OCP = uniqueName('hbocp');
let conn: Connection;
const procs: BackgroundMig[] = [];

interface Project {
  name: string;
  dir: string;
}

function project(name: string, spec: string): Project {
  const dir = mkdtempSync(path.join(tmpdir(), `mig-${name}-`));
  mkdirSync(path.join(dir, 'migrations.d'));
  writeFileSync(path.join(dir, 'migrations.d', `${name}.yaml`), `apiVersion: mig/v1
kind: Migration
metadata: { name: ${name} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
${spec}`);
  return { name, dir };
}

function migrationState(p: Project): MigrationState | undefined {
  try {
    return JSON.parse(readFileSync(path.join(p.dir, '.mig', 'state.json'), 'utf8')).migrations[p.name] as MigrationState;
  } catch {
    return undefined;
  }
}

/** Lag as mig status computes it, from what the running apply last stored. */
function lagOf(p: Project): number | null {
  const ms = migrationState(p);
  return ms ? progressOf(ms, Date.now()).lag.seconds : null;
}

async function rows(sql: string): Promise<RowDataPacket[]> {
  const [r] = await conn.query<RowDataPacket[]>(sql);
  return r;
}

let kafka: Project;
let mysqlOn: Project;
let mysqlOff: Project;

beforeAll(async () => {
  conn = await rootConnection();
  for (const db of [KSRC, MSRC, OSRC]) {
    await conn.query(`CREATE DATABASE ${db}`);
    await conn.query(`CREATE TABLE ${db}.orders (id INT PRIMARY KEY, v VARCHAR(20))`);
    await conn.query(`INSERT INTO ${db}.orders VALUES (1, 'first')`);
  }
  // Databases taken whole: the heartbeat table lands in them and must still not be migrated.
  kafka = project('hb-kafka', `  destination: { type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${TOPIC}, format: canal-json }
  heartbeat: { enabled: true }
  objects: [{ database: ${KSRC} }]
`);
  mysqlOn = project('hb-mysql', `  destination: { type: mysql, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root, checkpointDatabase: ${MCP} }
  heartbeat: { enabled: true }
  objects: [{ database: ${MSRC}, target: ${MDST} }]
`);
  mysqlOff = project('hb-off', `  destination: { type: mysql, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root, checkpointDatabase: ${OCP} }
  heartbeat: { enabled: false }
  objects: [{ database: ${OSRC}, target: ${ODST} }]
`);
});

afterAll(async () => {
  for (const p of procs) await killIfRunning(p);
  for (const db of [KSRC, MSRC, MDST, MCP, OSRC, ODST, OCP]) await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.end();
});

describe('spec.heartbeat', () => {
  it('keeps lag under 3 s on a quiet source and forwards no heartbeat; without it lag grows', async () => {
    const planned = await runMig(['plan'], { cwd: kafka.dir });
    expect(planned.stdout, planned.stderr).toContain(`heartbeat every 1 s into ${KSRC}.mig_heartbeat on the source`);
    for (const p of [kafka, mysqlOn, mysqlOff]) {
      const r = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd: p.dir });
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
    const runs = [kafka, mysqlOn, mysqlOff].map((p) => startMig(['apply', '--auto-approve', '--follow'], { cwd: p.dir }));
    procs.push(...runs);
    for (const r of runs) await r.waitForOutput(/streaming from/, 60_000);
    // One change each, so every checkpoint carries a commit time to measure lag from.
    for (const db of [KSRC, MSRC, OSRC]) await conn.query(`INSERT INTO ${db}.orders VALUES (2, 'second')`);
    await waitUntil('the second rows at the MySQL destinations', 30_000, async () =>
      (await rows(`SELECT COUNT(*) AS n FROM ${MDST}.orders`))[0]!.n >= 2 && (await rows(`SELECT COUNT(*) AS n FROM ${ODST}.orders`))[0]!.n >= 2 ? true : undefined);
    await waitUntil('a lag reading for each migration', 30_000, () => ([kafka, mysqlOn, mysqlOff].every((p) => lagOf(p) !== null) ? true : undefined));

    // Then nothing is written to these databases for 12 s: only heartbeats.
    const samples: Record<string, number[]> = { kafka: [], mysqlOn: [], mysqlOff: [] };
    const stamps = new Set<number>();
    for (let i = 0; i < 12; i++) {
      await sleep(1000);
      samples.kafka!.push(lagOf(kafka)!);
      samples.mysqlOn!.push(lagOf(mysqlOn)!);
      samples.mysqlOff!.push(lagOf(mysqlOff)!);
      stamps.add(migrationState(mysqlOn)!.checkpoint!.timestamp!);
    }
    console.log(`heartbeat lag samples (s): ${JSON.stringify(samples)}; MySQL destination checkpoint timestamps seen: ${stamps.size}`);
    expect(Math.max(...samples.kafka!)).toBeLessThan(3);
    expect(Math.max(...samples.mysqlOn!)).toBeLessThan(3);
    // The checkpoint moved on with the heartbeat (ms times, not the binary log's whole seconds). Read
    // at the MySQL destination, which checkpoints only its own tables and heartbeats: a Kafka one also
    // moves on other tests' transactions, with their whole-second times.
    expect(stamps.size).toBeGreaterThanOrEqual(8);
    expect([...stamps].some((t) => t % 1000 !== 0)).toBe(true);
    // Heartbeat off: the checkpoint stays at the last change, so lag grows with the clock.
    expect(samples.mysqlOff!.at(-1)!).toBeGreaterThan(samples.mysqlOff![0]! + 8);
    expect(samples.mysqlOff!.at(-1)!).toBeGreaterThan(10);
    expect(migrationState(mysqlOn)!.sourceClock).toMatchObject({ offsetMs: expect.any(Number) });
    expect(Math.abs(migrationState(mysqlOn)!.sourceClock!.offsetMs)).toBeLessThan(1000);

    for (const r of runs) r.child.kill('SIGTERM');
    for (const r of runs) expect((await r.exited).code, r.output()).toBe(0);

    // The source has the heartbeat rows; no destination has any of them.
    expect((await rows(`SELECT migration FROM ${KSRC}.mig_heartbeat`)).map((r) => r.migration)).toEqual(['hb-kafka']);
    expect((await rows(`SELECT migration FROM ${MSRC}.mig_heartbeat`)).map((r) => r.migration)).toEqual(['hb-mysql']);
    expect(await rows(`SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${OSRC}' AND TABLE_NAME = 'mig_heartbeat'`)).toEqual([]);
    expect(await rows(`SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${MDST}' ORDER BY 1`)).toEqual([{ t: 'orders' }]);
    const messages = (await readTopic(TOPIC)).map((m) => JSON.parse(m.value) as { table: string; type: string; sql?: string; data?: { id: string }[] });
    expect(messages.filter((m) => m.table === 'mig_heartbeat' || (m.sql ?? '').includes('mig_heartbeat'))).toEqual([]);
    expect(messages.filter((m) => m.table === 'orders').map((m) => [m.type, m.data?.[0]?.id])).toEqual([['INSERT', '1'], ['INSERT', '2']]);
    // The table now exists in a database taken whole, and the plan still leaves it out.
    const again = await runMig(['plan'], { cwd: kafka.dir });
    expect(again.stdout + again.stderr).not.toContain(`${KSRC}.mig_heartbeat`);
    // The change counters count the one insert, not the heartbeats.
    const counters = migrationState(kafka)!.counters;
    if (counters) expect(counters.read).toBe(1);
  });
});
