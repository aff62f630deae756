// How one source table lands in Tablestore: destination table, key columns (1–4, the first is the
// partition key), attribute columns with types, after the spec's projection, renames and overrides.
import type { TableSpec, TablestoreDestination, TablestoreType } from '../../../spec/schema.js';
import type { ColumnInfo, TableInfo } from '../../../model/source-data.js';
import { MigError } from '../../../util/errors.js';
import { defaultAttributeType, defaultKeyType, type KeyType } from './type-map.js';

export interface KeyColumn {
  /** Name at the destination. */
  name: string;
  type: KeyType;
  /** The source column; null for the merge column, whose value is `database.table`. */
  source: ColumnInfo | null;
}

export interface AttributeColumn {
  name: string;
  type: TablestoreType;
  source: ColumnInfo;
}

export interface TableMapping {
  source: { database: string; table: string };
  /** Destination table. */
  table: string;
  primaryKey: KeyColumn[];
  attributes: AttributeColumn[];
  /** Present when several source tables share `table`: the last key column and its value. */
  merge?: { column: string; value: string };
  writeMode: 'update' | 'overwrite';
}

export interface MappingOptions {
  info: TableInfo;
  /** The spec's entry for this table, if it has one. */
  spec?: TableSpec;
  destination: Pick<TablestoreDestination, 'writeMode' | 'mergeColumn'>;
  /** Several source tables write to this table's target (see mergedTargets). */
  merged?: boolean;
}

/** Tablestore's naming rule for tables and columns; the SDK also miscounts non-ASCII names. */
const TS_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
export const MAX_KEY_COLUMNS = 4;
export const DEFAULT_MERGE_COLUMN = '__dts_data_source';
export const SDK_RESERVED_ATTRIBUTE = 'timestamp';

const fail = (message: string, hint: string) => new MigError('tablestore-mapping', message, hint);

export function targetOf(info: Pick<TableInfo, 'table'>, spec?: Pick<TableSpec, 'target'>): string {
  return spec?.target ?? info.table;
}

/** Destination tables that receive rows from more than one source table. */
export function mergedTargets(tables: ReadonlyArray<{ info: Pick<TableInfo, 'database' | 'table'>; spec?: Pick<TableSpec, 'target'> }>): Set<string> {
  const sources = new Map<string, Set<string>>();
  for (const { info, spec } of tables) {
    const t = targetOf(info, spec);
    const set = sources.get(t) ?? new Set<string>();
    set.add(`${info.database}.${info.table}`);
    sources.set(t, set);
  }
  return new Set([...sources].filter(([, s]) => s.size > 1).map(([t]) => t));
}

