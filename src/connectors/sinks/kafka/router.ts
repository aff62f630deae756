// Source event → Kafka message: the table's topic, its operation selection and row filter (on the
// source row), its projection (columns, names), the format's encoding, the message key and the
// partition. Built once per table shape, so the per-row path only evaluates and serialises.
import type { KafkaDestination, Operation } from '../../../spec/schema.js';
import type { ChangeEvent, ColumnInfo, Row, TableInfo } from '../../../model/source-data.js';
import type { OutboundMessage } from './message.js';
import { tableCodec, valueText } from './codec.js';
import { jsonString } from './formats/canal-json.js';
import type { EncodeContext, MessageFormat, TableCodec } from './formats/format.js';
import { choosePartition, type PartitionPolicy } from './partitioner.js';
import { frameConfluent } from './schema-registry.js';
import { compileFilter, parseFilter } from '../../../transform/index.js';
import type { DesiredTable } from '../../../model/targets.js';
import { MigError } from '../../../util/errors.js';
import { buildProjection, caseName, type NameCase, type Projection } from './projection.js';
import { sourceKeyValues, type Refusal } from '../../dead-letter.js';

/** DTS caps a Kafka record at 10 MB; mig does the same unless told otherwise. */
export const DEFAULT_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export interface RouterOptions {
  tables: Map<string, DesiredTable>;
  destination: KafkaDestination;
  format: MessageFormat;
  source: EncodeContext['source'];
  flavor: 'mariadb' | 'mysql';
  /** Partition count of each topic, as created or found. */
  partitionsOf: (topic: string) => number;
  /**
   * A row mig cannot write (over maxMessageBytes, or its values do not encode): the table's onError
   * policy decides (the sink throws under block); returns the dead letter to send instead, if any.
   */
  refuse: (r: Refusal, t: DesiredTable) => OutboundMessage | undefined;
  /** Schema-registry ids of the value schema by topic: messages are framed (magic 0, id, payload). */
  schemaIds?: Map<string, number>;
}

/** One table layout (current shape, or an older one from the log) ready to encode. */
interface Layout {
  projection: Projection;
  codec: TableCodec;
  keyCols: ColumnInfo[];
  partitionCols: ColumnInfo[];
}

interface Route {
  id: string;
  topic: string;
  ops: Set<Operation>;
  filter?: (row: Row) => boolean;
  shape: TableInfo;
  layout: Layout;
  layouts: WeakMap<ColumnInfo[], Layout>;
  outDatabase: string;
  outTable: string;
  spec: DesiredTable;
}

export class Router {
  private readonly routes = new Map<string, Route>();
  private readonly policy: PartitionPolicy;
  private readonly nameCase: NameCase;
  private readonly maxBytes: number;
  /** Rows the filter or the operation selection left out. */
  skipped = 0;

