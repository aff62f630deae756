// A real pt-online-schema-change (Debian's percona-toolkit; scripts/services.sh installs it with the
// test MariaDB) altering a migrated table while a writer changes it and mig apply --follow streams:
// to Kafka with the database taken whole, and to a MySQL destination. Every statement of the writer
// arrives once and in order before, during and after the swap; the helper table's rows and
// statements (the copy, the triggers' copies, CREATE/ALTER/ANALYZE/DROP, the triggers) go nowhere;
// the swap arrives as the ALTER pt-osc ran on `_orders_new`, naming `orders`; nothing is copied
// again. An aborted run (--no-swap-tables: the new table dropped without a swap) leaves nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { KAFKA_BROKERS, MYSQL_PORT, uniqueName } from '../integration/helpers/env.js';
import { readTopic } from '../integration/helpers/kafka.js';
import { runMig } from './helpers/run-mig.js';
import { textConnection } from './helpers/tidb.js';
import { startWriteLoad, type LoadTable } from './helpers/write-load.js';
import { checkKafkaStream, follow, oscProject, ordersTable, type Phases } from './helpers/online-schema-change.js';

const ROWS = 2000;
const ALTER = "ADD COLUMN extra VARCHAR(20) NOT NULL DEFAULT 'x'";
let conn: Connection;
const databases: string[] = [];

beforeAll(async () => {
  conn = await textConnection();
});

afterAll(async () => {
  for (const d of databases) await conn.query(`DROP DATABASE IF EXISTS ${d}`);
  await conn.end();
});

