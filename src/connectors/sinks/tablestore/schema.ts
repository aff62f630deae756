// Tables at the destination: list, describe in mig's own shape, create from a mapping, and compare
// an existing table's key with what a mapping needs (the plan's conflict and drift checks).
import type { TableMapping } from './mapping.js';
import type { TablestoreClient } from './client.js';
import { protoInt, tablestoreSdk } from './sdk.js';
import type { KeyType } from './type-map.js';
import { MigError } from '../../../util/errors.js';

export interface TableDescription {
  name: string;
  /** Key columns in order; the first is the partition key. */
  primaryKey: Array<{ name: string; type: KeyType; autoIncrement?: boolean }>;
  maxVersions?: number;
  /** Seconds; -1 keeps data forever. */
  timeToLive?: number;
  reservedThroughput?: { read: number; write: number };
}

export interface CreateTableOptions {
  maxVersions: number;
  timeToLive: number;
}

function keyTypeName(type: number): KeyType | undefined {
  const t = tablestoreSdk().PrimaryKeyType;
  return type === t.INTEGER ? 'INTEGER' : type === t.STRING ? 'STRING' : type === t.BINARY ? 'BINARY' : undefined;
}

export async function listTables(client: TablestoreClient): Promise<string[]> {
  const res = await client.call('ListTable', (sdk) => sdk.listTable({}));
  return [...(res.tableNames ?? [])].sort();
}

/** undefined when the table does not exist. */
export async function describeTable(client: TablestoreClient, name: string): Promise<TableDescription | undefined> {
  try {
    const res = await client.call('DescribeTable', (sdk) => sdk.describeTable({ tableName: name }), name);
    const cu = res.reservedThroughputDetails?.capacityUnit;
    return {
      name: res.tableMeta.tableName,
      primaryKey: res.tableMeta.primaryKey.map((k) => ({
        name: k.name,
        type: keyTypeName(k.type) ?? 'STRING',
        // protobufjs puts an absent optional enum's default (the first value, AUTO_INCREMENT) on
        // the prototype: only an own property means the service sent the option.
        ...(Object.hasOwn(k, 'option') && k.option === tablestoreSdk().PrimaryKeyOption.AUTO_INCREMENT ? { autoIncrement: true } : {}),
      })),
      maxVersions: protoInt(res.tableOptions?.maxVersions),
      timeToLive: protoInt(res.tableOptions?.timeToLive),
      ...(cu ? { reservedThroughput: { read: protoInt(cu.read) ?? 0, write: protoInt(cu.write) ?? 0 } } : {}),
    };
  } catch (e) {
    if (e instanceof MigError && e.code === 'tablestore-table-missing') return undefined;
    throw e;
  }
}

/**
 * Creates the mapping's table: its key columns, the spec's versions and TTL, and reserved
 * throughput 0/0 (pay per request; reserving capacity is a cost decision left to the owner).
 * Attribute columns need no declaration: Tablestore tables are schema-free beyond the key.
 */
export async function createTable(client: TablestoreClient, mapping: TableMapping, opts: CreateTableOptions): Promise<void> {
  await client.call(
    'CreateTable',
    (sdk) =>
      sdk.createTable({
        tableMeta: { tableName: mapping.table, primaryKey: mapping.primaryKey.map((k) => ({ name: k.name, type: k.type })) },
        reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
        tableOptions: { timeToLive: opts.timeToLive, maxVersions: opts.maxVersions },
      }),
    mapping.table,
  );
}

/** Deletes the tables that exist of these (DeleteTable; their rows go with them). */
export async function dropTables(client: TablestoreClient, names: string[]): Promise<void> {
  const existing = new Set(await listTables(client));
  for (const name of names) if (existing.has(name)) await client.call('DeleteTable', (sdk) => sdk.deleteTable({ tableName: name }), name);
}

/**
 * How an existing table's key differs from what the mapping writes, one sentence per difference;
 * empty when mig can write into it. Rows written against another key would fail or land apart.
 */
export function compareTable(existing: TableDescription, mapping: TableMapping): string[] {
  const out: string[] = [];
  const want = mapping.primaryKey;
  const have = existing.primaryKey;
  const show = (ks: ReadonlyArray<{ name: string; type: string }>) => ks.map((k) => `${k.name} ${k.type}`).join(', ');
  if (want.length !== have.length) {
    out.push(`table ${existing.name} has ${have.length} primary-key column(s) (${show(have)}); mig writes ${want.length} (${show(want)})`);
  }
  for (let i = 0; i < Math.min(want.length, have.length); i++) {
    const w = want[i]!;
    const h = have[i]!;
    const pos = i === 0 ? 'partition key (1st key column)' : `key column ${i + 1}`;
    if (w.name !== h.name) out.push(`${pos} of table ${existing.name} is ${h.name}; mig writes ${w.name} there`);
    else if (w.type !== h.type) out.push(`${pos} ${h.name} of table ${existing.name} is ${h.type}; mig writes ${w.type}`);
    if (h.autoIncrement) out.push(`key column ${h.name} of table ${existing.name} is auto-increment; mig writes its values itself, which Tablestore rejects`);
  }
  return out;
}
