// One Drainer message (a whole upstream transaction, or one DDL) → mig's canonical change events.
// Values are turned into exactly what the snapshot SELECT of the same value gives (canonical.ts).
import type { ChangeEvent, ColumnInfo, Row, SqlValue } from '../../../model/source-data.js';
import { isIntegerType, type ValueOptions } from '../mysql/type-map.js';
import { MigError } from '../../../util/errors.js';
import { bitBytes, floatText, typedText, yearText } from './canonical.js';
import { feedColumn, labelsFor, type FeedSchema } from './columns.js';
import { BINLOG_TYPE, drainerBinlogType, MUTATION, type PbBinlog, type PbColumn, type PbRow, type PbTable } from './drainer-proto.js';
import { enumLabel, setLabels } from './labels.js';
import { feedChangeId, tsoPhysicalMs } from './tso.js';

export interface DrainerContext extends FeedSchema {
  /** Kafka offset of the message: errors name it and change ids derive from it. */
  offset: string;
  /** Topic, for error messages. */
  topic?: string;
  /**
   * Zone Drainer printed TIMESTAMP values in when the message does not say (Drainer writes them in
   * its process's zone and usually omits time_zone): spec.source.binlogKafka.timeZone, default
   * UTC. An explicit time_zone in the message wins.
   */
  timeZone?: string;
}

/** Keys of a changed table as Drainer describes them, for appliers without a schema of their own. */
export interface DrainerTable {
  database: string;
  table: string;
  /** Primary-key columns (from unique_keys' PRIMARY, else the is_primary_key flags); empty if none. */
  primaryKey: string[];
  /** Every unique key by index name, `PRIMARY` included; empty when the Drainer is older than 3.0.9. */
  uniqueKeys: Record<string, string[]>;
}

export interface DrainerTxn {
  /** TiDB commit TSO of the transaction. */
  commitTs: bigint;
  kind: 'dml' | 'ddl';
  /** Row changes in Drainer's order (table by table), or the one DDL event. */
  events: ChangeEvent[];
  /** The tables a DML transaction changed; empty for DDL. */
  tables: DrainerTable[];
}

/** Decodes one Drainer `Binlog` message. Fails with a MigError naming the offset on bad input. */
export function decodeDrainer(buf: Buffer, values: ValueOptions, ctx: DrainerContext): DrainerTxn {
  const where = `${ctx.topic ? `${ctx.topic} ` : ''}offset ${ctx.offset}`;
  const msg = parse(buf, where);
  const commitTs = msg.commit_ts;
  if (commitTs === undefined || commitTs <= 0n) throw bad(where, 'it has no commit_ts');
  const timestamp = tsoPhysicalMs(commitTs);
  if ((msg.type ?? BINLOG_TYPE.DML) === BINLOG_TYPE.DDL) {
    const d = msg.ddl_data;
    const sql = d?.ddl_query ? Buffer.from(d.ddl_query).toString('utf8') : '';
    if (!sql) throw bad(where, 'it is a DDL message without ddl_query');
    const ev: ChangeEvent = { kind: 'ddl', database: d?.schema_name ?? '', sql, timestamp, id: feedChangeId(ctx.offset, 0, 0) };
    if (d?.table_name) ev.table = d.table_name;
    return { commitTs, kind: 'ddl', events: [ev], tables: [] };
  }
  if (msg.type !== undefined && msg.type !== BINLOG_TYPE.DML) throw bad(where, `its type ${msg.type} is neither DML nor DDL`);
  const zone = msg.time_zone || ctx.timeZone || 'UTC';
  const events: ChangeEvent[] = [];
  const tables: DrainerTable[] = [];
  for (const t of msg.dml_data?.tables ?? []) {
    tables.push(tableKeys(t));
    decodeTable(t, values, ctx, { where, zone, timestamp, events });
  }
  return { commitTs, kind: 'dml', events, tables };
}

function parse(buf: Buffer, where: string): PbBinlog {
  const type = drainerBinlogType();
  try {
    return type.toObject(type.decode(buf), { longs: BigInt }) as PbBinlog;
  } catch (e) {
    throw bad(where, (e as Error).message);
  }
}

function bad(where: string, why: string): MigError {
  return new MigError('feed-bad-message', `the message at ${where} is not a valid TiDB-Binlog (Drainer) message: ${why}`,
    'check spec.source.binlogKafka.topic and format: format drainer reads the protobuf Drainer writes to Kafka; TiCDC or mig canal-json needs format canal-json');
}

