// Source event → Kafka message: picks the table's topic, applies its operation selection and row filter,
// and encodes. Built once per table shape, so the per-row path only evaluates and serialises.
import type { Operation } from '../spec/schema.js';
import type { ChangeEvent, ColumnInfo, Row, TableInfo } from '../source/types.js';
import type { OutboundMessage } from '../sink/kafka/message.js';
import { messageKey, tableCodec } from '../sink/kafka/codec.js';
import type { EncodeContext, MessageFormat, TableCodec } from '../sink/kafka/formats/format.js';
import { compileFilter, parseFilter } from '../transform/index.js';
import type { DesiredTable } from '../plan/desired.js';
import { MigError } from '../util/errors.js';

interface Route {
  topic: string;
  ops: Set<Operation>;
  filterText?: string;
  filter?: (row: Row) => boolean;
  codec: TableCodec;
  shape: TableInfo;
}

export class Router {
  private readonly routes = new Map<string, Route>();
  private readonly layoutCodecs = new WeakMap<ColumnInfo[], TableCodec>();
  /** Rows the filter or the operation selection left out (for status). */
  skipped = 0;

  constructor(
    private readonly tables: Map<string, DesiredTable>,
    private readonly defaultTopic: string,
    private readonly format: MessageFormat,
    private readonly source: EncodeContext['source'],
  ) {}

  /** (Re)builds a table's route for its current shape; called again after an ALTER. */
  private route(shape: TableInfo): Route | undefined {
    const id = `${shape.database}.${shape.table}`;
    const existing = this.routes.get(id);
    if (existing && existing.shape === shape) return existing;
    const t = this.tables.get(id);
    if (!t) return undefined;
    let filter: ((row: Row) => boolean) | undefined;
    if (t.filter) {
      const parsed = parseFilter(t.filter);
      if (!parsed.ok) throw new MigError('filter-invalid', `filter of ${id} cannot be evaluated on binlog rows: ${parsed.message} (at character ${parsed.offset + 1})`, 'rewrite the filter with the supported SQL subset (see README)');
      filter = compileFilter(parsed.expr, shape.columns);
    }
    const r: Route = { topic: t.topic, ops: new Set(t.operations), filterText: t.filter, filter, codec: tableCodec(shape), shape };
    this.routes.set(id, r);
    return r;
  }

  topicOf(database: string, table: string | undefined): string {
    return (table && this.tables.get(`${database}.${table}`)?.topic) || this.defaultTopic;
  }

  /** Full-load rows are already filtered by the server's WHERE. */
  snapshotRow(shape: TableInfo, row: Row, es: number, now: number): OutboundMessage {
    const r = this.route(shape)!;
    const value = this.format.encode({ kind: 'row', op: 'insert', database: shape.database, table: shape.table, after: row, timestamp: es, id: 0 }, r.codec, { now, source: this.source });
    return { topic: r.topic, key: messageKey(r.codec, row), value };
  }

  /**
   * A binlog change, or undefined when it is not replicated. An UPDATE passes when either image
   * matches the filter, so consumers also see a row leave the selection.
   */
  change(ev: ChangeEvent, shapeOf: (id: string) => TableInfo | undefined, now: number): OutboundMessage | undefined {
    if (ev.kind === 'ddl') {
      const t = ev.table ? this.tables.get(`${ev.database}.${ev.table}`) : undefined;
      if (t && !t.operations.includes('ddl')) return this.skip();
      const value = this.format.encode(ev, undefined, { now, source: this.source });
      return { topic: this.topicOf(ev.database, ev.table), key: null, value, partition: 0 };
    }
    const shape = shapeOf(`${ev.database}.${ev.table}`);
    if (!shape) return undefined;
    const r = this.route(shape);
    if (!r) return undefined;
    if (!r.ops.has(ev.op)) return this.skip();
    if (r.filter) {
      const pass =
        ev.op === 'insert' ? r.filter(ev.after!) :
        ev.op === 'delete' ? r.filter(ev.before!) :
        r.filter(ev.before!) || r.filter(ev.after!);
      if (!pass) return this.skip();
    }
    const codec = ev.columns ? this.codecFor(r, ev.columns) : r.codec;
    const value = this.format.encode(ev, codec, { now, source: this.source });
    // The key follows the row's new identity (the deleted row for a DELETE).
    return { topic: r.topic, key: messageKey(codec, ev.op === 'delete' ? ev.before! : ev.after!), value };
  }

  /** Codec for the columns the log carried (older than the current shape across an ALTER). */
  private codecFor(r: Route, columns: ColumnInfo[]): TableCodec {
    if (columns.length === r.shape.columns.length && columns.every((c, i) => c === r.shape.columns[i])) return r.codec;
    let c = this.layoutCodecs.get(columns);
    if (!c) {
      c = tableCodec({ ...r.shape, columns });
      this.layoutCodecs.set(columns, c);
    }
    return c;
  }

  private skip(): undefined {
    this.skipped++;
    return undefined;
  }
}
