// Which source changes a table replicates: its operation selection and its row filter, compiled
// once per table shape. An UPDATE passes when either image matches, so a row leaving the
// selection is seen too. (Kafka's router applies the same rule inline with its encoding.)
import type { DesiredTable } from '../model/targets.js';
import type { ChangeEvent, Row, TableInfo } from '../model/source-data.js';
import { compileFilter } from './filter-eval.js';
import { parseFilter } from './filter-parse.js';
import { MigError } from '../util/errors.js';

type RowEvent = Extract<ChangeEvent, { kind: 'row' }>;

export class Selection {
  private readonly filters = new WeakMap<TableInfo, ((row: Row) => boolean) | null>();
  /** Changes the operation selection or a filter left out. */
  skipped = 0;

  constructor(
    private readonly tables: Map<string, DesiredTable>,
    private readonly flavor: 'mariadb' | 'mysql',
  ) {}

  /** The table's settings when `ev` is one of its row changes to replicate. */
  passes(ev: RowEvent, shape: TableInfo): DesiredTable | undefined {
    const t = this.tables.get(`${ev.database}.${ev.table}`);
    if (!t) return undefined;
    if (!t.operations.includes(ev.op)) return this.skip();
    const filter = this.filterFor(t, shape);
    if (filter) {
      const pass =
        ev.op === 'insert' ? filter(ev.after!) :
        ev.op === 'delete' ? filter(ev.before!) :
        filter(ev.before!) || filter(ev.after!);
      if (!pass) return this.skip();
    }
    return t;
  }

  /** Whether a DDL statement on `table` is replicated (its table's DDL policy, or it names no migrated table: the engine's gate decided). */
  ddlSelected(database: string, table: string | undefined): boolean {
    const t = table === undefined ? undefined : this.tables.get(`${database}.${table}`);
    return !t || t.ddl.policy === 'replicate';
  }

  private filterFor(t: DesiredTable, shape: TableInfo): ((row: Row) => boolean) | undefined {
    if (!t.filter) return undefined;
    let f = this.filters.get(shape);
    if (f === undefined) {
      const parsed = parseFilter(t.filter);
      if (!parsed.ok) throw new MigError('filter-invalid', `filter of ${t.id} cannot be evaluated on change rows: ${parsed.message} (at character ${parsed.offset + 1})`, 'rewrite the filter with the supported SQL subset (see README)');
      f = compileFilter(parsed.expr, shape.columns, { table: shape.table, flavor: this.flavor });
      this.filters.set(shape, f);
    }
    return f ?? undefined;
  }

  private skip(): undefined {
    this.skipped++;
    return undefined;
  }
}
