// The MySQL destination during apply: databases, tables and views created from the source's own
// definitions (schema phase), the full load as idempotent multi-row INSERTs, and source transactions
// applied through the applier together with their checkpoint.
import type { Connection } from 'mysql2/promise';
import type { Migration, MysqlDestination } from '../../../spec/schema.js';
import { projectRootOf, resolveMigrationSecrets } from '../../../spec/secrets.js';
import type { MigrationState } from '../../../state/model.js';
import type { DesiredTable } from '../../../model/targets.js';
import type { Row, TableInfo } from '../../../model/source-data.js';
import {
  MysqlApplier, TargetNames, checkNoConflicts, connectDestination, createDatabase, createTable, createViews, listViews,
  type DestinationEndpoint, type TableRef,
} from './index.js';
import type { ApplyHook } from '../../../model/events.js';
import type { SinkCapabilities, SinkOpenRequest, TransactionalSink } from '../../contract.js';
import { classifyMysqlError } from './connect.js';
import { deadLetterRefOf, deadLetterTableSql, type RefusalOptions } from './refusals.js';
import { migrationOnError, tableOnError } from '../../../spec/error-policy.js';
import { settleRefusal, type Refusal } from '../../dead-letter.js';

export interface MysqlLoadItem {
  source: TableRef;
  row: Row;
}

export async function mysqlEndpoint(m: Migration, dest: MysqlDestination, specDir: string): Promise<DestinationEndpoint> {
  const projectRoot = projectRootOf(specDir);
  const secrets = await resolveMigrationSecrets(m, { projectRoot });
  return { spec: dest, password: secrets.get('spec.destination.password')?.value, projectRoot };
}

/**
 * Creates what the destination lacks: each database, then each table not created in an earlier run
 * (a conflicting existing table fails under conflictMode: error), then the views of databases
 * migrated whole. Tables are created from SHOW CREATE TABLE with the spec's names. Whether mig
 * created each target or kept one that was there is announced (target-origin) for the state.
 */
export async function ensureMysqlSchema(o: {
  migration: Migration;
  mstate: Readonly<MigrationState>;
  tables: DesiredTable[];
  names: TargetNames;
  source: Connection;
  dest: DestinationEndpoint;
  hook: ApplyHook;
}): Promise<void> {
  const name = o.migration.metadata.name;
  const conn = await connectDestination(o.dest);
  try {
    const databases = [...new Set(o.tables.map((t) => t.database))];
    for (const db of databases) await createDatabase(o.source, conn, o.names, db);
    // Tables this migration created before are its own; only new ones can conflict.
    const fresh = o.tables.filter((t) => (o.mstate.tables[t.id]?.phase ?? 'pending') === 'pending');
    const refs = fresh.map((t) => ({ database: t.database, table: t.table }));
    const targets = refs.map((r) => o.names.table(r.database, r.table)!.target);
    const kept = await checkNoConflicts(conn, targets, o.migration.spec.conflictMode);
    for (const k of kept) o.hook({ type: 'table-warning', migration: name, table: `${k.database}.${k.table}`, message: 'exists at the destination and is kept (conflictMode: ignore): the full load keeps its rows, incremental changes overwrite them' });
    const keptIds = new Set(kept.map((k) => `${k.database}.${k.table}`));
    for (const [i, r] of refs.entries()) {
      const target = o.names.table(r.database, r.table)!.target;
      const id = fresh[i]!.id;
      if (keptIds.has(`${target.database}.${target.table}`)) {
        o.hook({ type: 'target-origin', migration: name, table: id, origin: 'kept' });
        continue;
      }
      const created = await createTable(o.source, conn, o.names, r);
      // Found in place by CREATE TABLE IF NOT EXISTS (made since the conflict check, or by this run
      // for another source table): not this table's own, so never emptied on its behalf.
      o.hook({ type: 'target-origin', migration: name, table: id, origin: created.existed ? 'kept' : 'created' });
      o.hook({ type: 'change-applied', migration: name, summary: `created table ${target.database}.${target.table}${created.notes.length > 0 ? ` (${created.notes.join('; ')})` : ''}` });
    }
    for (const db of databases) {
      if (!o.names.wholeDatabase(db)) continue;
      const views = await listViews(o.source, db);
      for (const v of await createViews(o.source, conn, o.names, db, views)) {
        o.hook({ type: 'change-applied', migration: name, summary: `created view ${v.target.database}.${v.target.table}` });
      }
    }
  } finally {
    await conn.end().catch(() => undefined);
  }
}

/**
 * Opens the MySQL sink: the schema phase (when spec.types has it), then an applier whose checkpoint
 * table exists. Full-load rows go through its writeRows, source transactions through
 * applyTransactions with their position.
 */
