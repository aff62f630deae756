// The Drainer message schema, loaded once from schemas/tidb/secondary_binlog.proto (shipped with
// the package), and the plain shapes a decoded message has.
import { fileURLToPath } from 'node:url';
import type protobuf from 'protobufjs';
import { protobufModule } from '../../protobuf-module.js';

// src/source/tidb/ and dist/source/tidb/ are both three levels below the package root.
export const DRAINER_PROTO = fileURLToPath(new URL('../../../../schemas/tidb/secondary_binlog.proto', import.meta.url));

let binlogType: protobuf.Type | undefined;

/** The `slave.binlog.Binlog` message type (field names as in the .proto: snake_case). */
export function drainerBinlogType(): protobuf.Type {
  if (!binlogType) {
    const root = new (protobufModule().Root)();
    root.loadSync(DRAINER_PROTO, { keepCase: true });
    binlogType = root.lookupType('slave.binlog.Binlog');
  }
  return binlogType;
}

export const MUTATION = { Insert: 0, Update: 1, Delete: 2 } as const;
export const BINLOG_TYPE = { DML: 0, DDL: 1 } as const;

// Shapes of Type.toObject(message, { longs: BigInt }): absent optional fields are absent.
export interface PbColumn {
  is_null?: boolean;
  int64_value?: bigint;
  uint64_value?: bigint;
  double_value?: number;
  bytes_value?: Uint8Array;
  string_value?: string;
}
export interface PbColumnInfo {
  name?: string;
  mysql_type?: string;
  is_primary_key?: boolean;
  flen?: number;
  decimal?: number;
}
export interface PbRow {
  columns?: PbColumn[];
}
export interface PbMutation {
  type: number;
  row: PbRow;
  change_row?: PbRow;
}
export interface PbKey {
  name?: string;
  column_names?: string[];
}
export interface PbTable {
  schema_name?: string;
  table_name?: string;
  column_info?: PbColumnInfo[];
  mutations?: PbMutation[];
  unique_keys?: PbKey[];
}
export interface PbBinlog {
  type?: number;
  commit_ts?: bigint;
  dml_data?: { tables?: PbTable[] };
  ddl_data?: { schema_name?: string; table_name?: string; ddl_query?: Uint8Array };
  time_zone?: string;
}
