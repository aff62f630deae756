// Typed access to the official `tablestore` SDK for tests. The package ships no type
// declarations; these interfaces describe the parts tests use, as its decoder builds them.
import { createRequire } from 'node:module';

/** The SDK's int64 (int64-buffer's Int64LE): integers and timestamps come back as this. */
export interface SdkInt64 {
  toString(radix?: number): string;
  toNumber(): number;
  toBuffer(): Buffer;
}
export type SdkValue = SdkInt64 | string | Buffer | number | boolean;
export interface SdkPkColumn {
  name: string;
  value: SdkValue;
}
export interface SdkAttribute {
  columnName: string;
  columnValue: SdkValue;
  timestamp: SdkInt64;
}
export interface SdkRow {
  primaryKey?: SdkPkColumn[];
  attributes?: SdkAttribute[];
}
export interface SdkRowResult {
  isOk: boolean;
  errorCode: string | null;
  errorMessage: string | null;
  tableName: string;
  primaryKey: SdkPkColumn[] | null;
  attributes: SdkAttribute[] | null;
}
/** What a failed call rejects with (the SDK puts the HTTP status in `code`). */
export interface SdkError {
  code: number | string;
  message: string;
}

type Params = Record<string, unknown>;
export interface SdkClient {
  createTable(p: Params): Promise<object>;
  listTable(p: Params): Promise<{ tableNames: string[] }>;
  deleteTable(p: Params): Promise<object>;
  updateTable(p: Params): Promise<{ tableOptions: { timeToLive: number; maxVersions: number } }>;
  describeTable(p: Params): Promise<{
    tableMeta: { tableName: string; primaryKey: { name: string; type: number }[] };
    tableOptions: { timeToLive: number; maxVersions: number };
    reservedThroughputDetails: { capacityUnit: { read: number; write: number } };
    tableStatus: number;
  }>;
  putRow(p: Params): Promise<{ row: SdkRow }>;
  updateRow(p: Params): Promise<{ row: SdkRow }>;
  deleteRow(p: Params): Promise<{ row: SdkRow }>;
  getRow(p: Params): Promise<{ row: SdkRow }>;
  getRange(p: Params): Promise<{ rows: SdkRow[]; nextStartPrimaryKey: SdkPkColumn[] | null }>;
  batchWriteRow(p: Params): Promise<{ tables: SdkRowResult[] }>;
  batchGetRow(p: Params): Promise<{ tables: SdkRowResult[][] }>;
}

/** Marker objects and enums the SDK compares by identity or value. */
export interface TableStoreSdk {
  Client: new (config: {
    accessKeyId: string;
    secretAccessKey: string;
    endpoint: string;
    instancename: string;
    maxRetries?: number;
  }) => SdkClient;
  Long: { fromNumber(n: number): SdkInt64; fromString(s: string): SdkInt64 };
  Condition: new (rowExistence: number, columnCondition: null) => object;
  RowExistenceExpectation: { IGNORE: number; EXPECT_EXIST: number; EXPECT_NOT_EXIST: number };
  ReturnType: { NONE: number; Primarykey: number; AfterModify: number };
  Direction: { FORWARD: string; BACKWARD: string };
  INF_MIN: object;
  INF_MAX: object;
  PK_AUTO_INCR: object;
  PlainBufferBuilder: {
    serializeForPutRow(pk: Record<string, unknown>[], attrs: Record<string, unknown>[]): Buffer;
    serializeForUpdateRow(pk: Record<string, unknown>[], attrs: Record<string, unknown>[]): Buffer;
  };
  DefaultRetryPolicy: { maxRetryTimes: number };
}

export const TableStore = createRequire(import.meta.url)('tablestore') as TableStoreSdk;

export function sdkClient(
  server: { endpoint: string; instance: string; accessKeyId: string; accessKeySecret: string },
  overrides: { accessKeyId?: string; accessKeySecret?: string; instance?: string; maxRetries?: number } = {},
): SdkClient {
  return new TableStore.Client({
    accessKeyId: overrides.accessKeyId ?? server.accessKeyId,
    secretAccessKey: overrides.accessKeySecret ?? server.accessKeySecret,
    endpoint: server.endpoint,
    instancename: overrides.instance ?? server.instance,
    maxRetries: overrides.maxRetries ?? 0,
  });
}
