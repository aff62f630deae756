// The one rule for what a DDL statement does to the stream (replicate, ignore, stop), read by the
// plan, the engine's gate and every sink, so they cannot disagree. A table's own `ddl` wins; an
// `operations` list says it the older way (with ddl: replicate, without: ignore); then the
// migration's `spec.ddl`; then DTS's default, replicate.
import type { DdlPolicy, Migration, TableSpec } from './schema.js';

export interface ResolvedDdlPolicy {
  policy: DdlPolicy;
  /** Where it comes from, as a spec path or `default`, for plans and errors. */
  from: string;
}

/** The policy of DDL on `table` (undefined: DDL that names no migrated table). */
export function ddlPolicyOf(spec: Pick<Migration['spec'], 'ddl'>, table: TableSpec | undefined, path?: string): ResolvedDdlPolicy {
  if (table?.ddl) return { policy: table.ddl, from: `${path ?? 'the table'}.ddl` };
  if (table?.operations) {
    return { policy: table.operations.includes('ddl') ? 'replicate' : 'ignore', from: `${path ?? 'the table'}.operations` };
  }
  if (spec.ddl) return { policy: spec.ddl, from: 'spec.ddl' };
  return { policy: 'replicate', from: 'default' };
}

/** The table spec of `database.table` and its path, when the spec lists it. */
export function listedTable(spec: Migration['spec'], database: string, table: string): { t: TableSpec; path: string } | undefined {
  for (const [i, o] of spec.objects.entries()) {
    if (o.database !== database) continue;
    const j = (o.tables ?? []).findIndex((t) => t.name === table);
    if (j >= 0) return { t: o.tables![j]!, path: `spec.objects[${i}].tables[${j}]` };
  }
  return undefined;
}

/** The policy of a statement on `database.table` (a table taken with its whole database follows spec.ddl). */
export function ddlPolicyFor(spec: Migration['spec'], database: string, table: string | undefined): ResolvedDdlPolicy {
  const listed = table === undefined ? undefined : listedTable(spec, database, table);
  return ddlPolicyOf(spec, listed?.t, listed?.path);
}
