// The instance: its tables and the limits the service applies across them.
import { Errors } from './errors.js';
import type { PrimaryKeySchemaMsg, TableOptionsMsg } from './protocol.js';
import { isValidName, type PkSchemaColumn, type PkType } from './primary-key.js';
import { MemTable, type TableSettings } from './table.js';

export const MAX_TABLES = 64;
const PK_TYPES: Record<number, PkType> = { 1: 'INTEGER', 2: 'STRING', 3: 'BINARY' };
const DEFAULT_DEVIATION_SECONDS = 86400n;

export function checkTableName(name: string): void {
  if (!isValidName(name)) throw Errors.invalid(`Invalid table name: '${name}'.`);
}

export function checkColumnName(name: string): void {
  if (!isValidName(name)) throw Errors.invalid(`Invalid column name: '${name}'.`);
}

/** TTL is -1 (keep forever) or at least one day; at least one version is kept. */
export function settingsFrom(opts: TableOptionsMsg | undefined, base: TableSettings): TableSettings {
  const s = { ...base };
  if (opts?.timeToLive !== undefined) s.timeToLive = opts.timeToLive;
  if (opts?.maxVersions !== undefined) s.maxVersions = opts.maxVersions;
  if (opts?.deviationCellVersionInSec !== undefined) s.deviationSeconds = opts.deviationCellVersionInSec;
  if (s.timeToLive !== -1 && s.timeToLive < 86400)
    throw Errors.invalid(`Invalid TTL: ${s.timeToLive}, time_to_live must be -1 or at least 86400 seconds.`);
  if (!Number.isInteger(s.maxVersions) || s.maxVersions < 1) throw Errors.invalid(`Invalid max_versions: ${s.maxVersions}.`);
  if (s.deviationSeconds < 1n) throw Errors.invalid(`Invalid max_time_deviation: ${s.deviationSeconds}.`);
  return s;
}

export const DEFAULT_SETTINGS: TableSettings = {
  timeToLive: -1,
  maxVersions: 1,
  deviationSeconds: DEFAULT_DEVIATION_SECONDS,
  reservedRead: 0,
  reservedWrite: 0,
};

export function pkSchemaFrom(cols: PrimaryKeySchemaMsg[]): PkSchemaColumn[] {
  if (cols.length < 1 || cols.length > 4)
    throw Errors.invalid(`The number of primary key columns must be in range: [1, 4], got ${cols.length}.`);
  const seen = new Set<string>();
  const schema = cols.map((c, i): PkSchemaColumn => {
    checkColumnName(c.name);
    if (seen.has(c.name)) throw Errors.invalid(`Duplicated primary key name: '${c.name}'.`);
    seen.add(c.name);
    const type = PK_TYPES[c.type];
    if (!type) throw Errors.invalid(`Invalid type of primary key column '${c.name}': ${c.type}.`);
    const autoIncrement = c.option === 1;
    if (autoIncrement && (i === 0 || type !== 'INTEGER'))
      throw Errors.invalid(`The auto-increment primary key column '${c.name}' must be INTEGER and not the partition key.`);
    return { name: c.name, type, autoIncrement };
  });
  if (schema.filter((c) => c.autoIncrement).length > 1) throw Errors.invalid('At most one auto-increment primary key column is allowed.');
  return schema;
}

export class Instance {
  private readonly tables = new Map<string, MemTable>();

  create(name: string, schema: PkSchemaColumn[], settings: TableSettings): MemTable {
    checkTableName(name);
    if (this.tables.has(name)) throw Errors.tableExists();
    if (this.tables.size >= MAX_TABLES) throw Errors.tableQuota();
    const t = new MemTable(name, schema, settings);
    this.tables.set(name, t);
    return t;
  }

  /** The table, or the service's not-exist error (invalid names are a parameter error first). */
  get(name: string): MemTable {
    checkTableName(name);
    const t = this.tables.get(name);
    if (!t) throw Errors.tableNotExist();
    return t;
  }

  peek(name: string): MemTable | undefined {
    return this.tables.get(name);
  }

  drop(name: string): void {
    this.get(name);
    this.tables.delete(name);
  }

  names(): string[] {
    return [...this.tables.keys()].sort();
  }
}
