// What a table looks like in messages: which columns (include/exclude), under which names (rename
// map, then DTS's capitalisation policy), and the database and table names. Filters run on the
// source row before this; formats see only the projected row and columns.
import type { ColumnInfo, Row } from '../../../model/source-data.js';
import { MigError } from '../../../util/errors.js';

export type NameCase = 'source' | 'lower' | 'upper';

export interface ProjectionSpec {
  columns?: { include: string[] } | { exclude: string[] };
  rename?: Record<string, string>;
  nameCase: NameCase;
}

export function caseName(name: string, nameCase: NameCase): string {
  return nameCase === 'lower' ? name.toLowerCase() : nameCase === 'upper' ? name.toUpperCase() : name;
}

export interface Projection {
  /** True when rows pass unchanged (no column selection, no renaming). */
  identity: boolean;
  /** Output columns, named as in messages. */
  columns: ColumnInfo[];
  /** Source name of each output column, in output order. */
  sourceNames: string[];
  project(row: Row): Row;
}

/** Columns of `spec` that `columns` lacks: a spec naming a column the table does not have. */
export function unknownColumns(spec: ProjectionSpec, columns: ColumnInfo[]): string[] {
  const have = new Set(columns.map((c) => c.name));
  const named = [
    ...(spec.columns ? ('include' in spec.columns ? spec.columns.include : spec.columns.exclude) : []),
    ...Object.keys(spec.rename ?? {}),
  ];
  return named.filter((n) => !have.has(n));
}

export function buildProjection(spec: ProjectionSpec, columns: ColumnInfo[], table: string): Projection {
  let kept = columns;
  if (spec.columns && 'include' in spec.columns) {
    const inc = new Set(spec.columns.include);
    kept = columns.filter((c) => inc.has(c.name));
  } else if (spec.columns && 'exclude' in spec.columns) {
    const exc = new Set(spec.columns.exclude);
    kept = columns.filter((c) => !exc.has(c.name));
  }
  const outName = (c: ColumnInfo) => caseName(spec.rename?.[c.name] ?? c.name, spec.nameCase);
  const out = kept.map((c) => ({ ...c, name: outName(c) }));
  const seen = new Set<string>();
  for (const c of out) {
    if (seen.has(c.name)) {
      throw new MigError('column-name-clash', `${table}: two columns would both be called \`${c.name}\` in messages`, 'change spec.objects[].tables[].rename or nameCase so names stay distinct');
    }
    seen.add(c.name);
  }
  const identity = kept.length === columns.length && out.every((c, i) => c.name === columns[i]!.name);
  const sourceNames = kept.map((c) => c.name);
  const outNames = out.map((c) => c.name);
  return {
    identity,
    columns: identity ? columns : out,
    sourceNames,
    project: identity
      ? (row) => row
      : (row) => {
          const r: Row = {};
          for (let i = 0; i < outNames.length; i++) r[outNames[i]!] = row[sourceNames[i]!] ?? null;
          return r;
        },
  };
}