function tableKeys(t: PbTable): DrainerTable {
  const uniqueKeys: Record<string, string[]> = {};
  for (const k of t.unique_keys ?? []) if (k.name) uniqueKeys[k.name] = k.column_names ?? [];
  const flagged = (t.column_info ?? []).filter((c) => c.is_primary_key).map((c) => c.name ?? '');
  return { database: t.schema_name ?? '', table: t.table_name ?? '', primaryKey: uniqueKeys.PRIMARY ?? flagged, uniqueKeys };
}

interface TableRun {
  where: string;
  zone: string;
  timestamp: number;
  events: ChangeEvent[];
}

function decodeTable(t: PbTable, values: ValueOptions, ctx: DrainerContext, run: TableRun): void {
  const database = t.schema_name ?? '';
  const table = t.table_name ?? '';
  const infos = t.column_info ?? [];
  const mutations = t.mutations ?? [];
  // column_info has no unsigned flag; Drainer puts unsigned integers in uint64_value.
  const unsigned = infos.map((_, i) => mutations.some((m) => m.row.columns?.[i]?.uint64_value !== undefined || m.change_row?.columns?.[i]?.uint64_value !== undefined));
  const cols: ColumnInfo[] = infos.map((ci, i) => {
    let dataType = (ci.mysql_type ?? '').toLowerCase();
    if (dataType === 'var_string') dataType = 'varchar';
    return feedColumn(ci.name ?? `col${i}`, { dataType, flen: ci.flen, decimal: ci.decimal, unsigned: isIntegerType(dataType) && unsigned[i]! }, database, table, ctx);
  });
  const cells: CellContext = { database, table, where: run.where, zone: run.zone, values, schema: ctx };
  const toRow = (r: PbRow | undefined, image: string): Row => {
    const vals = r?.columns ?? [];
    if (vals.length !== cols.length) {
      throw bad(run.where, `a ${image} image of ${database}.${table} has ${vals.length} values for ${cols.length} columns`);
    }
    const out: Row = {};
    for (let i = 0; i < cols.length; i++) out[cols[i]!.name] = cell(cols[i]!, vals[i]!, cells);
    return out;
  };
  for (const m of mutations) {
    const base = { kind: 'row' as const, database, table, columns: cols, timestamp: run.timestamp, id: feedChangeId(ctx.offset, 0, run.events.length) };
    switch (m.type) {
      case MUTATION.Insert:
        run.events.push({ ...base, op: 'insert', after: toRow(m.row, 'inserted') });
        break;
      case MUTATION.Update:
        if (!m.change_row) throw bad(run.where, `an update of ${database}.${table} has no before image (change_row)`);
        run.events.push({ ...base, op: 'update', before: toRow(m.change_row, 'before'), after: toRow(m.row, 'after') });
        break;
      case MUTATION.Delete:
        run.events.push({ ...base, op: 'delete', before: toRow(m.row, 'deleted') });
        break;
      default:
        throw bad(run.where, `a mutation of ${database}.${table} has the unknown type ${m.type}`);
    }
  }
}

interface CellContext {
  database: string;
  table: string;
  where: string;
  zone: string;
  values: ValueOptions;
  schema: FeedSchema;
}

/** One value by where Drainer placed it (int64/uint64, double, bytes or string) and the column type. */
function cell(c: ColumnInfo, v: PbColumn, cx: CellContext): SqlValue {
  if (v.is_null) return null;
  const dt = c.dataType;
  const n = v.uint64_value ?? v.int64_value;
  if (n !== undefined) {
    const label = { database: cx.database, table: cx.table, column: c.name, where: cx.where };
    if (dt === 'enum') return enumLabel(n, labelsFor(c, cx.database, cx.table, cx.schema), label);
    if (dt === 'set') return setLabels(n, labelsFor(c, cx.database, cx.table, cx.schema), label);
    if (dt === 'bit') return bitBytes(c, n);
    if (dt === 'year') return yearText(n.toString());
    if (dt === 'float' || dt === 'double' || dt === 'real') return floatText(c, Number(n), cx.values);
    return n.toString();
  }
  if (v.double_value !== undefined) {
    return dt === 'float' || dt === 'double' || dt === 'real' ? floatText(c, v.double_value, cx.values) : String(v.double_value);
  }
  if (v.bytes_value !== undefined) {
    // Copied out of the message buffer, so a kept value does not pin a whole large transaction.
    const b = Buffer.from(v.bytes_value);
    if (dt === 'bit') return bitBytes(c, b);
    return c.binary ? b : b.toString('utf8');
  }
  if (v.string_value !== undefined) {
    const s = v.string_value;
    if (c.binary) return Buffer.from(s, 'utf8');
    return typedText(c, s, cx.zone, cx.values) ?? s;
  }
  throw bad(cx.where, `column ${c.name} of ${cx.database}.${cx.table} has neither a value nor is_null`);
}
