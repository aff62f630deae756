// Keyless tables into a MySQL destination, full load killed with SIGKILL and run again through the
// built mig. A table without a key is read in one pass, so a resumed load reads it from the start:
// the destination table mig created is emptied first and ends with exactly the source's rows; a
// table kept under conflictMode: ignore (rows of its own) is not emptied, and the run says that
// rows may land twice. MariaDB stands in for TiDB's SQL endpoint (helpers/tidb.ts); no feed is
// needed, the spec has schema and full only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { MYSQL_PORT, uniqueName } from '../integration/helpers/env.js';
import { runMig, spawnMig } from './helpers/run-mig.js';
import { dump, textConnection } from './helpers/tidb.js';

const ROWS = 100_000;
const KEPT_ROWS = 40_000;
const SRC = uniqueName('klsrc');
const DST = uniqueName('kldst');
const NAME = 'keyless-resume';
let cwd: string;
let conn: Connection;

interface TableStateJson {
  rowsCopied: number;
  rowsReread?: number;
  targetOrigin?: string;
  fullDoneAt?: string;
}

function tableState(table: string): TableStateJson | undefined {
  const file = path.join(cwd, '.mig', 'state.json');
  if (!existsSync(file)) return undefined;
  const s = JSON.parse(readFileSync(file, 'utf8')) as { migrations: Record<string, { tables: Record<string, TableStateJson> } | undefined> };
  return s.migrations[NAME]?.tables[`${SRC}.${table}`];
}

async function count(db: string, table: string): Promise<number> {
  const [rows] = await conn.query<RowDataPacket[]>(`SELECT COUNT(*) c FROM ${db}.${table}`);
  return Number(rows[0]!.c);
}

/** Each distinct row with how often it occurs: keyless tables may hold the same row twice. */
const multiset = (db: string, table: string) => dump(conn, db, table, 'n, note, COUNT(*) AS times', '1 GROUP BY n, note');

/**
 * Starts apply and kills it with SIGKILL once `table` has at least `rows` rows checkpointed; the
 * destination table's row count right after, and what the run printed.
 */
async function killDuringLoad(table: string, rows: number): Promise<{ atKill: number; out: string }> {
  const child = spawnMig(['apply', '--auto-approve'], { cwd });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const deadline = Date.now() + 60_000;
  while ((tableState(table)?.rowsCopied ?? 0) < rows) {
    if (Date.now() > deadline) throw new Error(`the load of ${table} never reached ${rows} rows: ${out}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  // A little later, so that a chunk is usually written but not yet checkpointed when it dies.
  await new Promise((r) => setTimeout(r, 15));
  child.kill('SIGKILL');
  await exited;
  return { atKill: await count(DST, table), out };
}

beforeAll(async () => {
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-keyless-'));
  conn = await textConnection();
  await conn.query(`CREATE DATABASE ${SRC}; CREATE DATABASE ${DST}`);
  await conn.query(`CREATE TABLE ${SRC}.loose (n INT, note VARCHAR(40))`);
  await conn.query(`CREATE TABLE ${SRC}.kept (n INT, note VARCHAR(40))`);
  // Every row of loose twice: the copy must keep source duplicates and add none.
  for (let start = 0; start < ROWS; start += 10_000) {
    await conn.query(`INSERT INTO ${SRC}.loose VALUES ?`, [Array.from({ length: 10_000 }, (_, i) => [(start + i) % (ROWS / 2), `row ${(start + i) % (ROWS / 2)}`])]);
  }
  for (let start = 0; start < KEPT_ROWS; start += 10_000) {
    await conn.query(`INSERT INTO ${SRC}.kept VALUES ?`, [Array.from({ length: 10_000 }, (_, i) => [start + i, `kept ${start + i}`])]);
  }
  // Already at the destination with rows of its own: conflictMode ignore keeps it, and its rows.
  await conn.query(`CREATE TABLE ${DST}.kept (n INT, note VARCHAR(40))`);
  await conn.query(`INSERT INTO ${DST}.kept VALUES (-1, 'own'), (-2, 'own'), (-3, 'own')`);
  mkdirSync(path.join(cwd, 'migrations.d'));
  writeFileSync(path.join(cwd, 'migrations.d', 'keyless.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: ${NAME} }
spec:
  source: { type: tidb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: { type: mysql, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root, checkpointDatabase: ${DST}_cp, batchRows: 500 }
  types: [schema, full]
  full: { chunkSize: 1000 }
  conflictMode: ignore
  precheck: { ignore: [source.primary-key] }
  objects:
    - database: ${SRC}
      target: ${DST}
      tables: [{ name: loose }, { name: kept }]
`);
});

afterAll(async () => {
  await conn.query(`DROP DATABASE IF EXISTS ${SRC}; DROP DATABASE IF EXISTS ${DST}; DROP DATABASE IF EXISTS ${DST}_cp`);
  await conn.end();
});

describe('keyless tables into MySQL: kill -9 during the full load', () => {
  it('a table mig created is emptied before its load starts over: exactly the source rows', async () => {
    const plan = await runMig(['plan'], { cwd });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain('its destination table is emptied first when this migration created it');

    const { atKill } = await killDuringLoad('loose', ROWS / 3);
    const killed = tableState('loose')!;
    expect(killed.targetOrigin).toBe('created');
    expect(tableState('kept')!.targetOrigin).toBe('kept');
    expect(killed.fullDoneAt).toBeUndefined();
    expect(atKill).toBeGreaterThanOrEqual(killed.rowsCopied);
    console.log(`keyless kill -9: ${killed.rowsCopied} rows checkpointed, ${atKill} at the destination`);

    // Killed again while the kept table loads: it is not emptied, so its first rows land twice.
    const second = await killDuringLoad('kept', KEPT_ROWS / 3);
    expect(second.out).toContain(`emptied ${DST}.loose (created by this migration)`);
    const keptAtKill = second.atKill;
    expect(keptAtKill).toBeGreaterThan(3);
    expect(await count(DST, 'loose')).toBe(ROWS);
    expect(await multiset(DST, 'loose')).toEqual(await multiset(SRC, 'loose'));
    expect(tableState('loose')!.rowsReread).toBe(killed.rowsCopied);

    const last = await runMig(['apply', '--auto-approve'], { cwd });
    expect(last.code, last.stdout + last.stderr).toBe(0);
    expect(last.stdout).toContain(`without emptying ${DST}.kept first, since it was already there`);
    expect(last.stdout).not.toContain(`emptied ${DST}.kept`);
    // The destination's own rows stay, and what the killed run wrote is there a second time.
    expect(await count(DST, 'kept')).toBe(keptAtKill + KEPT_ROWS);
    expect(await count(DST, 'loose')).toBe(ROWS);
    expect(await multiset(DST, 'loose')).toEqual(await multiset(SRC, 'loose'));
  });
});
