// The other ways into a tidb-to-mysql migration's incremental phase: canal-json (here mig's own,
// written by a MariaDB → Kafka migration from the real binlog, three partitions), and a Drainer
// message over binlogKafka.maxMessageBytes, which must stop apply with the offset and no stack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { KAFKA_BROKERS, MYSQL_PORT, uniqueName } from '../integration/helpers/env.js';
import { dml, i64, str } from '../support/drainer.js';
import { runMig } from './helpers/run-mig.js';
import { createFeedTopic, deleteTopics, dump, produce, tablesOf, textConnection } from './helpers/tidb.js';
import { TYPE_COLUMNS, TYPE_ROWS } from './helpers/tidb-types.js';

const SRC = uniqueName('canalsrc');
const DST = uniqueName('canaldst');
const CP = uniqueName('canalcp');
const TOPIC = `${SRC}.canal`;
const BIG = `${SRC}.big`;
const TZSRC = uniqueName('tzsrc');
const TZDST = uniqueName('tzdst');
const TZTOPIC = `${TZSRC}.drainer`;
let conn: Connection;

function project(name: string, spec: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `mig-${name}-`));
  mkdirSync(path.join(dir, 'migrations.d'));
  writeFileSync(path.join(dir, 'migrations.d', `${name}.yaml`), `apiVersion: mig/v1\nkind: Migration\nmetadata: { name: ${name} }\nspec:\n${spec}`);
  return dir;
}

const tidbSource = (topic: string, extra = '') => `  source:
    type: tidb
    host: 127.0.0.1
    port: ${MYSQL_PORT}
    user: root
    binlogKafka: { brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${topic}${extra} }
  destination: { type: mysql, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root, checkpointDatabase: ${CP} }
`;

beforeAll(async () => {
  conn = await textConnection();
  await conn.query(`CREATE DATABASE ${SRC}`);
  await conn.query(`CREATE TABLE ${SRC}.types (${TYPE_COLUMNS})`);
  for (const r of TYPE_ROWS) await conn.query(`INSERT INTO ${SRC}.types VALUES ${r}`);
  await conn.query(`CREATE TABLE ${SRC}.t (id INT PRIMARY KEY, v VARCHAR(20), n INT)`);
  await conn.query(`INSERT INTO ${SRC}.t VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3)`);
});

afterAll(async () => {
  await conn.query(`DROP DATABASE IF EXISTS ${SRC}; DROP DATABASE IF EXISTS ${DST}; DROP DATABASE IF EXISTS ${CP}; DROP DATABASE IF EXISTS ${TZSRC}; DROP DATABASE IF EXISTS ${TZDST}`);
  await conn.end();
  await deleteTopics([TOPIC, BIG, TZTOPIC]);
});

async function expectSame(): Promise<void> {
  for (const t of await tablesOf(conn, SRC)) expect(await dump(conn, DST, t), t).toEqual(await dump(conn, SRC, t));
}

describe('tidb-to-mysql from canal-json', () => {
  it("applies mig's own canal-json (three partitions) into MySQL: destination equals source", async () => {
    const toKafka = project('canal-producer', `  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: { type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${TOPIC}, format: canal-json, partitions: 3 }
  objects: [{ database: ${SRC} }]
`);
    const toMysql = project('canal-consumer', `${tidbSource(TOPIC, ', format: canal-json')}  objects: [{ database: ${SRC}, target: ${DST} }]
`);
    const produced = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd: toKafka });
    expect(produced.code, produced.stdout + produced.stderr).toBe(0);
    const first = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd: toMysql });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    await expectSame();

    // Changes after both full loads: through the binlog into canal-json, then into MySQL.
    await conn.query(`INSERT INTO ${SRC}.t VALUES (4, 'd', 4); UPDATE ${SRC}.t SET v = 'a2', n = n + 10 WHERE id = 1; UPDATE ${SRC}.t SET id = 20 WHERE id = 2; DELETE FROM ${SRC}.t WHERE id = 3`);
    await conn.query(`INSERT INTO ${SRC}.types SELECT id + 10, ti, tiu, si, siu, mi, miu, i, iu, bi, biu, d, d2, f, db, b1, b64, dt, dtm, dtm0, ts, tm, y, ch, vc, l1, bin, vb, tb, bl, mb, lb, tt, tx, mt, lt, e, s, j FROM ${SRC}.types`);
    await conn.query(`DELETE FROM ${SRC}.types WHERE id = 2`);
    const more = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd: toKafka });
    expect(more.code, more.stdout + more.stderr).toBe(0);
    const second = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd: toMysql });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toMatch(/caught up: \d+ transaction\(s\) applied/);
    await expectSame();
  });
});

describe('tidb-to-mysql Drainer message over maxMessageBytes', () => {
  it('stops with the offset and the fix, exit 1, no stack trace', async () => {
    await createFeedTopic(BIG, 1 << 20);
    const dir = project('too-big', `${tidbSource(BIG, ', maxMessageBytes: 2048')}  types: [incremental]
  objects: [{ database: ${SRC}, tables: [{ name: t, target: t_big }] }]
`);
    const cols = [{ name: 'id', type: 'int', pk: true }, { name: 'v', type: 'varchar' }, { name: 'n', type: 'int' }];
    const huge = dml(1n << 60n, [{ schema: SRC, table: 't', columns: cols, mutations: [{ type: 'insert', row: [i64(9), str('x'.repeat(5000)), i64(1)] }] }]);
    await produce(BIG, [huge]);
    const r = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the message at ${BIG} partition 0 offset 0 is ${huge.length} bytes, over spec.source.binlogKafka.maxMessageBytes (2048)`);
    expect(r.stderr).toMatch(/Fix: raise spec\.source\.binlogKafka\.maxMessageBytes/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('tidb-to-mysql from a Drainer not run in UTC', () => {
  it('binlogKafka.timeZone: TIMESTAMP wall times written in Asia/Shanghai land as the instants they name', async () => {
    await conn.query(`CREATE DATABASE ${TZSRC}; CREATE TABLE ${TZSRC}.tz (id INT PRIMARY KEY, ts TIMESTAMP(3) NULL, dt DATETIME NULL)`);
    await createFeedTopic(TZTOPIC);
    const dir = project('drainer-tz', `${tidbSource(TZTOPIC, ', timeZone: Asia/Shanghai')}  types: [schema, incremental]
  objects: [{ database: ${TZSRC}, target: ${TZDST} }]
`);
    // As Drainer in UTC+8 writes it: wall time in its zone, no time_zone in the message.
    const cols = [{ name: 'id', type: 'int', pk: true }, { name: 'ts', type: 'timestamp', decimal: 3 }, { name: 'dt', type: 'datetime' }];
    await produce(TZTOPIC, [dml(1n << 60n, [{ schema: TZSRC, table: 'tz', columns: cols, mutations: [{ type: 'insert', row: [i64(1), str('2024-03-10 08:30:00.250'), str('2024-03-10 08:30:00')] }] }])]);
    const r = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // Read in UTC (textConnection): the TIMESTAMP is 8 hours earlier, the DATETIME as written.
    expect(await dump(conn, TZDST, 'tz')).toEqual([JSON.stringify([['id', '1'], ['ts', '2024-03-10 00:30:00.250'], ['dt', '2024-03-10 08:30:00']])]);
  });
});
