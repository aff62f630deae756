// The Tablestore destination during apply: tables created with their keys (schema phase), then a
// sink turning rows and changes into PutRow/UpdateRow/DeleteRow writes in ordered buckets. DDL is
// not replicated (as DTS): an ALTER of a migrated table is reported instead.
import type { TablestoreDestination } from '../../../spec/schema.js';
import type { ColumnInfo, TableInfo } from '../../../model/source-data.js';
import type { DesiredTable } from '../../../model/targets.js';
import {
  TablestoreClient, TablestoreWriter, compareTable, createTable, describeTable, encodeOp, listTables, loadOp, mergedTargets,
  resolveTablestoreSecrets, rowOps, tableMapping, type TableMapping, type WriteOp, type WriteResult,
} from './index.js';
import { classifyTablestoreError } from './errors.js';
import { MigError } from '../../../util/errors.js';
import { Selection } from '../../../transform/selection.js';
import type { ChangeSink, SinkCapabilities, SinkOpenRequest } from '../../contract.js';
import type { OnError } from '../../../spec/schema.js';
import { migrationOnError, tableOnError } from '../../../spec/error-policy.js';
import { imageOf, settleRefusal, sourceKeyValues, type Refusal } from '../../dead-letter.js';
import { deadLetterMapping, deadLetterOp, deadLetterTableOf } from './dead-letters.js';
import { DIRTY_FIX } from './writer.js';
import type { PutOp } from './row-ops.js';

export type TablestoreSinkOptions = SinkOpenRequest & { dest: TablestoreDestination };

/** Most tables a Tablestore instance holds. */
export const MAX_TABLES_PER_INSTANCE = 64;

export async function openTablestoreSink(o: TablestoreSinkOptions): Promise<ChangeSink<WriteOp[]>> {
  const secrets = await resolveTablestoreSecrets(o.dest, o.specDir);
  const client = new TablestoreClient(o.dest, secrets);
  const policies = new Map(o.tables.map((t) => [t.id, tableOnError(o.migration, t.settings)]));
  const policyOf = (source: string) => policies.get(source) ?? migrationOnError(o.migration);
  const writer = TablestoreWriter.fromDestination(o.dest, secrets, policyOf);
  const mappings = new Mappings(o);
  await ensureTables(o, client, mappings);
  const deadLetters = deadLetterTableOf(o.migration);
  // Full-load rows keep what they write only where a dead letter may need it.
  const keep = deadLetters !== undefined;
  const selection = new Selection(new Map(o.tables.map((t) => [t.id, t])), o.flavor);
  const name = o.migration.metadata.name;
  const reported = new Set<string>();
  return {
    // Encoded at once: the chunk waits for its turn as PlainBuffer bytes, not as SDK-shaped objects.
    snapshotRow: (shape, row) => {
      const op = encodeOp(loadOp(mappings.of(shape), row));
      if (keep) op.origin = { kind: 'snapshot', row };
      return [op];
    },
    change: (ev, shapeOf) => {
      if (ev.kind === 'ddl') {
        const id = ev.table === undefined ? undefined : `${ev.database}.${ev.table}`;
        if (id && o.tables.some((t) => t.id === id) && !reported.has(ev.sql)) {
          reported.add(ev.sql);
          o.hook({ type: 'table-warning', migration: name, table: id, message: `DDL is not replicated to Tablestore: ${ev.sql.slice(0, 200)}; new columns are written as they come, the key and existing data stay as they are` });
        }
        return undefined;
      }
      const shape = shapeOf(`${ev.database}.${ev.table}`);
      if (!shape || !selection.passes(ev, shape)) return undefined;
      // Encoded at once too: changes queued ahead of the writers wait as PlainBuffer bytes.
      const ops = rowOps(mappings.of(shape, ev.columns), ev);
      if (ops.length === 0) return undefined;
      // A refused change is named by its operation, and dead-lettered with its images.
      const origin = { kind: 'change' as const, ev };
      return ops.map((op) => {
        const e = encodeOp(op);
        e.origin = origin;
        return e;
      });
    },
    capabilities: capabilitiesOf(o.dest),
    send: async (items) => {
      const result = await writer.send(items.flat());
      await settleDirty(o, result, policyOf, deadLetters, writer);
    },
    classify: classifyTablestoreError,
    close: async () => {
      writer.client.close();
      client.close();
    },
  };
}

/** Mappings per table shape (the current one, or an older one the log still carries). */
class Mappings {
  private readonly byShape = new WeakMap<TableInfo, TableMapping>();
  private readonly byColumns = new WeakMap<ColumnInfo[], TableMapping>();
  private readonly merged: Set<string>;
  private readonly specs: Map<string, DesiredTable>;

  constructor(private readonly o: TablestoreSinkOptions) {
    this.specs = new Map(o.tables.map((t) => [t.id, t]));
    this.merged = mergedTargets(o.tables.flatMap((t) => {
      const info = o.shapes.get(t.id);
      return info ? [{ info, spec: t.settings }] : [];
    }));
  }