function ptOsc(db: string, extra: string[] = []): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('pt-online-schema-change', [
      '--alter', ALTER, `h=127.0.0.1,P=${MYSQL_PORT},u=root,D=${db},t=orders`, '--execute',
      '--recursion-method=none', '--chunk-size=100', '--sleep=0.1', ...extra,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** A writer on `db`.orders before, during and after a pt-osc run; the statements split by phase. */
async function writeAcrossRun(db: string, table: LoadTable): Promise<Phases> {
  const load = startWriteLoad(conn, { tables: [table], perSecond: 40, insertShare: 0.4, deleteShare: 0.2 });
  await new Promise((r) => setTimeout(r, 1500));
  const started = load.ops.length;
  const run = await ptOsc(db);
  expect(run.code, run.out).toBe(0);
  expect(run.out).toContain(`Successfully altered \`${db}\`.\`orders\``);
  const finished = load.ops.length;
  await new Promise((r) => setTimeout(r, 1500));
  await load.stop();
  return { ops: load.ops, started, finished };
}

const tableState = (cwd: string, name: string, id: string) => JSON.stringify(JSON.parse(readFileSync(path.join(cwd, '.mig', 'state.json'), 'utf8')).migrations[name].tables[id]);

describe('pt-online-schema-change on a migrated table', () => {
  it('Kafka, database taken whole: every change once and in order across the swap, which is one ALTER', async () => {
    const db = uniqueName('ptosck');
    databases.push(db);
    const topic = `${db}.all`;
    const table = await ordersTable(conn, db, ROWS);
    const cwd = oscProject('ptosc-kafka', `{ type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${topic}, partitions: 1 }`, `[{ database: ${db} }]`);
    const a1 = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(a1.code, a1.stdout + a1.stderr).toBe(0);
    const copied = tableState(cwd, 'ptosc-kafka', `${db}.orders`);

    const f = await follow(cwd);
    // An aborted run first: the new table is dropped without a swap.
    const aborted = await ptOsc(db, ['--no-swap-tables']);
    expect(aborted.code, aborted.out).toBe(0);
    const p = await writeAcrossRun(db, table);
    const expected = ROWS + p.ops.length + 1;
    await f.until(async () => (await readTopic(topic)).length >= expected, `not every message arrived (${expected} expected)`);
    expect(await f.stop(), f.output()).toBe(0);

    const messages = await readTopic(topic);
    expect(messages).toHaveLength(expected);
    const figures = checkKafkaStream(messages, ROWS, p, /_orders_new|_orders_old|pt_osc_/);
    console.log(`pt-osc → Kafka: ${JSON.stringify(figures)}`);
    expect(figures.ddl).toEqual([`ALTER TABLE \`${db}\`.\`orders\` ${ALTER}`]);
    expect(figures.rowsBeforeSwap).toBeGreaterThanOrEqual(p.started);
    expect(figures.rowsBeforeSwap).toBeLessThanOrEqual(p.finished);
    // Rows after the swap carry the new column.
    const last = JSON.parse(messages.at(-1)!.value) as { data: Record<string, string>[] };
    expect(last.data[0]).toHaveProperty('extra');
    // No re-snapshot: the table's record is as the full load left it, and the plan has nothing to do.
    expect(tableState(cwd, 'ptosc-kafka', `${db}.orders`)).toBe(copied);
    expect(f.output()).not.toContain('_orders_new');
    const plan = await runMig(['plan', '--detailed-exitcode'], { cwd });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });

  it('MySQL destination: the mapped table gets the new column, and matches the source row for row', async () => {
    const db = uniqueName('ptoscm');
    const dst = uniqueName('ptoscmdst');
    const cp = uniqueName('ptoscmcp');
    databases.push(db, dst, cp);
    const table = await ordersTable(conn, db, ROWS);
    const cwd = oscProject('ptosc-mysql', `{ type: mysql, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root, checkpointDatabase: ${cp} }`, `[{ database: ${db}, target: ${dst}, tables: [{ name: orders }] }]`);
    const a1 = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(a1.code, a1.stdout + a1.stderr).toBe(0);
    const copied = tableState(cwd, 'ptosc-mysql', `${db}.orders`);

    const f = await follow(cwd);
    const aborted = await ptOsc(db, ['--no-swap-tables']);
    expect(aborted.code, aborted.out).toBe(0);
    const p = await writeAcrossRun(db, table);
    const dump = async (d: string) => (await conn.query<RowDataPacket[]>(`SELECT * FROM ${d}.orders ORDER BY id`))[0];
    const src = await dump(db);
    await f.until(async () => JSON.stringify(await dump(dst)) === JSON.stringify(src), 'the destination never matched the source');
    expect(await f.stop(), f.output()).toBe(0);

    const [cols] = await conn.query<RowDataPacket[]>(`SHOW COLUMNS FROM ${dst}.orders`);
    expect(cols.map((c) => c.Field)).toEqual(['id', 'grp', 'n', 'note', 'extra']);
    const [tables] = await conn.query<RowDataPacket[]>(`SHOW TABLES FROM ${dst}`);
    expect(tables.map((t) => Object.values(t)[0])).toEqual(['orders']);
    const ids = (ops: Phases['ops']) => new Set(ops.filter((o) => o.op === 'insert').map((o) => o.id));
    const rows = new Set(src.map((r) => Number(r.id)));
    const landed = (ops: Phases['ops']) => [...ids(ops)].filter((id) => rows.has(id)).length;
    console.log(`pt-osc → MySQL: ${JSON.stringify({
      statements: { before: p.started, during: p.finished - p.started, after: p.ops.length - p.finished },
      insertedRowsStillThere: { before: landed(p.ops.slice(0, p.started)), during: landed(p.ops.slice(p.started, p.finished)), after: landed(p.ops.slice(p.finished)) },
      sourceRows: src.length, destinationRows: (await dump(dst)).length,
    })}`);
    // The writer's statements and the swap's ALTER, nothing else: no row of `_orders_new` was read as a change.
    expect(f.output()).toContain(`${p.ops.length + 1} change(s) written (read ${p.ops.length + 1}, filtered 0, skipped 0)`);
    expect(tableState(cwd, 'ptosc-mysql', `${db}.orders`)).toBe(copied);
  });
});
