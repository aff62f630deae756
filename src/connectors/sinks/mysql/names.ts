// Where each source object lands in a MySQL destination: database (ObjectSpec.target), table
// (TableSpec.target), columns (TableSpec.columns include/exclude, then TableSpec.rename). Rows,
// created tables and replicated DDL all go through this one mapping, so they always agree.
import type { DdlPolicy, Operation, ObjectSpec, TableSpec } from '../../../spec/schema.js';
import { ddlPolicyOf } from '../../../spec/ddl-policy.js';
import type { Row } from '../../../model/source-data.js';
import { quoteIdent } from './sql-tokens.js';

export { quoteIdent };

export interface TableRef {
  database: string;
  table: string;
}

/** `db`.`table`, quoted. */
export function qualified(ref: TableRef): string {
  return `${quoteIdent(ref.database)}.${quoteIdent(ref.table)}`;
}

const ALL_OPERATIONS: readonly Operation[] = ['insert', 'update', 'delete', 'ddl'];

/** One source table's destination: its name and its columns. */
export class TableMap {
  readonly source: TableRef;
  readonly target: TableRef;
  readonly operations: ReadonlySet<Operation>;
  /** What DDL on this table does (spec/ddl-policy.ts): only `replicate` reaches the destination. */
  readonly ddl: DdlPolicy;
  /** True when every column keeps its name and none is left out. */
  readonly identityColumns: boolean;
  readonly #include?: Set<string>;
  readonly #exclude?: Set<string>;
  /** Lower-cased source name → destination name (MySQL column names are case-insensitive). */
  readonly #rename: Map<string, string>;

  constructor(source: TableRef, target: TableRef, spec?: TableSpec, defaultDdl?: DdlPolicy) {
    this.source = source;
    this.target = target;
    this.operations = new Set(spec?.operations ?? ALL_OPERATIONS);
    this.ddl = ddlPolicyOf({ ddl: defaultDdl }, spec).policy;
    const cols = spec?.columns;
    if (cols && 'include' in cols) this.#include = new Set(cols.include.map((c) => c.toLowerCase()));
    if (cols && 'exclude' in cols) this.#exclude = new Set(cols.exclude.map((c) => c.toLowerCase()));
    this.#rename = new Map(Object.entries(spec?.rename ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    this.identityColumns = !cols && this.#rename.size === 0;
  }

  /** Whether the source column is carried to the destination. */
  keeps(column: string): boolean {
    const c = column.toLowerCase();
    if (this.#include) return this.#include.has(c);
    if (this.#exclude) return !this.#exclude.has(c);
    return true;
  }

  /** Destination name of a source column; undefined when the column is left out. */
  column(column: string): string | undefined {
    if (!this.keeps(column)) return undefined;
    return this.#rename.get(column.toLowerCase()) ?? column;
  }

  /** Destination name of a source column that the spec renames; undefined otherwise. */
  renamed(column: string): string | undefined {
    return this.#rename.get(column.toLowerCase());
  }

  /** A source row under destination names, without the columns left out. */
  project(row: Row): Row {
    if (this.identityColumns) return row;
    const out: Row = {};
    for (const [k, v] of Object.entries(row)) {
      const to = this.column(k);
      if (to !== undefined) out[to] = v;
    }
    return out;
  }
}

interface DatabaseEntry {
  spec: ObjectSpec;
  /** Listed tables by exact name; undefined when the whole database is migrated. */
  tables?: Map<string, TableSpec>;
}

/**
 * The spec's objects as a lookup. Names match exactly first, then case-insensitively: TiDB (and
 * MySQL with lower_case_table_names) accept `T1` for `t1`, and DDL text is written by people.
 */
export class TargetNames {
  readonly #dbs = new Map<string, DatabaseEntry>();
  /** spec.ddl: the policy of tables that set none. */
  readonly #ddl?: DdlPolicy;

  constructor(objects: readonly ObjectSpec[], ddl?: DdlPolicy) {
    this.#ddl = ddl;
    for (const o of objects) {
      this.#dbs.set(o.database, {
        spec: o,
        tables: o.tables ? new Map(o.tables.map((t) => [t.name, t])) : undefined,
      });
    }
  }

  #entry(database: string): DatabaseEntry | undefined {
    return this.#dbs.get(database) ?? lookupFolded(this.#dbs, database);
  }

  /** Destination database of a source database; undefined outside the migration. */
  database(database: string): string | undefined {
    const e = this.#entry(database);
    return e ? (e.spec.target ?? e.spec.database) : undefined;
  }

  /** Source databases of the migration, in spec order. */
  sourceDatabases(): string[] {
    return [...this.#dbs.keys()];
  }

  /** Whether every table of the source database is migrated (no table list in the spec). */
  wholeDatabase(database: string): boolean {
    const e = this.#entry(database);
    return e !== undefined && e.tables === undefined;
  }

  /** Whether DDL is replicated for anything in the source database (a whole database, or a listed table, under the DDL policy). */
  replicatesDdl(database: string): boolean {
    const e = this.#entry(database);
    if (!e) return false;
    const policy = (t: TableSpec | undefined) => ddlPolicyOf({ ddl: this.#ddl }, t).policy === 'replicate';
    return e.tables ? [...e.tables.values()].some(policy) : policy(undefined);
  }

  /** The mapping of a source table; undefined outside the migration. */
  table(database: string, table: string): TableMap | undefined {
    const e = this.#entry(database);
    if (!e) return undefined;
    const db = e.spec.target ?? e.spec.database;
    if (!e.tables) return new TableMap({ database: e.spec.database, table }, { database: db, table }, undefined, this.#ddl);
    const spec = e.tables.get(table) ?? lookupFolded(e.tables, table);
    if (!spec) return undefined;
    return new TableMap({ database: e.spec.database, table: spec.name }, { database: db, table: spec.target ?? spec.name }, spec, this.#ddl);
  }

  /**
   * Destination of a source view. Views go along only when their whole database does: DTS leaves
   * views out when tables are picked one by one, because they may read tables that are not copied.
   */
  view(database: string, view: string): TableRef | undefined {
    const e = this.#entry(database);
    if (!e || e.tables) return undefined;
    return { database: e.spec.target ?? e.spec.database, table: view };
  }

  /**
   * Destination of a name a statement mentions that may lie outside the migration (the new name of
   * RENAME TABLE): mapped when known, else the same name in the mapped (or same) database.
   */
  anyTable(database: string, table: string): TableRef {
    const m = this.table(database, table);
    if (m) return m.target;
    return { database: this.database(database) ?? database, table };
  }
}

function lookupFolded<V>(map: Map<string, V>, key: string): V | undefined {
  const k = key.toLowerCase();
  for (const [name, v] of map) if (name.toLowerCase() === k) return v;
  return undefined;
}
