// mig cutover: the end of a migration, proven. Waits until the migration's lag is under a threshold,
// optionally makes the source read-only (statements shown and approved first), waits until the
// stream has reached the source's final position, verifies every table, and only when all are equal
// records the cutover in the state, where mig status shows it.
import type { Migration } from '../spec/schema.js';
import type { StateStore } from '../state/store.js';
import type { CutoverRecord } from '../state/model.js';
import { connectSource } from '../connectors/sources/mysql/connect.js';
import { endpointFor } from '../connectors/sources/mysql/endpoint.js';
import { sourceLag } from '../engine/lag.js';
import { loadValid } from '../plan/make.js';
import { MigError } from '../util/errors.js';
import type { RowDataPacket } from 'mysql2/promise';
import { connectDestination } from '../connectors/sinks/mysql/connect.js';
import { mysqlEndpoint } from '../connectors/sinks/mysql/destination.js';
import { streams, waitForCatchUp } from './catch-up.js';
import { reverseSpecText } from './reverse-spec.js';
import { verify, type VerifyOptions } from './run.js';
import type { VerifyReport } from './report.js';

/** What makes a MySQL-family source read-only: writes without SUPER (or READ_ONLY ADMIN) are refused. */
export const LOCK_SOURCE_STATEMENTS = ['SET GLOBAL read_only = ON'];

export type CutoverStep =
  | { step: 'lag'; seconds: number | null }
  | { step: 'source-locked'; statements: string[] }
  | { step: 'caught-up'; position: string }
  | { step: 'verifying' };

export interface CutoverOptions extends Omit<VerifyOptions, 'migration' | 'target'> {
  migration: string;
  /** Lag at or under which the source may be locked and the final catch-up starts. */
  maxLagSeconds: number;
  /** How long the lag and the final catch-up may each take. */
  timeoutMs: number;
  lockSource: boolean;
  /** Also write the reverse migration (destination → source) for a MySQL destination. */
  reverse?: boolean;
  /** Asked before the source is made read-only; false stops the cutover. */
  approve: (statements: string[]) => Promise<boolean>;
  onStep?: (s: CutoverStep) => void;
}

export type CutoverResult =
  | { recorded: true; cutover: CutoverRecord; report: VerifyReport; reverseSpec?: string }
  | { recorded: false; reason: string; report?: VerifyReport; sourceReadOnly: boolean };

export async function cutover(o: CutoverOptions): Promise<CutoverResult> {
  const m = (await loadValid(o.specDir)).map((l) => l.migration).find((x) => x.metadata.name === o.migration);
  if (!m) throw new MigError('migration-unknown', `no migration named ${o.migration} in ${o.specDir}`, 'name a migration of the spec directory');
  if (!(await o.store.read()).migrations[m.metadata.name]) throw new MigError('migration-not-applied', `${o.migration} has not been applied`, 'run mig apply first');
  // Refused before anything waits or locks, not after the cutover.
  if (o.reverse) reverseSpecText(m, 'mysql');
  let position: string | undefined;
  let locked = false;
  if (streams(m)) {
    await waitForLag(m, o);
    if (o.lockSource) {
      if (!(await o.approve(LOCK_SOURCE_STATEMENTS))) return { recorded: false, reason: 'making the source read-only was not approved', sourceReadOnly: false };
      await runOnSource(m, o.specDir, LOCK_SOURCE_STATEMENTS);
      locked = true;
      o.onStep?.({ step: 'source-locked', statements: LOCK_SOURCE_STATEMENTS });
    }
    const c = await waitForCatchUp(m, o.store, o.specDir, o.timeoutMs);
    if (!c.ok) return { recorded: false, reason: c.reason, sourceReadOnly: locked };
    position = c.position;
    o.onStep?.({ step: 'caught-up', position });
  }
  o.onStep?.({ step: 'verifying' });
  const report = await verify({ ...o, migration: m.metadata.name });
  if (!report.equal) return { recorded: false, reason: 'the destination differs from the source', report, sourceReadOnly: locked };
  const tables = report.migrations.flatMap((r) => r.tables);
  const record: CutoverRecord = { at: new Date().toISOString(), ...(position ? { position } : {}), sourceReadOnly: locked, tables: tables.length, rows: tables.reduce((a, t) => a + t.sourceRows, 0) };
  await recordCutover(o.store, m.metadata.name, record);
  return { recorded: true, cutover: record, report, ...(o.reverse ? { reverseSpec: reverseSpecText(m, await destinationFlavor(m, o.specDir)) } : {}) };
}

/** Polls the migration's lag until it is at most the threshold. */
async function waitForLag(m: Migration, o: CutoverOptions): Promise<void> {
  const started = Date.now();
  for (;;) {
    const ms = (await o.store.read()).migrations[m.metadata.name]!;
    const lag = await sourceLag(m, ms, o.specDir);
    o.onStep?.({ step: 'lag', seconds: lag });
    if (lag !== null && lag <= o.maxLagSeconds) return;
    if (Date.now() - started > o.timeoutMs) {
      throw new MigError('cutover-lag', `${m.metadata.name}: lag stayed ${lag === null ? 'unknown' : `${lag} s`}, over --max-lag ${o.maxLagSeconds} s, for ${Math.round(o.timeoutMs / 1000)} s`, 'make sure mig apply --follow or mig run streams the migration, then run mig cutover again (or raise --max-lag or --timeout)');
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** What the destination server reports itself as, for the reverse migration's source type. */
async function destinationFlavor(m: Migration, specDir: string): Promise<'mysql' | 'mariadb'> {
  const d = m.spec.destination;
  if (d.type !== 'mysql') return 'mysql';
  const conn = await connectDestination(await mysqlEndpoint(m, d, specDir));
  try {
    const [rows] = await conn.query<RowDataPacket[]>('SELECT VERSION() AS v');
    return /mariadb/i.test(String(rows[0]?.v)) ? 'mariadb' : 'mysql';
  } finally {
    await conn.end().catch(() => undefined);
  }
}

async function runOnSource(m: Migration, specDir: string, statements: string[]): Promise<void> {
  const conn = await connectSource(await endpointFor(m, specDir));
  try {
    for (const sql of statements) await conn.query(sql);
  } catch (e) {
    throw new MigError('cutover-lock-source', `making the source read-only failed: ${(e as Error).message}`, 'grant the migration user SUPER (or READ_ONLY ADMIN on MySQL 8), or make the source read-only yourself and run mig cutover without --lock-source');
  } finally {
    await conn.end().catch(() => undefined);
  }
}

/** Writes the record into the migration's state; a runner checkpointing meanwhile only makes it read again. */
async function recordCutover(store: StateStore, name: string, record: CutoverRecord): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const state = await store.read();
    const ms = state.migrations[name];
    if (!ms) throw new MigError('migration-not-applied', `${name} is no longer in the state`, 'run mig apply first');
    ms.cutover = record;
    try {
      await store.write(state);
      return;
    } catch (e) {
      if (!(e instanceof MigError && e.code === 'state-conflict') || attempt >= 20) throw e;
    }
  }
}