  constructor(private readonly o: RouterOptions) {
    this.policy = o.destination.partitioning?.policy ?? 'primary-key';
    this.nameCase = o.destination.nameCase ?? 'source';
    this.maxBytes = o.destination.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  /** (Re)builds a table's route for its current shape; called again after an ALTER. */
  private route(shape: TableInfo): Route | undefined {
    const id = `${shape.database}.${shape.table}`;
    const existing = this.routes.get(id);
    if (existing && existing.shape === shape) return existing;
    const t = this.o.tables.get(id);
    if (!t) return undefined;
    let filter: ((row: Row) => boolean) | undefined;
    if (t.filter) {
      const parsed = parseFilter(t.filter);
      if (!parsed.ok) throw new MigError('filter-invalid', `filter of ${id} cannot be evaluated on binlog rows: ${parsed.message} (at character ${parsed.offset + 1})`, 'rewrite the filter with the supported SQL subset (see README)');
      filter = compileFilter(parsed.expr, shape.columns, { table: shape.table, flavor: this.o.flavor });
    }
    const r: Route = {
      id, topic: t.target, ops: new Set(t.operations), filter, shape, spec: t,
      layout: this.layout(t, shape, shape.columns), layouts: new WeakMap(),
      outDatabase: caseName(shape.database, this.nameCase), outTable: caseName(shape.table, this.nameCase),
    };
    this.routes.set(id, r);
    return r;
  }

  private layout(t: DesiredTable, shape: TableInfo, columns: ColumnInfo[]): Layout {
    const projection = buildProjection({ columns: t.columns, rename: t.rename, nameCase: this.nameCase }, columns, t.id);
    const out = (names: string[]) =>
      names.flatMap((n) => {
        const i = projection.sourceNames.indexOf(n);
        return i < 0 ? [] : [projection.columns[i]!.name];
      });
    const codec = tableCodec({
      ...shape,
      columns: projection.columns,
      primaryKey: out(shape.primaryKey),
      chunkKey: out(shape.chunkKey),
      uniqueKeys: Object.fromEntries(Object.entries(shape.uniqueKeys ?? {}).map(([k, v]) => [k, out(v)])),
    });
    const pick = (names: string[]) => names.map((n) => columns.find((c) => c.name === n)).filter((c): c is ColumnInfo => c !== undefined);
    const keyCols = pick(shape.chunkKey);
    return { projection, codec, keyCols, partitionCols: t.partitionKey ? pick(t.partitionKey) : keyCols };
  }

  private layoutFor(r: Route, columns: ColumnInfo[] | undefined): Layout {
    if (!columns || columns === r.shape.columns) return r.layout;
    let l = r.layouts.get(columns);
    if (!l) {
      l = this.layout(r.spec, r.shape, columns);
      r.layouts.set(columns, l);
    }
    return l;
  }

  /** Full-load rows are already filtered by the server's WHERE; undefined when skipped as oversized. */
  snapshotRow(shape: TableInfo, row: Row, es: number, now: number): OutboundMessage | undefined {
    const r = this.route(shape)!;
    return this.rowMessage(r, r.layout, { kind: 'row', op: 'insert', database: shape.database, table: shape.table, after: row, timestamp: es, id: 0 }, row, now, true);
  }

  /**
   * A binlog change, or undefined when it is not replicated. An UPDATE passes when either image
   * matches the filter, so consumers also see a row leave the selection.
   */
  change(ev: ChangeEvent, shapeOf: (id: string) => TableInfo | undefined, now: number): OutboundMessage | undefined {
    if (ev.kind === 'ddl') return this.ddl(ev, now);
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
    return this.rowMessage(r, this.layoutFor(r, ev.columns), ev, ev.op === 'delete' ? ev.before! : ev.after!, now, false);
  }

  private rowMessage(r: Route, l: Layout, ev: Extract<ChangeEvent, { kind: 'row' }>, image: Row, now: number, snapshot: boolean): OutboundMessage | undefined {
    const p = l.projection;
    const out: ChangeEvent = p.identity
      ? { ...ev, database: r.outDatabase, table: r.outTable }
      : { ...ev, database: r.outDatabase, table: r.outTable, columns: undefined, before: ev.before && p.project(ev.before), after: ev.after && p.project(ev.after) };
    // The key is the row's (new) identity in source terms: it does not change with projections.
    const key = keyText(l.keyCols, image);
    let value: Buffer;
    try {
      value = this.frame(r.topic, this.o.format.encode(out, l.codec, { now, source: this.o.source }));
    } catch (e) {
      return this.refuse(r, ev, image, key, snapshot, 'encode-failed', `its values cannot be encoded as ${this.o.destination.format}: ${(e as Error).message}`, 'fix the value at the source, or report the column type if mig should encode it', 0);
    }
    if (value.length > this.maxBytes) {
      return this.refuse(r, ev, image, key, snapshot, 'row-too-large', `it encodes to ${value.length} bytes, over the ${this.maxBytes}-byte limit`, "raise destination.maxMessageBytes (and the topic's max.message.bytes)", value.length);
    }
    const partitionKey = l.partitionCols === l.keyCols ? key : keyText(l.partitionCols, image);
    const partition = choosePartition(this.policy, this.o.partitionsOf(r.topic), { database: ev.database, table: ev.table, keyText: partitionKey, ddl: false });
    return { topic: r.topic, key, value, partition };
  }

  private ddl(ev: Extract<ChangeEvent, { kind: 'ddl' }>, now: number): OutboundMessage | undefined {
    const t = ev.table ? this.o.tables.get(`${ev.database}.${ev.table}`) : undefined;
    if (t && t.ddl.policy !== 'replicate') return this.skip();
    const topic = this.o.destination.ddlTopic ?? t?.target ?? this.o.destination.topic;
    const out: ChangeEvent = { ...ev, database: caseName(ev.database, this.nameCase), table: ev.table === undefined ? undefined : caseName(ev.table, this.nameCase) };
    const value = this.frame(topic, this.o.format.encode(out, undefined, { now, source: this.o.source }));
    const partition = choosePartition(this.policy, this.o.partitionsOf(topic), { database: ev.database, table: ev.table, keyText: null, ddl: true });
    return { topic, key: null, value, partition };
  }

  /** A row mig cannot write, handed to the table's policy (a method, so rows that encode allocate nothing for it). */
  private refuse(r: Route, ev: Extract<ChangeEvent, { kind: 'row' }>, image: Row, key: string | null, snapshot: boolean, code: string, message: string, fix: string, bytes: number): OutboundMessage | undefined {
    const change = snapshot ? { kind: 'snapshot' as const, row: image } : { kind: 'change' as const, ev };
    return this.o.refuse({ table: r.id, key, keyValues: sourceKeyValues(r.shape, image), bytes, code, message, fix, change }, r.spec);
  }

  private frame(topic: string, value: Buffer): Buffer {
    const id = this.o.schemaIds?.get(topic);
    return id === undefined ? value : frameConfluent(id, value);
  }

  private skip(): undefined {
    this.skipped++;
    return undefined;
  }
}

/** JSON array of the columns' values as text: the message key, and the primary-key policy's hash input. */
export function keyText(cols: ColumnInfo[], row: Row): string | null {
  if (cols.length === 0) return null;
  if (cols.length === 1) {
    // The common single-column key without the array: the same text as JSON.stringify([v]).
    const v = valueText(cols[0]!, row[cols[0]!.name] ?? null);
    return v === null ? '[null]' : `[${jsonString(v)}]`;
  }
  return JSON.stringify(cols.map((c) => valueText(c, row[c.name] ?? null)));
}
