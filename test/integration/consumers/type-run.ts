// A real `mig apply` over the type-parity table (test/support/type-sql.ts): a full load of its three
// rows, then in the binlog an INSERT of each row, UPDATEs whose old values are a whole row (values to
// other values, NULLs to values), a DELETE, an ALTER and an INSERT after it. DDL goes to a ddlTopic,
// so the data topic holds only row messages.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { rootConnection, uniqueName, MYSQL_PORT, KAFKA_BROKERS } from '../helpers/env.js';
import { readTopic, type ReadMessage } from '../helpers/kafka.js';
import { runMig } from '../../e2e/helpers/run-mig.js';
import { typeTableSql } from '../../support/type-sql.js';
import { COLUMNS, ROWS } from '../../support/type-table.js';
import type { Row } from '../../../src/model/source-data.js';

export type Op = 'INSERT' | 'UPDATE' | 'DELETE';
/** One expected row message: the operation, the row after (before for DELETE), the row before (UPDATE). */
export interface Expected { op: Op; row: Row; old?: Row }

const withId = (r: Row, id: number): Row => ({ ...r, id: String(id) });
const [R1, R2, RN] = ROWS as [Row, Row, Row];

/** The row messages the data topic must hold, in order (one partition). */
export const EXPECTED: Expected[] = [
  // full load
  { op: 'INSERT', row: R1 }, { op: 'INSERT', row: R2 }, { op: 'INSERT', row: RN },
  // binlog
  { op: 'INSERT', row: withId(R1, 11) }, { op: 'INSERT', row: withId(R2, 12) }, { op: 'INSERT', row: withId(RN, 13) },
  { op: 'UPDATE', row: withId(R2, 11), old: withId(R1, 11) },
  { op: 'UPDATE', row: withId(R1, 13), old: withId(RN, 13) },
  { op: 'DELETE', row: withId(R2, 12) },
  { op: 'INSERT', row: { ...withId(RN, 21), extra: '7' } },
];

export interface TypeRun { db: string; data: ReadMessage[]; ddl: ReadMessage[]; drop(): Promise<void> }

export async function typeRun(prefix: string, format: 'canal-json' | 'dts-avro'): Promise<TypeRun> {
  const db = uniqueName(prefix);
  const conn = await rootConnection();
  const sql = typeTableSql({ mariadbTypes: true });
  await conn.query(`SET SESSION sql_mode = 'ALLOW_INVALID_DATES'; SET time_zone = '+00:00'`);
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.t (${sql.columns})`);
  for (const r of sql.rows) await conn.query(`INSERT INTO ${db}.t VALUES ${r}`);

  const cwd = mkdtempSync(path.join(tmpdir(), `mig-${prefix}-`));
  mkdirSync(path.join(cwd, 'migrations.d'));
  writeFileSync(path.join(cwd, 'migrations.d', 'm.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: ${prefix.replace(/_/g, "-")} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: { type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${db}.t, ddlTopic: ${db}.ddl, format: ${format}, partitions: 1 }
  objects: [{ database: ${db} }]
`);
  const a1 = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
  expect(a1.code, a1.stdout + a1.stderr).toBe(0);

  // The same rows again through the binlog, under new ids.
  for (const r of sql.rows) await conn.query(`INSERT INTO ${db}.t VALUES ${r.replace(/^\((\d+)/, (_, id: string) => `(${10 + Number(id)}`)}`);
  const copy = (to: number, from: number) => `UPDATE ${db}.t a JOIN ${db}.t b ON b.id = ${from}
    SET ${COLUMNS.filter((c) => c.name !== 'id').map((c) => `a.${c.name} = b.${c.name}`).join(', ')} WHERE a.id = ${to}`;
  await conn.query(copy(11, 2));
  await conn.query(copy(13, 1));
  await conn.query(`DELETE FROM ${db}.t WHERE id = 12`);
  await conn.query(`ALTER TABLE ${db}.t ADD COLUMN extra INT NULL`);
  await conn.query(`INSERT INTO ${db}.t (id, extra) VALUES (21, 7)`);
  const a2 = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
  expect(a2.code, a2.stdout + a2.stderr).toBe(0);

  const data = await readTopic(`${db}.t`);
  const ddl = await readTopic(`${db}.ddl`);
  return {
    db, data, ddl,
    drop: async () => {
      await conn.query(`DROP DATABASE IF EXISTS ${db}`);
      await conn.end();
    },
  };
}

/** A source value as Canal JSON text: BIT as its unsigned number, other bytes one character each. */
export function canalText(name: string, v: Row[string]): string | null {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return name === 'b1' || name === 'b64' ? BigInt(`0x0${v.toString('hex')}`).toString() : v.toString('latin1');
  return String(v);
}
export const textRow = (r: Row): Record<string, string | null> => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, canalText(k, v)]));
