// What a migration spec asks for, resolved against the live source: the tables and topics it implies.
import { createHash } from 'node:crypto';
import type { Migration, Operation } from '../spec/schema.js';
import type { TableInfo } from '../source/types.js';
import { topicPartitionCounts } from '../spec/semantic.js';

export const ALL_OPERATIONS: Operation[] = ['insert', 'update', 'delete', 'ddl'];

export interface DesiredTable {
  id: string;
  database: string;
  table: string;
  topic: string;
  filter?: string;
  operations: Operation[];
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

export interface Desired {
  tables: DesiredTable[];
  topics: DesiredTopic[];
  /** Problems resolving the spec against the source (a listed table that does not exist…). */
  errors: string[];
  /** Databases whose table list comes from the live source and could not be read. */
  unresolved: string[];
}

export function snapshotDigest(topic: string, filter: string | undefined): string {
  return 'sha256:' + createHash('sha256').update(JSON.stringify({ topic, filter: filter ?? null })).digest('hex').slice(0, 16);
}

export function desiredFor(m: Migration, live: LiveSource): Desired {
  const d = m.spec.destination;
  const tables: DesiredTable[] = [];
  const errors: string[] = [];
  const unresolved: string[] = [];
  // One rule for topic sizes, shared with validation: a table's `partitions` sizes only its own topic.
  const partitionsByTopic = topicPartitionCounts(m.spec);

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
        .map((t) => ({ name: t.table }));
    }
    for (const t of specs) {
      const id = `${obj.database}.${t.name}`;
      if (live.ok && !live.tables.has(id)) {
        errors.push(`table \`${id}\` does not exist on the source`);
        continue;
      }
      const topic = t.topic ?? d.topic;
      tables.push({
        id,
        database: obj.database,
        table: t.name,
        topic,
        filter: t.filter,
        operations: t.operations ?? ALL_OPERATIONS,
        snapshotDigest: snapshotDigest(topic, t.filter),
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
