// Builds TiDB-Binlog Drainer messages for tests, encoded by protobufjs from mig's own .proto: the
// bytes a real Drainer would put in Kafka for the same transaction.
import { drainerBinlogType } from '../../src/connectors/sources/tidb/drainer-proto.js';
import { composeTso } from '../../src/connectors/sources/tidb/tso.js';

/** A TSO from physical milliseconds and a logical counter. */
export function tso(ms: number, logical = 0): bigint {
  return composeTso(ms, logical);
}

/** One column value as Drainer places it; null is SQL NULL (is_null). */
export type Cell =
  | null
  | { int64: bigint | number }
  | { uint64: bigint | number }
  | { double: number }
  | { bytes: Buffer }
  | { string: string };

export const i64 = (v: bigint | number): Cell => ({ int64: v });
export const u64 = (v: bigint | number): Cell => ({ uint64: v });
export const dbl = (v: number): Cell => ({ double: v });
export const bytes = (v: Buffer | string): Cell => ({ bytes: Buffer.isBuffer(v) ? v : Buffer.from(v) });
export const str = (v: string): Cell => ({ string: v });

export interface ColSpec {
  name: string;
  /** Drainer's mysql_type: lower-case base type (int, varchar, decimal …). */
  type: string;
  pk?: boolean;
  flen?: number;
  decimal?: number;
}

export interface Mutation {
  type: 'insert' | 'update' | 'delete';
  /** After image (insert, update) or the deleted row. */
  row: Cell[];
  /** Before image of an update. */
  before?: Cell[];
}

export interface TableSpec {
  schema: string;
  table: string;
  columns: ColSpec[];
  mutations: Mutation[];
  uniqueKeys?: Record<string, string[]>;
}

const MUTATION = { insert: 0, update: 1, delete: 2 } as const;

function column(c: Cell): Record<string, unknown> {
  if (c === null) return { is_null: true };
  if ('int64' in c) return { int64_value: BigInt(c.int64) };
  if ('uint64' in c) return { uint64_value: BigInt(c.uint64) };
  if ('double' in c) return { double_value: c.double };
  if ('bytes' in c) return { bytes_value: c.bytes };
  return { string_value: c.string };
}

function encode(obj: Record<string, unknown>): Buffer {
  const type = drainerBinlogType();
  const problem = type.verify(type.fromObject(obj));
  if (problem) throw new Error(`test Drainer message is invalid: ${problem}`);
  return Buffer.from(type.encode(type.fromObject(obj)).finish());
}

/** A DML transaction over one or more tables. */
export function dml(commitTs: bigint, tables: TableSpec[], opts: { timeZone?: string } = {}): Buffer {
  return encode({
    type: 0,
    commit_ts: commitTs,
    ...(opts.timeZone !== undefined ? { time_zone: opts.timeZone } : {}),
    dml_data: {
      tables: tables.map((t) => ({
        schema_name: t.schema,
        table_name: t.table,
        column_info: t.columns.map((c) => ({
          name: c.name, mysql_type: c.type, is_primary_key: c.pk ?? false,
          ...(c.flen !== undefined ? { flen: c.flen } : {}), ...(c.decimal !== undefined ? { decimal: c.decimal } : {}),
        })),
        mutations: t.mutations.map((m) => ({
          type: MUTATION[m.type],
          row: { columns: m.row.map(column) },
          ...(m.before ? { change_row: { columns: m.before.map(column) } } : {}),
        })),
        unique_keys: Object.entries(t.uniqueKeys ?? {}).map(([name, cols]) => ({ name, column_names: cols })),
      })),
    },
  });
}

/** A DDL message. */
export function ddl(commitTs: bigint, schema: string, table: string, sql: string): Buffer {
  return encode({ type: 1, commit_ts: commitTs, ddl_data: { schema_name: schema, table_name: table, ddl_query: Buffer.from(sql) } });
}
