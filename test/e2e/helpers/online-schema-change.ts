// Shared by the online-schema-change tests (a real pt-online-schema-change run, gh-ost's statement
// sequence by hand): mig apply --follow in the background, and the figures that show every change
// of the original table arrived once, in order, across the swap, with the swap as one ALTER.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { expect } from 'vitest';
import { MYSQL_PORT } from '../../integration/helpers/env.js';
import { fillLoadTable, LOAD_TABLE_COLUMNS, type LoadOp, type LoadTable } from './write-load.js';
import { spawnMig } from './run-mig.js';
import type { ReadMessage } from '../../integration/helpers/kafka.js';

/** A project directory with one migration from the test MariaDB to `destination`. */
export function oscProject(name: string, destination: string, objects: string): string {
  const cwd = mkdtempSync(path.join(tmpdir(), `mig-${name}-`));
  mkdirSync(path.join(cwd, 'migrations.d'));
  writeFileSync(path.join(cwd, 'migrations.d', 'm.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: ${name} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: ${destination}
  objects: ${objects}
`);
  return cwd;
}

/** `db`.orders, created with the write load's shape and `rows` rows. */
export async function ordersTable(conn: Connection, db: string, rows: number): Promise<LoadTable> {
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.orders (${LOAD_TABLE_COLUMNS})`);
  return fillLoadTable(conn, `${db}.orders`, rows);
}

export interface Follow {
  /** Everything mig printed so far. */
  output(): string;
  /** Waits until `what` holds (polled), failing with mig's output after `ms`. */
  until(what: () => Promise<boolean> | boolean, label: string, ms?: number): Promise<void>;
  /** SIGTERM, and the exit code. */
  stop(): Promise<number | null>;
}

/** `mig apply --follow` in `cwd`, once it streams. */
export async function follow(cwd: string): Promise<Follow> {
  const child: ChildProcess = spawnMig(['apply', '--auto-approve', '--follow'], { cwd });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const f: Follow = {
    output: () => out,
    until: async (what, label, ms = 60_000) => {
      const deadline = Date.now() + ms;
      while (!(await what())) {
        if (Date.now() > deadline) throw new Error(`${label}: ${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
  await f.until(() => out.includes('streaming from'), 'never started streaming');
  return f;
}

/** The writer's statements split at the points the tool started and finished. */
export interface Phases {
  ops: LoadOp[];
  /** Index of the first statement once the tool was started, and once it had finished. */
  started: number;
  finished: number;
}

type Canal = { type: string; isDdl: boolean; sql: string; table: string; data: Record<string, string | null>[] | null };

export interface KafkaFigures {
  snapshotRows: number;
  statements: { before: number; during: number; after: number };
  messages: { before: number; during: number; after: number };
  duplicates: number;
  /** Row messages before the DDL message: where the swap fell in the stream. */
  rowsBeforeSwap: number;
  ddl: string[];
}

/**
 * Checks a one-partition topic: the snapshot's rows first, then exactly the writer's statements,
 * in order, once each, with one DDL message (the reconstructed ALTER) among them and nothing of
 * the helper tables; returns the figures for the test's output.
 */
export function checkKafkaStream(messages: ReadMessage[], snapshotRows: number, p: Phases, helpers: RegExp): KafkaFigures {
  for (const m of messages) expect(m.value, 'a message names a helper table').not.toMatch(helpers);
  const all = messages.map((m) => JSON.parse(m.value) as Canal);
  const snapshot = all.slice(0, snapshotRows);
  expect(snapshot.every((m) => m.type === 'INSERT')).toBe(true);
  expect(new Set(snapshot.map((m) => m.data![0]!.id)).size).toBe(snapshotRows);
  const stream = all.slice(snapshotRows);
  const ddl = stream.filter((m) => m.isDdl);
  const rows = stream.filter((m) => !m.isDdl);
  const key = (type: string, id: string, n: string) => `${type} ${id} n=${n}`;
  const got = rows.map((m) => key(m.type, m.data![0]!.id!, m.data![0]!.n!));
  const want = p.ops.map((o) => key(o.op.toUpperCase(), String(o.id), String(o.n)));
  const seen = new Map<string, number>();
  for (const g of got) seen.set(g, (seen.get(g) ?? 0) + 1);
  const duplicates = [...seen.values()].reduce((n, c) => n + c - 1, 0);
  const inPhase = (from: number, to: number) => got.slice(from, to).filter((g, i) => g === want[from + i]).length;
  const figures: KafkaFigures = {
    snapshotRows: snapshot.length,
    statements: { before: p.started, during: p.finished - p.started, after: p.ops.length - p.finished },
    messages: { before: inPhase(0, p.started), during: inPhase(p.started, p.finished), after: inPhase(p.finished, want.length) },
    duplicates,
    rowsBeforeSwap: stream.findIndex((m) => m.isDdl),
    ddl: ddl.map((m) => m.sql),
  };
  expect(got).toEqual(want);
  expect(duplicates).toBe(0);
  return figures;
}
