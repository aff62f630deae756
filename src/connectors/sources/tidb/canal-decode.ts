// One canal-json message (TiCDC's, canal's or mig's own) → mig's canonical change events. Values are
// normalised to what the snapshot SELECT gives where the canal text differs: binary bytes come as
// ISO-8859-1 characters, BIT as its number, ENUM/SET possibly as index/bitmask (TiCDC), FLOAT in
// Java's or Go's notation, temporal values maybe without the column's trailing fraction digits.
import type { ChangeEvent, ColumnInfo, Row, SqlValue } from '../../../model/source-data.js';
import type { ValueOptions } from '../mysql/type-map.js';
import { MigError } from '../../../util/errors.js';
import { bitBytes, typedText } from './canonical.js';
import { feedColumn, labelsFor, parseTypeText, type FeedSchema, type TypeFacts } from './columns.js';
import { enumLabel, setLabels, type LabelContext } from './labels.js';
import { feedChangeId, tsoPhysicalMs } from './tso.js';

export interface CanalContext extends FeedSchema {
  /** Kafka offset and partition of the message: errors name them and change ids derive from them. */
  offset: string;
  partition: number;
  topic?: string;
  /** Zone the producer printed TIMESTAMP values in (TiCDC: the changefeed's time zone); default UTC. */
  timeZone?: string;
}

export interface CanalMessage {
  /** `watermark`: TiCDC's TIDB_WATERMARK, no changes (all events before its ts have been sent). */
  kind: 'dml' | 'ddl' | 'watermark';
  /** TiCDC's `_tidb.commitTs` (or `watermarkTs`) when the producer added the TiDB extension. */
  commitTs?: bigint;
  events: ChangeEvent[];
}

type Image = Record<string, unknown>;

interface CanalJsonIn {
  data?: Image[] | null;
  old?: Image[] | null;
  database?: string;
  table?: string;
  isDdl?: boolean;
  type?: string;
  sql?: string | null;
  es?: number;
  mysqlType?: Record<string, string> | null;
  sqlType?: Record<string, number> | null;
}

const ROW_TYPES = { INSERT: 'insert', UPDATE: 'update', DELETE: 'delete' } as const;
const DDL_TYPES = new Set(['QUERY', 'CREATE', 'ALTER', 'ERASE', 'TRUNCATE', 'RENAME', 'CINDEX', 'DINDEX']);

// java.sql.Types of byte columns: BINARY, VARBINARY, LONGVARBINARY, BLOB.
const BYTE_SQL_TYPES = new Set([-2, -3, -4, 2004]);
const TEXT_TO_BYTES: Record<string, string> = {
  char: 'binary', varchar: 'varbinary', tinytext: 'tinyblob', text: 'blob', mediumtext: 'mediumblob', longtext: 'longblob',
};

export function decodeCanal(buf: Buffer, values: ValueOptions, ctx: CanalContext): CanalMessage {
  const where = `${ctx.topic ? `${ctx.topic} ` : ''}partition ${ctx.partition} offset ${ctx.offset}`;
  const text = buf.toString('utf8');
  let msg: CanalJsonIn;
  try {
    msg = JSON.parse(text) as CanalJsonIn;
  } catch (e) {
    throw bad(where, (e as Error).message);
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) throw bad(where, 'it is not a JSON object');
  // TSOs exceed 2^53, so they are read from the text rather than from the parsed number.
  const commitTs = tidbTs(text, 'commitTs');
  if (msg.type === 'TIDB_WATERMARK') return { kind: 'watermark', commitTs: tidbTs(text, 'watermarkTs'), events: [] };
  const timestamp = typeof msg.es === 'number' ? msg.es : commitTs !== undefined ? tsoPhysicalMs(commitTs) : 0;
  const database = msg.database ?? '';
  const table = msg.table ?? '';
  const type = String(msg.type ?? '').toUpperCase();
  if (msg.isDdl === true || (!(type in ROW_TYPES) && DDL_TYPES.has(type))) {
    if (!msg.sql) throw bad(where, 'it is a DDL message without sql');
    const ev: ChangeEvent = { kind: 'ddl', database, sql: msg.sql, timestamp, id: feedChangeId(ctx.offset, ctx.partition, 0) };
    if (table) ev.table = table;
    return { kind: 'ddl', commitTs, events: [ev] };
  }
  const op = ROW_TYPES[type as keyof typeof ROW_TYPES];
  if (!op) throw bad(where, `its type ${JSON.stringify(msg.type)} is not INSERT, UPDATE, DELETE or a DDL`);
  const data = msg.data ?? [];
  if (!Array.isArray(data)) throw bad(where, 'its data is not an array');
  const cols = columnsOf(msg, data, ctx);
  const cx: CellContext = { database, table, where, values, schema: ctx, zone: ctx.timeZone ?? 'UTC' };
  const toRow = (img: Image): Row => {
    const out: Row = {};
    for (const c of cols) out[c.name] = canalCell(c, img[c.name], cx);
    return out;
  };
  const events: ChangeEvent[] = data.map((img, i) => {
    const base = { kind: 'row' as const, database, table, columns: cols, timestamp, id: feedChangeId(ctx.offset, ctx.partition, i) };
    if (op === 'insert') return { ...base, op, after: toRow(img) };
    if (op === 'delete') return { ...base, op, before: toRow(img) };
    // canal's `old` has the changed columns only, TiCDC's every column: overlaying covers both.
    return { ...base, op, before: toRow({ ...img, ...(msg.old?.[i] ?? {}) }), after: toRow(img) };
  });
  return { kind: 'dml', commitTs, events };
}