export async function openMysqlSink(dest: MysqlDestination, r: SinkOpenRequest): Promise<TransactionalSink<MysqlLoadItem>> {
  const name = r.migration.metadata.name;
  const ep = await mysqlEndpoint(r.migration, dest, r.specDir);
  const names = new TargetNames(r.migration.spec.objects, r.migration.spec.ddl);
  if (r.createMissing) {
    const src = await r.openSourceSession();
    try {
      await ensureMysqlSchema({ migration: r.migration, mstate: r.mstate, tables: r.tables, names, source: src, dest: ep, hook: r.hook });
    } finally {
      await src.end().catch(() => undefined);
    }
  }
  const refusals = refusalOptions(r, dest);
  const applier = await MysqlApplier.open(ep, {
    migration: name,
    names,
    onNote: (note) => r.hook({ type: 'change-applied', migration: name, summary: note }),
    ...refusals,
  });
  try {
    await applier.ensureCheckpointTable();
    const dl = refusals.refusals?.deadLetter;
    if (dl) await applier.ensureTable(dl, deadLetterTableSql(dl));
  } catch (e) {
    await applier.close();
    throw e;
  }
  return mysqlSink(applier, r.migration, r.mstate);
}

/** How refused rows are set aside, when any table's onError is not block (else none: no savepoints). */
function refusalOptions(r: SinkOpenRequest, dest: MysqlDestination): { refusals?: RefusalOptions; onRefused?: (list: Refusal[]) => void } {
  const m = r.migration;
  const policies = new Map(r.tables.map((t) => [t.id, tableOnError(m, t.settings)]));
  const policyOf = (source: string) => policies.get(source) ?? migrationOnError(m);
  if (![...policies.values(), migrationOnError(m)].some((p) => p !== 'block')) return {};
  const deadLetter = deadLetterRefOf(m, dest.checkpointDatabase);
  const migration = m.metadata.name;
  const where = deadLetter && `${deadLetter.database}.${deadLetter.table}`;
  return {
    refusals: { migration, policyOf, deadLetter, shapes: r.shapes },
    onRefused: (list) => {
      for (const x of list) {
        const policy = policyOf(x.table);
        settleRefusal({ migration, policy, hook: r.hook, deadLetter: policy === 'dead-letter' ? where : undefined }, x);
      }
    },
  };
}

/** Each source transaction commits once, with its position, in one destination transaction. */
const mysqlCapabilities: SinkCapabilities = { checkpoint: 'transactional', perKeyOrder: true, idempotentReplay: true, chunksInFlight: 1, queueSize: 5000 };

/**
 * Full-load rows go through the applier's writeRows, grouped per table. A keyless table whose load
 * starts over has its destination table emptied first, when that table is this migration's alone.
 */
function mysqlSink(applier: MysqlApplier, m: Migration, mstate: Readonly<MigrationState>): TransactionalSink<MysqlLoadItem> {
  // DTS's "ignore errors and proceed": existing rows win during the full load.
  const mode = m.spec.conflictMode === 'ignore' ? 'keep-existing' : 'upsert';
  return {
    snapshotRow: (shape: TableInfo, row: Row) => ({ source: { database: shape.database, table: shape.table }, row }),
    capabilities: mysqlCapabilities,
    // Changes are applied whole transactions at a time with their position (applyTransactions).
    change: () => undefined,
    applyTransactions: (txs) => applier.applyTransactions(txs),
    readCheckpoints: () => applier.readCheckpoints(),
    finishPendingDdl: () => applier.finishPendingDdl(),
    classify: classifyMysqlError,
    send: async (items) => {
      const byTable = new Map<string, MysqlLoadItem[]>();
      for (const it of items) {
        const k = `${it.source.database}.${it.source.table}`;
        const list = byTable.get(k);
        if (list) list.push(it);
        else byTable.set(k, [it]);
      }
      for (const list of byTable.values()) await applier.writeRows(list[0]!.source, list.map((i) => i.row), mode);
    },
    restartTable: async (shape, ts) => {
      const target = ts.target;
      // Rows of another source table land here too: emptying would take theirs as well.
      const sharing = Object.values(mstate.tables).filter((t) => t.id !== ts.id && t.target === target).map((t) => t.id);
      const notOurs = ts.targetOrigin === 'kept'
        ? 'it was already there when the schema phase ran (conflictMode: ignore kept it) and may hold rows of its own'
        : ts.targetOrigin === undefined
          ? 'this migration did not record creating it'
          : sharing.length > 0 ? `it also holds the rows of ${sharing.join(', ')}` : undefined;
      if (notOurs !== undefined) {
        return { emptied: false, message: `the interrupted load starts over without emptying ${target} first, since ${notOurs}: rows written before the interruption may now be there twice` };
      }
      await applier.emptyTable({ database: shape.database, table: shape.table });
      return { emptied: true, message: `emptied ${target} (created by this migration) so that the interrupted load of ${ts.id} starts over without duplicates` };
    },
    close: () => applier.close(),
  };
}