  of(shape: TableInfo, columns?: ColumnInfo[]): TableMapping {
    if (columns && columns !== shape.columns) {
      let m = this.byColumns.get(columns);
      if (!m) {
        m = this.build({ ...shape, columns });
        this.byColumns.set(columns, m);
      }
      return m;
    }
    let m = this.byShape.get(shape);
    if (!m) {
      m = this.build(shape);
      this.byShape.set(shape, m);
    }
    return m;
  }

  private build(info: TableInfo): TableMapping {
    const spec = this.specs.get(`${info.database}.${info.table}`)?.settings;
    const target = spec?.target ?? info.table;
    return tableMapping({ info, spec, destination: this.o.dest, merged: this.merged.has(target) });
  }
}

async function ensureTables(o: TablestoreSinkOptions, client: TablestoreClient, mappings: Mappings): Promise<void> {
  const name = o.migration.metadata.name;
  const byTarget = new Map<string, TableMapping>();
  for (const t of o.tables) {
    const shape = o.shapes.get(t.id);
    if (shape && !byTarget.has(t.target)) byTarget.set(t.target, mappings.of(shape));
  }
  const dl = deadLetterTableOf(o.migration);
  if (dl && !byTarget.has(dl)) byTarget.set(dl, deadLetterMapping(dl));
  const existing = new Set(await listTables(client));
  const missing = [...byTarget.keys()].filter((t) => !existing.has(t));
  if (missing.length > 0 && existing.size + missing.length > MAX_TABLES_PER_INSTANCE) {
    throw new MigError('tablestore-table-limit', `${name}: instance ${o.dest.instance} has ${existing.size} tables, and ${missing.length} more would exceed its ${MAX_TABLES_PER_INSTANCE}-table limit`, 'merge source tables into one target, migrate fewer tables, or use another instance');
  }
  // Whether mig created a table is settled once, while the table is new to the migration: destroy
  // --delete-destination drops only the ones it created.
  const origin = (target: string, o2: 'created' | 'kept') => {
    for (const t of o.tables) if (t.target === target && (o.mstate.tables[t.id]?.phase ?? 'pending') === 'pending') o.hook({ type: 'target-origin', migration: name, table: t.id, origin: o2 });
  };
  for (const [target, mapping] of byTarget) {
    if (existing.has(target)) {
      origin(target, 'kept');
      const have = await describeTable(client, target);
      const diffs = have ? compareTable(have, mapping) : [];
      if (diffs.length > 0) {
        throw new MigError('tablestore-table-mismatch', `${name}: Tablestore table ${target} exists with another primary key: ${diffs.join('; ')}`, 'drop the table, set target: to another name, or make primaryKey in the spec match it');
      }
      continue;
    }
    if (!o.createMissing) throw new MigError('tablestore-table-missing', `${name}: Tablestore table ${target} does not exist and "schema" is not in spec.types`, 'create the table, or add schema to spec.types so mig creates it');
    await createTable(client, mapping, { maxVersions: o.dest.maxVersions, timeToLive: o.dest.timeToLive });
    origin(target, 'created');
    o.hook({ type: 'change-applied', migration: name, summary: `created Tablestore table ${target} (key ${mapping.primaryKey.map((k) => `${k.name} ${k.type}`).join(', ')})` });
  }
}

/**
 * Tablestore writes rows of one bucket in order and every write is idempotent (whole values,
 * condition IGNORE), so a replayed batch leaves the table as one delivery did; full-load chunks go
 * out `threads` at a time, and `queueSize` changes are read ahead of the writers.
 */
function capabilitiesOf(d: TablestoreDestination): SinkCapabilities {
  return { checkpoint: 'after-ack', perKeyOrder: true, idempotentReplay: true, chunksInFlight: d.threads, queueSize: d.queueSize };
}

/**
 * Rows Tablestore refused under onError skip or dead-letter go to the state (and `mig status`),
 * never silently; dead letters are written (and acknowledged) before the batch counts as sent.
 */
async function settleDirty(o: TablestoreSinkOptions, result: WriteResult, policyOf: (source: string) => OnError, table: string | undefined, writer: TablestoreWriter): Promise<void> {
  if (result.dirty.length === 0) return;
  const migration = o.migration.metadata.name;
  const letters: PutOp[] = [];
  for (const d of result.dirty) {
    const policy = policyOf(d.source);
    const change = d.origin ?? { kind: 'snapshot', row: {} };
    const r: Refusal = { table: d.source, key: d.key, keyValues: sourceKeyValues(o.shapes.get(d.source), imageOf(change)), bytes: d.bytes, code: d.code, message: d.message, fix: DIRTY_FIX, change };
    settleRefusal({ migration, policy, hook: o.hook, deadLetter: policy === 'dead-letter' ? table : undefined }, r);
    if (policy === 'dead-letter' && table !== undefined) letters.push(deadLetterOp(table, migration, r));
  }
  if (letters.length > 0) {
    const again = await writer.send(letters);
    if (again.dirty.length > 0) throw new MigError('dead-letter-refused', `Tablestore table ${table} refused a dead letter: ${again.dirty[0]!.code}: ${again.dirty[0]!.message}`, 'check the dead-letter table (spec.deadLetter.table): its key must be one STRING column named id');
  }
}