export function tableMapping(opts: MappingOptions): TableMapping {
  const { info, spec, destination } = opts;
  const where = `${info.database}.${info.table}`;
  const table = targetOf(info, spec);
  if (!TS_NAME.test(table)) {
    throw fail(
      `the Tablestore table name ${JSON.stringify(table)} for ${where} is not valid: 1–255 ASCII letters, digits or '_', not starting with a digit`,
      spec?.target ? 'change the table\'s target' : `set target for ${info.table} to a valid name`,
    );
  }
  const byName = new Map(info.columns.map((c) => [c.name, c]));
  const column = (name: string, setting: string): ColumnInfo => {
    const c = byName.get(name);
    if (!c) throw fail(`${setting} names column ${name}, which ${where} does not have`, `use one of: ${info.columns.map((x) => x.name).join(', ')}`);
    return c;
  };

  const rename = spec?.rename ?? {};
  for (const from of Object.keys(rename)) column(from, 'rename');
  const destName = (c: ColumnInfo): string => {
    const n = rename[c.name] ?? c.name;
    if (!TS_NAME.test(n)) {
      throw fail(
        `column ${c.name} of ${where} would be named ${JSON.stringify(n)} in Tablestore, which is not a valid column name (ASCII letters, digits, '_'; not starting with a digit)`,
        `rename it: rename: { ${JSON.stringify(c.name)}: ${c.name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(\d)/, '_$1') || 'col'} }`,
      );
    }
    return n;
  };

  const primaryKey = keyColumns(opts, column, destName);
  const keySources = new Set(primaryKey.flatMap((k) => (k.source ? [k.source.name] : [])));

  const projected = projection(info, spec, column, keySources);
  const types = spec?.columnTypes ?? {};
  for (const name of Object.keys(types)) {
    column(name, 'columnTypes');
    if (keySources.has(name)) throw fail(`columnTypes sets a type for ${name}, a primary-key column of ${where}`, 'set key types in primaryKey[].type instead');
  }
  const attributes: AttributeColumn[] = projected
    .filter((c) => !keySources.has(c.name))
    .map((c) => ({ name: destName(c), type: types[c.name] ?? defaultAttributeType(c), source: c }));

  // The SDK reads a cell object's `timestamp` property as the cell's version, so an attribute
  // column of that name would be written with its own value as the version (or crash the encoder).
  const clash = attributes.find((a) => a.name === SDK_RESERVED_ATTRIBUTE);
  if (clash) {
    throw fail(
      `column ${clash.source.name} of ${where} would be the Tablestore attribute \`${SDK_RESERVED_ATTRIBUTE}\`, a name the Tablestore SDK mig uses cannot write`,
      `rename it, e.g. rename: { ${clash.source.name}: ${clash.source.name}_ }`,
    );
  }

  // Merged tables: shop1.orders and shop2.orders may both hold id=1, and without a distinguishing
  // key column the second row would overwrite the first. The merge column goes last so the
  // source key stays the partition key and rows of one source table stay together in range reads.
  const merge = opts.merged ? { column: destination.mergeColumn ?? DEFAULT_MERGE_COLUMN, value: where } : undefined;
  if (merge) primaryKey.push({ name: merge.column, type: 'STRING', source: null });

  const seen = new Set<string>();
  for (const n of [...primaryKey.map((k) => k.name), ...attributes.map((a) => a.name)]) {
    if (seen.has(n)) {
      throw fail(
        `two columns of ${where} would both be named ${n} in Tablestore${merge && n === merge.column ? ' (the merge column)' : ''}`,
        merge && n === merge.column ? 'set destination.mergeColumn to another name, or rename the column' : 'change rename so every destination name is unique',
      );
    }
    seen.add(n);
  }
  return { source: { database: info.database, table: info.table }, table, primaryKey, attributes, merge, writeMode: destination.writeMode ?? 'update' };
}

function keyColumns(opts: MappingOptions, column: (n: string, s: string) => ColumnInfo, destName: (c: ColumnInfo) => string): KeyColumn[] {
  const { info, spec } = opts;
  const where = `${info.database}.${info.table}`;
  const declared = spec?.primaryKey?.map((k) => ({ name: k.column, type: k.type }));
  const names = declared?.map((k) => k.name) ?? (info.primaryKey.length > 0 ? info.primaryKey : info.keyKind === 'unique' ? info.chunkKey : []);
  if (names.length === 0) {
    throw fail(`${where} has no primary key (nor a unique key of NOT NULL columns), and Tablestore rows need one`, `set primaryKey for ${info.table}, e.g. primaryKey: [{ column: ${info.columns[0]?.name ?? 'id'} }]`);
  }
  // The merge column takes one of Tablestore's four key slots (it goes last).
  const room = MAX_KEY_COLUMNS - (opts.merged ? 1 : 0);
  if (names.length > room) {
    throw fail(
      `${where} would need ${names.length + (opts.merged ? 1 : 0)} primary-key columns in Tablestore${opts.merged ? ' (its key plus the merge column)' : ''}; Tablestore allows ${MAX_KEY_COLUMNS}`,
      `set primaryKey for ${info.table} to at most ${room} columns that identify a row`,
    );
  }
  if (new Set(names).size !== names.length) throw fail(`primaryKey of ${where} names a column twice`, 'list each key column once');
  return names.map((n, i) => {
    const c = column(n, 'primaryKey');
    return { name: destName(c), type: declared?.[i]?.type ?? defaultKeyType(c, where), source: c };
  });
}

/** Columns carried after include/exclude. Key columns are always carried: a row cannot be written without them. */
function projection(info: TableInfo, spec: TableSpec | undefined, column: (n: string, s: string) => ColumnInfo, keys: Set<string>): ColumnInfo[] {
  const sel = spec?.columns;
  if (!sel) return info.columns;
  if ('include' in sel) {
    const inc = new Set(sel.include.map((n) => column(n, 'columns.include').name));
    return info.columns.filter((c) => inc.has(c.name) || keys.has(c.name));
  }
  const exc = new Set(sel.exclude.map((n) => column(n, 'columns.exclude').name));
  for (const k of keys) {
    if (exc.has(k)) throw fail(`columns.exclude drops ${k}, a primary-key column of ${info.database}.${info.table}`, 'keep key columns, or choose another primaryKey');
  }
  return info.columns.filter((c) => !exc.has(c.name));
}
