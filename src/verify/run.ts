// `mig verify` end to end for each chosen migration: the spec resolved against the live source as
// apply resolves it, the destination's verifier opened through its sink kind, each table verified
// (and re-checked after the migration catches up when it streams), all gathered into one report.
import type { Migration } from '../spec/schema.js';
import type { StateStore } from '../state/store.js';
import type { DesiredTable } from '../model/targets.js';
import type { TableInfo } from '../model/source-data.js';
import type { DestinationVerifier } from '../connectors/contract.js';
import { sinkKindOf } from '../connectors/registry.js';
import { connectSource, type SourceEndpoint } from '../connectors/sources/mysql/connect.js';
import { serverInfo } from '../connectors/sources/mysql/inspect.js';
import { endpointFor, loadValid } from '../plan/make.js';
import { inspectSource } from '../plan/live.js';
import { desiredFor } from '../plan/desired.js';
import { valueOptions } from '../engine/context.js';
import { MigError } from '../util/errors.js';
import { streams, waitForCatchUp, type CatchUp } from './catch-up.js';
import { verifyTable } from './table.js';
import type { MigrationReport, TableReport, VerifyReport } from './report.js';

export interface VerifyOptions {
  specDir: string;
  store: StateStore;
  /** One migration by name; all applied ones when absent. */
  migration?: string;
  /** One table, `database.table` at the source or at the destination. */
  target?: string;
  chunkRows: number;
  leafRows: number;
  /** Differences listed per table in the report. */
  sampleSize: number;
  /** How long a re-check waits for the migration to catch up. */
  catchUpTimeoutMs: number;
  /** Told as each table starts, for a progress line. */
  onTable?: (migration: string, table: string) => void;
}

/** Differences held per table for re-checks; beyond these only counts are kept. */
const KEEP = 1000;

export async function verify(o: VerifyOptions): Promise<VerifyReport> {
  const started = Date.now();
  const loaded = await loadValid(o.specDir);
  const state = await o.store.read();
  const chosen = loaded.map((l) => l.migration).filter((m) => (o.migration ? m.metadata.name === o.migration : state.migrations[m.metadata.name] !== undefined));
  if (o.migration && chosen.length === 0) {
    throw new MigError('migration-unknown', `no migration named ${o.migration} in ${o.specDir}`, `name one of: ${loaded.map((l) => l.migration.metadata.name).join(', ') || '(none)'}`);
  }
  for (const m of chosen) {
    if (!state.migrations[m.metadata.name]) throw new MigError('migration-not-applied', `${m.metadata.name} has not been applied: there is nothing at the destination to verify`, `run mig apply first`);
  }
  if (chosen.length === 0) throw new MigError('nothing-to-verify', 'no migration has been applied', 'run mig apply first');
  const migrations: MigrationReport[] = [];
  for (const m of chosen) migrations.push(await verifyMigration(m, o));
  if (o.target && migrations.every((r) => r.tables.length === 0)) {
    throw new MigError('target-unknown', `no migrated table is ${o.target}`, 'give --target as database.table, at the source or at the destination');
  }
  const tables = migrations.flatMap((r) => r.tables);
  return { equal: tables.every((t) => t.status === 'equal'), migrations, seconds: (Date.now() - started) / 1000 };
}

function selected(t: DesiredTable, target: string | undefined): boolean {
  return target === undefined || t.id === target || t.target === target;
}

async function verifyMigration(m: Migration, o: VerifyOptions): Promise<MigrationReport> {
  const name = m.metadata.name;
  const dest = m.spec.destination;
  const kind = sinkKindOf(dest);
  const report: MigrationReport = { migration: name, destination: kind.label, tables: [], notes: [] };
  if (!kind.verifier) throw new MigError('verify-unsupported', `${name}: a ${kind.label} destination cannot be verified`, 'verify it by hand');
  const endpoint = await endpointFor(m, o.specDir);
  const live = await inspectSource(m, endpoint);
  if (!live.ok) throw new MigError('source-unreachable', `${name}: cannot read the source: ${live.error}`, 'check spec.source and that the server is running');
  const desired = desiredFor(m, live);
  if (desired.errors.length > 0) throw new MigError('spec-source-mismatch', `${name}: ${desired.errors.join('; ')}`, 'fix spec.objects or create the objects on the source');
  const tables = desired.tables.filter((t) => selected(t, o.target));
  if (tables.length === 0) return report;
  const probe = await connectSource(endpoint);
  const info = await serverInfo(probe).finally(() => probe.end().catch(() => undefined));
  const mstate = (await o.store.read()).migrations[name]!;
  const verifier = await kind.verifier(dest, {
    migration: m, mstate, tables, shapes: live.tables, flavor: info.flavor, sourceVersion: info.version, specDir: o.specDir,
    openSourceSession: () => connectSource(endpoint),
    values: valueOptions(m),
  });
  const catchUp = streams(m) ? () => waitForCatchUp(m, o.store, o.specDir, o.catchUpTimeoutMs) : undefined;
  try {
    for (const t of tables) {
      o.onTable?.(name, t.id);
      report.tables.push(await verifyOne(t, live.tables.get(t.id)!, verifier, catchUp, m, o, endpoint));
    }
  } finally {
    await verifier.close();
  }
  if (!catchUp) report.notes.push('full load only (no incremental): the destination was compared as it is, without waiting');
  return report;
}

async function verifyOne(
  t: DesiredTable,
  shape: TableInfo,
  verifier: DestinationVerifier,
  catchUp: (() => Promise<CatchUp>) | undefined,
  m: Migration,
  o: VerifyOptions,
  endpoint: SourceEndpoint,
): Promise<TableReport> {
  const report: TableReport = {
    table: t.id, target: t.target, status: 'equal', method: 'checksum', sourceRows: 0, destinationRows: 0, missing: 0, extra: 0, differing: 0, sample: [], notes: [],
  };
  try {
    const tv = await verifier.table(t, shape);
    report.method = tv.mode === 'scan' ? 'scan' : tv.fallback ? 'rows' : 'checksum';
    await verifyTable({ t, shape, verifier: tv, source: () => connectSource(endpoint), chunkRows: o.chunkRows, leafRows: o.leafRows, keep: KEEP, values: valueOptions(m) }, report, catchUp);
    report.sample = report.sample.slice(0, o.sampleSize);
  } catch (e) {
    report.status = 'error';
    report.error = e instanceof MigError ? { code: e.code, message: e.message, ...(e.hint ? { fix: e.hint } : {}) } : { code: 'internal', message: (e as Error).message };
  }
  return report;
}
