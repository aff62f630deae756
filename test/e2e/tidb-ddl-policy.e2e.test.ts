// The DDL policy on a TiDB feed (Drainer messages from the real broker) into MySQL: under ddl: stop
// apply halts before the ALTER (exit 1, the feed position and the statement in the message), the
// transaction before it is applied and the one after it is not; with ddl: replicate the next apply
// reads the ALTER again, runs it, and the rows after it follow. Drainer's DDL message names no
// table of its own here, so the policy is found from the statement's text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { MYSQL_PORT, uniqueName } from '../integration/helpers/env.js';
import { runMig } from './helpers/run-mig.js';
import { FakeTidb, createFeedTopic, tidbSourceYaml, deleteTopics, produce, textConnection } from './helpers/tidb.js';

const SRC = uniqueName('tidbddlsrc');
const DST = uniqueName('tidbddldst');
const CP = uniqueName('tidbddlcp');
const TOPIC = `${SRC}.binlog`;
const NAME = 'tidb-ddl-policy';
let cwd: string;
let conn: Connection;

function writeSpec(policy: string): void {
  writeFileSync(path.join(cwd, 'migrations.d', 'tidb.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: ${NAME} }
spec:
${tidbSourceYaml(TOPIC)}
  destination: { type: mysql, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root, checkpointDatabase: ${CP} }
  objects:
    - database: ${SRC}
      target: ${DST}
      tables:
        - name: orders
          ddl: ${policy}
`);
}

beforeAll(async () => {
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-tidb-ddl-'));
  conn = await textConnection();
  await conn.query(`CREATE DATABASE ${SRC}`);
  await conn.query(`CREATE TABLE ${SRC}.orders (id INT PRIMARY KEY, customer VARCHAR(20) NOT NULL)`);
  await conn.query(`INSERT INTO ${SRC}.orders VALUES (1, 'ann')`);
  await createFeedTopic(TOPIC);
  mkdirSync(path.join(cwd, 'migrations.d'));
  writeSpec('stop');
});

afterAll(async () => {
  await conn.query(`DROP DATABASE IF EXISTS ${SRC}; DROP DATABASE IF EXISTS ${DST}; DROP DATABASE IF EXISTS ${CP}`);
  await conn.end();
  await deleteTopics([TOPIC]);
});

describe('ddl policy on a TiDB feed', () => {
  it('stops before the ALTER, then replicates it once the spec says so', async () => {
    const a1 = await runMig(['apply', '--auto-approve'], { cwd });
    expect(a1.code, a1.stdout + a1.stderr).toBe(0);
    let ts = BigInt(JSON.parse(readFileSync(path.join(cwd, '.mig', 'state.json'), 'utf8')).migrations[NAME].feed.startTs);
    const tidb = new FakeTidb(conn, SRC);
    const msgs: Buffer[] = [];
    await tidb.insert('orders', { id: 10, customer: 'dee' });
    msgs.push(tidb.commit((ts += 3n)));
    msgs.push(await tidb.ddl((ts += 3n), 'orders', "ALTER TABLE orders ADD COLUMN note VARCHAR(20) DEFAULT 'none'"));
    await tidb.insert('orders', { id: 11, customer: 'eve', note: 'new' });
    msgs.push(tidb.commit((ts += 3n)));
    await produce(TOPIC, msgs);

    const a2 = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    const out = a2.stdout + a2.stderr;
    expect(a2.code, out).toBe(1);
    expect(out).toContain(`the stream stopped before a DDL statement on table ${SRC}.orders, as ddl: stop (spec.objects[0].tables[0].ddl) asks, at feed ${TOPIC} partition 0 offset 1`);
    expect(out).toContain("The statement: ALTER TABLE orders ADD COLUMN note VARCHAR(20) DEFAULT 'none'");
    const ids = async () => (await conn.query<RowDataPacket[]>(`SELECT id FROM ${DST}.orders ORDER BY id`))[0].map((r) => Number(r.id));
    expect(await ids()).toEqual([1, 10]);

    writeSpec('replicate');
    const a3 = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(a3.code, a3.stdout + a3.stderr).toBe(0);
    expect(await ids()).toEqual([1, 10, 11]);
    const [cols] = await conn.query<RowDataPacket[]>(`SHOW COLUMNS FROM ${DST}.orders`);
    expect(cols.map((c) => c.Field)).toEqual(['id', 'customer', 'note']);
  });
});
