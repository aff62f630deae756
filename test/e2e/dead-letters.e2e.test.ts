// The poison-event policy end to end through the built mig: changes a destination refuses are set
// aside (onError: dead-letter, or skip per table) instead of stopping the stream, listed by mig
// status, kept as JSON dead letters in a topic (Kafka, also inside exactly-once transactions) or a
// table (MySQL, Tablestore), and written again by mig redrive once the cause is fixed, from the
// source's current rows, so a key never goes back; with a runner holding the migration, the runner
// takes the request up while it streams.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { MYSQL_PORT, KAFKA_BROKERS, uniqueName } from '../integration/helpers/env.js';
import { readTopic } from '../integration/helpers/kafka.js';
import { runMig } from './helpers/run-mig.js';
import { killIfRunning, startMig, waitUntil, type BackgroundMig } from './helpers/runner.js';
import { committed } from './helpers/committed.js';
import { startTablestoreServer, type TablestoreTestServer } from '../support/tablestore/index.js';
import { tablestoreEnv, tablestoreSpec } from './helpers/tablestore.js';
import { deleteTopics, textConnection } from './helpers/tidb.js';

let conn: Connection;

async function rows(sql: string): Promise<RowDataPacket[]> {
  const [r] = await conn.query<RowDataPacket[]>(sql);
  return r;
}

function project(prefix: string, spec: string): string {
  const cwd = mkdtempSync(path.join(tmpdir(), `mig-${prefix}-`));
  mkdirSync(path.join(cwd, 'migrations.d'));
  writeFileSync(path.join(cwd, 'migrations.d', 'm.yaml'), spec);
  return cwd;
}

const stateOf = (cwd: string, name: string) => JSON.parse(readFileSync(path.join(cwd, '.mig', 'state.json'), 'utf8')).migrations[name];