function bad(where: string, why: string): MigError {
  return new MigError('feed-bad-message', `the message at ${where} is not a valid canal-json message: ${why}`,
    'check spec.source.binlogKafka.topic and format: format canal-json reads TiCDC, canal or mig canal-json; Drainer protobuf needs format drainer');
}

function tidbTs(text: string, field: 'commitTs' | 'watermarkTs'): bigint | undefined {
  const m = new RegExp(`"_tidb"\\s*:\\s*\\{[^}]*"${field}"\\s*:\\s*"?(\\d+)`).exec(text);
  return m ? BigInt(m[1]!) : undefined;
}

/** Columns in the row's own order (TiCDC's mysqlType map is sorted by name, the data is not). */
function columnsOf(msg: CanalJsonIn, data: Image[], ctx: CanalContext): ColumnInfo[] {
  const names = new Set<string>();
  for (const img of data) for (const k of Object.keys(img)) names.add(k);
  for (const k of Object.keys(msg.mysqlType ?? {})) names.add(k);
  return [...names].map((name) => {
    const typeText = msg.mysqlType?.[name];
    const facts: TypeFacts = typeText ? parseTypeText(typeText) : { dataType: 'varchar', unsigned: false };
    const swapped = TEXT_TO_BYTES[facts.dataType];
    if (swapped && BYTE_SQL_TYPES.has(msg.sqlType?.[name] ?? 0)) {
      facts.dataType = swapped;
      facts.columnType = facts.columnType?.replace(/^[a-z]+/, swapped);
    }
    return feedColumn(name, facts, msg.database ?? '', msg.table ?? '', ctx);
  });
}

interface CellContext {
  database: string;
  table: string;
  where: string;
  zone: string;
  values: ValueOptions;
  schema: FeedSchema;
}

const DIGITS = /^\d+$/;

function canalCell(c: ColumnInfo, raw: unknown, cx: CellContext): SqlValue {
  if (raw === null || raw === undefined) return null;
  const s = typeof raw === 'string' ? raw : String(raw);
  const label: LabelContext = { database: cx.database, table: cx.table, column: c.name, where: cx.where };
  switch (c.dataType) {
    case 'enum': {
      const labels = labelsFor(c, cx.database, cx.table, cx.schema);
      // A label as such (canal, mig), else TiCDC's 1-based index.
      if (s === '' || labels?.includes(s) || !DIGITS.test(s)) return s;
      return enumLabel(BigInt(s), labels, label);
    }
    case 'set': {
      const labels = labelsFor(c, cx.database, cx.table, cx.schema);
      if (s === '' || !DIGITS.test(s) || (labels && s.split(',').every((p) => labels.includes(p)))) return s;
      return setLabels(BigInt(s), labels, label);
    }
    case 'bit':
      return DIGITS.test(s) ? bitBytes(c, BigInt(s)) : bitBytes(c, Buffer.from(s, 'latin1'));
    default:
      // Byte columns travel as one ISO-8859-1 character per byte.
      if (c.binary) return Buffer.from(s, 'latin1');
      return typedText(c, s, cx.zone, cx.values) ?? s;
  }
}
