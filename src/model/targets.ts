// What a migration spec asks for, resolved against the live source: the tables and topics it implies.
import { createHash } from 'node:crypto';
import type { Destination, Migration, Operation, TableSpec } from '../spec/schema.js';
import type { TableInfo } from './source-data.js';
import { topicPartitionCounts } from '../spec/semantic.js';

export const ALL_OPERATIONS: Operation[] = ['insert', 'update', 'delete', 'ddl'];

export interface DesiredTable {
  id: string;
  database: string;
  table: string;
  /** Where the rows go: the Kafka topic, the Tablestore table, or `database.table` at a MySQL destination. */
  topic: string;
  /** The table's own settings in the spec (destination-specific mapping reads them). */
  settings: TableSpec;
  filter?: string;
  operations: Operation[];
  /** Columns carried in messages, and their names there. */
  columns?: { include: string[] } | { exclude: string[] };
  rename?: Record<string, string>;
  /** Columns the primary-key partition policy hashes (default: the key). */
  partitionKey?: string[];
  /** Changes to what this digest covers make the table's copy in Kafka wrong: it is re-snapshotted. */
  snapshotDigest: string;
  /** From the live source, when it was read: the key used for chunks and message keys, and the size. */
  live?: { key: string[]; keyKind: 'primary' | 'unique' | 'none'; estimatedRows: number; columns: number };
}

export interface DesiredTopic {
  name: string;
  partitions: number;
}

export type LiveSource =
  | { ok: true; tables: Map<string, TableInfo>; databases: Set<string> }
  | { ok: false; error: string };

export type LiveTopics = { ok: true; topics: Map<string, number> } | { ok: false; error: string };

/** Destination tables that exist (Tablestore, MySQL destinations). */
export type LiveTargets = { ok: true; names: Set<string> } | { ok: false; error: string };

export interface Desired {
  tables: DesiredTable[];
  topics: DesiredTopic[];
  /** Problems resolving the spec against the source (a listed table that does not exist…). */
  errors: string[];
  /** Databases whose table list comes from the live source and could not be read. */
  unresolved: string[];
}

/**
 * `layout` holds what else shapes the destination's copy (Tablestore key and types); it is left out
 * when empty so Kafka digests recorded before it existed stay the same.
 */
export function snapshotDigest(topic: string, filter: string | undefined, layout?: object): string {
  const basis = layout ? { topic, filter: filter ?? null, layout } : { topic, filter: filter ?? null };
  return 'sha256:' + createHash('sha256').update(JSON.stringify(basis)).digest('hex').slice(0, 16);
}

/** The destination object a table's rows go to. */
export function targetOf(d: Destination, database: string, t: TableSpec, targetDatabase: string | undefined): string {
  switch (d.type) {
    case 'kafka':
      return t.topic ?? d.topic;
    case 'tablestore':
      return t.target ?? t.name;
    case 'mysql':
      return `${targetDatabase ?? database}.${t.target ?? t.name}`;
  }
}

function layoutOf(d: Destination, t: TableSpec): object | undefined {
  if (d.type !== 'tablestore') return undefined;
  return { primaryKey: t.primaryKey ?? null, columnTypes: t.columnTypes ?? null, columns: t.columns ?? null, rename: t.rename ?? null, writeMode: d.writeMode };
}

export function desiredFor(m: Migration, live: LiveSource): Desired {
  const d = m.spec.destination;
  const tables: DesiredTable[] = [];
  const errors: string[] = [];
  const unresolved: string[] = [];
  // One rule for topic sizes, shared with validation: a table's `partitions` sizes only its own topic.
  const partitionsByTopic = topicPartitionCounts(m.spec);
  if (d.type === 'kafka' && d.ddlTopic && !partitionsByTopic.has(d.ddlTopic)) partitionsByTopic.set(d.ddlTopic, d.partitions);

  for (const obj of m.spec.objects) {
    if (live.ok && !live.databases.has(obj.database)) {
      errors.push(`database \`${obj.database}\` does not exist on the source`);
      continue;
    }
    let specs = obj.tables;
    if (!specs) {
      if (!live.ok) {
        unresolved.push(obj.database);
        continue;
      }
      specs = [...live.tables.values()]
        .filter((t) => t.database === obj.database)
        .map((t): TableSpec => ({ name: t.table }));
    }
    for (const t of specs) {
      const id = `${obj.database}.${t.name}`;
      if (live.ok && !live.tables.has(id)) {
        errors.push(`table \`${id}\` does not exist on the source`);
        continue;
      }
      const topic = targetOf(d, obj.database, t, obj.target);
      const info = live.ok ? live.tables.get(id) : undefined;
      if (info) errors.push(...columnErrors(id, t, info));
      tables.push({
        id,
        database: obj.database,
        table: t.name,
        topic,
        settings: t,
        filter: t.filter,
        operations: t.operations ?? ALL_OPERATIONS,
        columns: 'columns' in t ? t.columns : undefined,
        rename: 'rename' in t ? t.rename : undefined,
        partitionKey: 'partitionKey' in t ? t.partitionKey : undefined,
        snapshotDigest: snapshotDigest(topic, t.filter, layoutOf(d, t)),
        live: liveInfo(live, id),
      });
    }
  }
  const topics = [...partitionsByTopic.entries()].map(([name, partitions]) => ({ name, partitions }));
  return { tables, topics, errors, unresolved };
}

function liveInfo(live: LiveSource, id: string): DesiredTable['live'] {
  const t = live.ok ? live.tables.get(id) : undefined;
  return t ? { key: t.chunkKey, keyKind: t.keyKind, estimatedRows: t.estimatedRows, columns: t.columns.length } : undefined;
}

/** Columns a table's settings name that the source table does not have. */
function columnErrors(id: string, t: { columns?: { include: string[] } | { exclude: string[] }; rename?: Record<string, string>; partitionKey?: string[] }, info: TableInfo): string[] {
  const have = new Set(info.columns.map((c) => c.name));
  const named: [string, string[]][] = [
    ['columns', t.columns ? ('include' in t.columns ? t.columns.include : t.columns.exclude) : []],
    ['rename', Object.keys(t.rename ?? {})],
    ['partitionKey', t.partitionKey ?? []],
  ];
  const out: string[] = [];
  for (const [field, names] of named) {
    const missing = names.filter((n) => !have.has(n));
    if (missing.length > 0) out.push(`${field} of \`${id}\` names column(s) ${missing.map((m) => `\`${m}\``).join(', ')} that the table does not have (it has ${[...have].join(', ')})`);
  }
  return out;
}