async function mig(cwd: string, args: string[], code = 0): Promise<string> {
  const r = await runMig(args, { cwd });
  if (r.code !== code) throw new Error(`mig ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout + r.stderr;
}

beforeAll(async () => {
  conn = await textConnection();
});

afterAll(async () => {
  await conn?.end();
});

describe('MySQL destination: dead-letter table, skip per table, redrive', () => {
  const SRC = uniqueName('dlsrc');
  const DST = uniqueName('dldst');
  const CP = uniqueName('dlcp');
  const NAME = 'dl-mysql';
  let cwd: string;

  beforeAll(async () => {
    await conn.query(`CREATE DATABASE ${SRC}; CREATE DATABASE ${DST}`);
    await conn.query(`CREATE TABLE ${SRC}.orders (id INT PRIMARY KEY, note VARCHAR(40))`);
    await conn.query(`CREATE TABLE ${SRC}.tags (id INT PRIMARY KEY, tag VARCHAR(40))`);
    // The destination's copies are narrower than the source: long values are refused (strict mode).
    await conn.query(`CREATE TABLE ${DST}.orders (id INT PRIMARY KEY, note VARCHAR(5))`);
    await conn.query(`CREATE TABLE ${DST}.tags (id INT PRIMARY KEY, tag VARCHAR(5))`);
    await conn.query(`INSERT INTO ${SRC}.orders VALUES (1, 'ok'), (2, 'far too long for five'), (3, 'fine')`);
    await conn.query(`INSERT INTO ${SRC}.tags VALUES (1, 'a'), (2, 'much too long a tag')`);
    cwd = project('dl-mysql', `apiVersion: mig/v1
kind: Migration
metadata: { name: ${NAME} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: { type: mysql, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root, checkpointDatabase: ${CP} }
  types: [full, incremental]
  conflictMode: ignore
  onError: dead-letter
  objects:
    - database: ${SRC}
      target: ${DST}
      tables:
        - name: orders
        - name: tags
          onError: skip
`);
  });

  afterAll(async () => {
    await conn.query(`DROP DATABASE IF EXISTS ${SRC}; DROP DATABASE IF EXISTS ${DST}; DROP DATABASE IF EXISTS ${CP}`);
  });

  it('sets refused rows aside in the full load and the stream, dead-letters them, and re-drives them once fixed', async () => {
    const plan = await mig(cwd, ['plan', '--no-color']);
    expect(plan).toMatch(/dead-letter/);
    await mig(cwd, ['apply', '--auto-approve', '--until-caught-up']);
    // Stream: one refused insert, one refused update of a row that was fine, one good insert.
    await conn.query(`INSERT INTO ${SRC}.orders VALUES (4, 'another long note'), (5, 'good')`);
    await conn.query(`UPDATE ${SRC}.orders SET note = 'now it is too long' WHERE id = 3`);
    await conn.query(`UPDATE ${SRC}.tags SET tag = 'b' WHERE id = 1`);
    await mig(cwd, ['apply', '--auto-approve', '--until-caught-up']);

    expect((await rows(`SELECT id, note FROM ${DST}.orders ORDER BY id`)).map((r) => `${r.id}:${r.note}`)).toEqual(['1:ok', '3:fine', '5:good']);
    expect((await rows(`SELECT id, tag FROM ${DST}.tags ORDER BY id`)).map((r) => `${r.id}:${r.tag}`)).toEqual(['1:b']);
    const letters = await rows(`SELECT source_table, row_key, op, error, document FROM ${CP}.mig_dead_letters WHERE migration = '${NAME}' ORDER BY change_id IS NOT NULL, change_id`);
    // orders: id 2 in the full load, then 4 (insert) and 3 (update); tags skips without letters.
    expect(letters.map((l) => `${l.source_table} ${l.op} ${l.row_key}`)).toEqual([`${SRC}.orders snapshot ["2"]`, `${SRC}.orders insert ["4"]`, `${SRC}.orders update ["3"]`]);
    const doc = JSON.parse(String(letters[2]!.document));
    expect(doc).toMatchObject({ migration: NAME, table: `${SRC}.orders`, op: 'update', before: { id: '3', note: 'fine' }, after: { id: '3', note: 'now it is too long' } });
    expect(String(letters[0]!.error)).toMatch(/too long/i);
    const aside = stateOf(cwd, NAME).skippedRows;
    expect(aside.map((r: { table: string; outcome: string }) => `${r.table.split('.')[1]} ${r.outcome}`).sort()).toEqual(['orders dead-letter', 'orders dead-letter', 'orders dead-letter', 'tags skipped']);
    const status = await mig(cwd, ['status', '--no-color']);
    expect(status).toContain(`set aside: 4 change(s), 1 skipped, 3 dead-lettered to ${CP}.mig_dead_letters; 0 re-driven, 4 waiting`);
    console.log(`[dead-letters] MySQL: set aside ${aside.length} (3 dead-lettered, 1 skipped); destination orders: ${(await rows(`SELECT COUNT(*) n FROM ${DST}.orders`))[0]!.n} rows`);

    // The cause is fixed; meanwhile the source moved on for one key (its current row is re-driven).
    await conn.query(`ALTER TABLE ${DST}.orders MODIFY note VARCHAR(40); ALTER TABLE ${DST}.tags MODIFY tag VARCHAR(40)`);
    await conn.query(`UPDATE ${SRC}.orders SET note = 'long note, edited later' WHERE id = 4`);
    const out = await mig(cwd, ['redrive', NAME]);
    expect(out).toMatch(/re-drive of 4 set-aside change\(s\) recorded as generation \d+/);
    expect(out).toMatch(/0 set-aside change\(s\) still waiting/);
    const src = (await rows(`SELECT id, note FROM ${SRC}.orders ORDER BY id`)).map((r) => `${r.id}:${r.note}`);
    expect((await rows(`SELECT id, note FROM ${DST}.orders ORDER BY id`)).map((r) => `${r.id}:${r.note}`)).toEqual(src);
    expect((await rows(`SELECT id, tag FROM ${DST}.tags ORDER BY id`)).map((r) => `${r.id}:${r.tag}`)).toEqual(['1:b', '2:much too long a tag']);
    expect(await mig(cwd, ['status', '--no-color'])).toContain('4 re-driven, 0 waiting');
    // Nothing waits now: a second redrive has nothing to do.
    expect(await mig(cwd, ['redrive', NAME])).toContain('nothing to re-drive');
  }, 240_000);
});

describe('Kafka destination: dead-letter topic, redrive after maxMessageBytes is raised', () => {
  const DB = uniqueName('dlk');
  const NAME = 'dl-kafka';
  const TOPIC = `${DB}.data`;
  const DLQ = `${DB}.dead`;
  let cwd: string;
  const spec = (maxBytes: number) => `apiVersion: mig/v1
kind: Migration
metadata: { name: ${NAME} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: { type: kafka, brokers: ['${KAFKA_BROKERS[0]}'], topic: ${TOPIC}, format: canal-json, maxMessageBytes: ${maxBytes} }
  onError: dead-letter
  deadLetter: { topic: ${DLQ} }
  objects:
    - database: ${DB}
      tables: [{ name: docs }]
`;

  beforeAll(async () => {
    await conn.query(`CREATE DATABASE ${DB}; CREATE TABLE ${DB}.docs (id INT PRIMARY KEY, body TEXT)`);
    await conn.query(`INSERT INTO ${DB}.docs VALUES (1, 'small'), (2, REPEAT('x', 3000))`);
    cwd = project('dl-kafka', spec(2048));
  });

  afterAll(async () => {
    await conn.query(`DROP DATABASE IF EXISTS ${DB}`);
    await deleteTopics([TOPIC, DLQ]);
  });

  it('writes an oversized row to the dead-letter topic, and its current row to the data topic on redrive', async () => {
    await mig(cwd, ['apply', '--auto-approve', '--until-caught-up']);
    await conn.query(`INSERT INTO ${DB}.docs VALUES (3, REPEAT('y', 2500)), (4, 'fine')`);
    await mig(cwd, ['apply', '--auto-approve', '--until-caught-up']);
    const data = await readTopic(TOPIC);
    const ids = (ms: { value: string }[]) => ms.map((m) => JSON.parse(m.value).data?.[0]?.id).filter(Boolean);
    expect(ids(data)).toEqual(['1', '4']);
    const dead = (await readTopic(DLQ)).map((m) => JSON.parse(m.value));
    expect(dead.map((d) => `${d.op} ${d.key}`)).toEqual(['snapshot ["2"]', 'insert ["3"]']);
    expect(dead[0]).toMatchObject({ migration: NAME, table: `${DB}.docs`, error: { code: 'row-too-large' } });
    // Too large for a message, so too large for its dead letter: the letter keeps the key and the error.
    expect(dead[0]).toMatchObject({ imagesLeftOut: true });
    expect(dead[0].after).toBeUndefined();
    expect(await mig(cwd, ['status', '--no-color'])).toContain(`2 dead-lettered to ${DLQ}`);

    // Fixed: larger messages allowed. The plan shows the setting; redrive writes rows 2 and 3 again.
    writeFileSync(path.join(cwd, 'migrations.d', 'm.yaml'), spec(1 << 20));
    await mig(cwd, ['apply', '--auto-approve']);
    await conn.query(`UPDATE ${DB}.docs SET body = REPEAT('z', 2600) WHERE id = 3`);
    const out = await mig(cwd, ['redrive', NAME]);
    expect(out).toMatch(/0 set-aside change\(s\) still waiting/);
    const after = await readTopic(TOPIC);
    const last = new Map<string, string>();
    for (const m of after) {
      const v = JSON.parse(m.value);
      for (const row of v.data ?? []) last.set(row.id, row.body);
    }
    expect(last.get('2')).toHaveLength(3000);
    expect(last.get('3')).toBe('z'.repeat(2600));
    console.log(`[dead-letters] Kafka: ${dead.length} dead letters in ${DLQ}; data topic ${data.length} → ${after.length} messages after redrive`);
  }, 240_000);
});

describe('a runner holds the migration (exactly-once Kafka): redrive is taken up while it streams', () => {
  const DB = uniqueName('dlr');
  const NAME = 'dl-runner';
  const TOPIC = `${DB}.data`;
  let cwd: string;
  let runner: BackgroundMig | undefined;
  const spec = (maxBytes: number) => `apiVersion: mig/v1
kind: Migration
metadata: { name: ${NAME} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: { type: kafka, brokers: ['${KAFKA_BROKERS[0]}'], topic: ${TOPIC}, format: canal-json, maxMessageBytes: ${maxBytes}, delivery: exactly-once }
  onError: dead-letter
  objects:
    - database: ${DB}
      tables: [{ name: docs }]
`;

  beforeAll(async () => {
    await conn.query(`CREATE DATABASE ${DB}; CREATE TABLE ${DB}.docs (id INT PRIMARY KEY, body TEXT)`);
    await conn.query(`INSERT INTO ${DB}.docs VALUES (1, 'small')`);
    cwd = project('dl-runner', spec(2048));
  });

  afterAll(async () => {
    await killIfRunning(runner);
    await conn.query(`DROP DATABASE IF EXISTS ${DB}`);
    await deleteTopics([TOPIC, `mig.dead-letters.${NAME}`]);
  });

  it('dead-letters inside the Kafka transaction, and re-drives while the runner streams', async () => {
    await mig(cwd, ['apply', '--auto-approve']);
    runner = startMig(['run', NAME], { cwd });
    await runner.waitForOutput(/streaming/, 60_000);
    await conn.query(`INSERT INTO ${DB}.docs VALUES (2, REPEAT('x', 3000)), (3, 'fine')`);
    await waitUntil('the dead letter', 60_000, async () => ((await committed(`mig.dead-letters.${NAME}`).catch(() => [])).length === 1 ? true : undefined));
    writeFileSync(path.join(cwd, 'migrations.d', 'm.yaml'), spec(1 << 20));
    await mig(cwd, ['apply', '--auto-approve', '--wait', '60s']);
    // Writes go on while the runner re-drives.
    const writes = (async () => {
      for (let i = 10; i < 60; i++) await conn.query(`INSERT INTO ${DB}.docs VALUES (${i}, 'w${i}')`);
    })();
    const out = await mig(cwd, ['redrive', NAME, '--wait', '60s']);
    expect(out).toMatch(/the runner holding its lease \(pid \d+/);
    await writes;
    const ids = await waitUntil('every row in the data topic', 60_000, async () => {
      const seen = new Set((await committed(TOPIC)).flatMap((m) => (JSON.parse(m.value).data ?? []).map((r: { id: string }) => r.id)));
      return seen.size === 53 ? seen : undefined;
    });
    expect([...ids].sort((a, b) => Number(a) - Number(b)).slice(0, 3)).toEqual(['1', '2', '3']);
    await waitUntil('status shows it re-driven', 30_000, async () => ((await mig(cwd, ['status', '--no-color'])).includes('1 re-driven, 0 waiting') ? true : undefined));
    expect(runner.output()).toMatch(/re-drove 1 set-aside change\(s\): 1 current row\(s\) written again/);
    console.log(`[dead-letters] runner: dead letter inside the transaction, redrive taken up while streaming; data topic holds ${ids.size} keys`);
    runner.child.kill('SIGTERM');
    expect((await runner.exited).code).toBe(0);
  }, 300_000);
});

describe('Tablestore destination: dead-letter table and redrive', () => {
  const DB = uniqueName('dlts');
  const NAME = 'dl-tablestore';
  let server: TablestoreTestServer;
  let cwd: string;
  let env: Record<string, string>;
  const tmig = async (args: string[]) => {
    const r = await runMig(args, { cwd, env });
    if (r.code !== 0) throw new Error(`mig ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout + r.stderr;
  };

  beforeAll(async () => {
    server = await startTablestoreServer();
    env = tablestoreEnv(server);
    await conn.query(`CREATE DATABASE ${DB}; CREATE TABLE ${DB}.accounts (id INT PRIMARY KEY, big BIGINT UNSIGNED)`);
    // 2^64-1 does not fit Tablestore's signed INTEGER: the row is refused.
    await conn.query(`INSERT INTO ${DB}.accounts VALUES (1, 10), (2, 18446744073709551615)`);
    cwd = project('dl-ts', tablestoreSpec({ name: NAME, port: MYSQL_PORT, server, chunkSize: 100, objects: `    - database: ${DB}\n      tables: [{ name: accounts }]\n` }).replace('  types: [schema, full, incremental]', '  types: [schema, full, incremental]\n  onError: dead-letter'));
  });

  afterAll(async () => {
    await conn.query(`DROP DATABASE IF EXISTS ${DB}`);
    await server?.close();
  });

  it('writes refused rows to mig_dead_letters, and their current rows on redrive', async () => {
    await tmig(['apply', '--auto-approve', '--until-caught-up']);
    await conn.query(`INSERT INTO ${DB}.accounts VALUES (3, 18446744073709551614), (4, 40)`);
    await tmig(['apply', '--auto-approve', '--until-caught-up']);
    expect(server.rows('accounts').map((r) => String(r.primaryKey.id)).sort()).toEqual(['1', '4']);
    const letters = server.rows('mig_dead_letters').map((r) => JSON.parse(String(r.attributes.document)));
    expect(letters.map((l) => `${l.op} ${l.table} ${l.after.id}`).sort()).toEqual([`insert ${DB}.accounts 3`, `snapshot ${DB}.accounts 2`]);
    expect(letters[0].error.code).toBe('tablestore-conversion');
    // The cause fixed at the source: the values now fit; redrive writes the current rows.
    await conn.query(`UPDATE ${DB}.accounts SET big = id * 10 WHERE id IN (2, 3)`);
    const out = await tmig(['redrive', NAME]);
    expect(out).toMatch(/0 set-aside change\(s\) still waiting/);
    expect(server.rows('accounts').map((r) => `${r.primaryKey.id}=${r.attributes.big}`).sort()).toEqual(['1=10', '2=20', '3=30', '4=40']);
    console.log(`[dead-letters] Tablestore: ${letters.length} dead letters in mig_dead_letters, all 4 rows present after redrive`);
  }, 240_000);
});
