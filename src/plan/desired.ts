// What a migration spec asks for, resolved against the live source: the tables and topics it
// implies. Where a table's rows go, and what shapes their copy, is the destination kind's to say.
import type { Migration, TableSpec } from '../spec/schema.js';
import type { TableInfo } from '../model/source-data.js';
import { ALL_OPERATIONS, snapshotDigest, type Desired, type DesiredTable, type LiveSource } from '../model/targets.js';
import { topicPartitionCounts } from '../spec/semantic.js';
import { ddlPolicyOf } from '../spec/ddl-policy.js';
import { isHelperTable } from '../model/osc-helpers.js';
import { sinkKindOf } from '../connectors/registry.js';

export function desiredFor(m: Migration, live: LiveSource): Desired {
  const d = m.spec.destination;
  const kind = sinkKindOf(d);
  const tables: DesiredTable[] = [];
  const errors: string[] = [];
  const unresolved: string[] = [];
  // One rule for topic sizes, shared with validation: a table's `partitions` sizes only its own topic.
  const partitionsByTopic = topicPartitionCounts(m.spec);
  for (const [topic, n] of kind.extraTopics(d, m)) if (!partitionsByTopic.has(topic)) partitionsByTopic.set(topic, n);

  for (const [i, obj] of m.spec.objects.entries()) {
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
      // A helper table of an online schema change under way (gh-ost, pt-osc) is no table of the database.
      const exists = (db: string, t: string) => live.tables.has(`${db}.${t}`);
      specs = [...live.tables.values()]
        .filter((t) => t.database === obj.database && !isHelperTable(t.database, t.table, exists, () => false))
        .map((t): TableSpec => ({ name: t.table }));
    }
    for (const [j, t] of specs.entries()) {
      const id = `${obj.database}.${t.name}`;
      if (live.ok && !live.tables.has(id)) {
        errors.push(`table \`${id}\` does not exist on the source`);
        continue;
      }
      const topic = kind.targetOf(d, obj.database, t, obj.target);
      const info = live.ok ? live.tables.get(id) : undefined;
      if (info) errors.push(...columnErrors(id, t, info));
      tables.push({
        id,
        database: obj.database,
        table: t.name,
        target: topic,
        settings: t,
        filter: t.filter,
        operations: t.operations ?? ALL_OPERATIONS,
        ddl: ddlPolicyOf(m.spec, t, obj.tables ? `spec.objects[${i}].tables[${j}]` : undefined),
        columns: 'columns' in t ? t.columns : undefined,
        rename: 'rename' in t ? t.rename : undefined,
        partitionKey: 'partitionKey' in t ? t.partitionKey : undefined,
        snapshotDigest: snapshotDigest(topic, t.filter, kind.snapshotLayout(d, t)),
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
