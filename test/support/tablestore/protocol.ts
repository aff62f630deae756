// Protobuf messages. The SDK's own tablestore.proto is loaded at run time, so the server reads
// and writes exactly the messages the SDK was built from; BulkImport (absent from that file)
// comes from our bulk-import.proto. The interfaces below mirror the fields this server reads
// or writes, in protobufjs' camelCase with int64 as bigint; protobufjs enforces proto2
// `required` fields on decode, so a decoded message has at least those.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { Errors } from './errors.js';

export interface CapacityUnit {
  read?: number;
  write?: number;
}
export interface PrimaryKeySchemaMsg {
  name: string;
  type: number; // 1 INTEGER, 2 STRING, 3 BINARY
  option?: number; // 1 AUTO_INCREMENT
}
export interface TableOptionsMsg {
  timeToLive?: number;
  maxVersions?: number;
  deviationCellVersionInSec?: bigint;
  allowUpdate?: boolean;
}
export interface CreateTableRequest {
  tableMeta: { tableName: string; primaryKey?: PrimaryKeySchemaMsg[] };
  reservedThroughput: { capacityUnit: CapacityUnit };
  tableOptions?: TableOptionsMsg;
}
export interface TableNameRequest {
  tableName: string;
}
export interface UpdateTableRequest extends TableNameRequest {
  reservedThroughput?: { capacityUnit: CapacityUnit };
  tableOptions?: TableOptionsMsg;
}
export interface ConditionMsg {
  rowExistence: number; // 0 IGNORE, 1 EXPECT_EXIST, 2 EXPECT_NOT_EXIST
  columnCondition?: Uint8Array;
}
export interface ReturnContentMsg {
  returnType?: number; // 0 RT_NONE, 1 RT_PK, 2 RT_AFTER_MODIFY
  returnColumnNames?: string[];
}
export interface TimeRangeMsg {
  startTime?: bigint;
  endTime?: bigint;
  specificTime?: bigint;
}
export interface ReadOptions {
  columnsToGet?: string[];
  timeRange?: TimeRangeMsg;
  maxVersions?: number;
  filter?: Uint8Array;
  startColumn?: string;
  endColumn?: string;
}
export interface GetRowRequest extends ReadOptions {
  tableName: string;
  primaryKey: Uint8Array;
}
export interface WriteRowRequest {
  tableName: string;
  row?: Uint8Array; // PutRow
  rowChange?: Uint8Array; // UpdateRow
  primaryKey?: Uint8Array; // DeleteRow
  condition: ConditionMsg;
  returnContent?: ReturnContentMsg;
}
export interface GetRangeRequest extends ReadOptions {
  tableName: string;
  direction: number; // 0 FORWARD, 1 BACKWARD
  limit?: number;
  inclusiveStartPrimaryKey: Uint8Array;
  exclusiveEndPrimaryKey: Uint8Array;
}
export interface BatchGetRowRequest {
  tables?: (ReadOptions & { tableName: string; primaryKey?: Uint8Array[] })[];
}
export interface RowInBatchWriteMsg {
  type: number; // 1 PUT, 2 UPDATE, 3 DELETE
  rowChange: Uint8Array;
  condition: ConditionMsg;
  returnContent?: ReturnContentMsg;
}
export interface BatchWriteRowRequest {
  tables?: { tableName: string; rows?: RowInBatchWriteMsg[] }[];
}
export interface BulkImportRequest {
  tableName: string;
  rows?: { type: number; rowChange: Uint8Array }[];
}

/** Result of one row in a batch response (BatchGetRow, BatchWriteRow, BulkImport). */
export interface RowResultMsg {
  isOk: boolean;
  error?: { code: string; message: string };
  consumed?: { capacityUnit: CapacityUnit };
  row?: Uint8Array;
}

function sdkProtoPath(): string {
  const req = createRequire(import.meta.url);
  return join(dirname(req.resolve('tablestore/package.json')), 'lib', 'protocol', 'tablestore.proto');
}

/**
 * bulk-import.proto sits next to this module in the source tree. The compiled copy (tsc does
 * not copy .proto files) looks for it in the source tree above the output directory.
 */
function bulkImportProtoPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, 'bulk-import.proto');
  if (existsSync(beside)) return beside;
  let dir = here;
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'test', 'support', 'tablestore', 'bulk-import.proto');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('bulk-import.proto not found next to the test server or in the source tree');
}

let cached: { main: protobuf.Root; bulk: protobuf.Root } | undefined;
/** Loads both .proto files once per process. */
export function loadProtocol(): { main: protobuf.Root; bulk: protobuf.Root } {
  cached ??= { main: protobuf.loadSync(sdkProtoPath()), bulk: protobuf.loadSync(bulkImportProtoPath()) };
  return cached;
}

function lookup(name: string): protobuf.Type {
  const r = loadProtocol();
  return name.startsWith('BulkImport') || name.startsWith('RowInBulkImport')
    ? r.bulk.lookupType(`mig.tablestore.bulkimport.${name}`)
    : r.main.lookupType(`main.proto.${name}`);
}

/**
 * Decodes `<Op>Request` (or the message named by `typeName`); a body that is not a valid
 * message is the caller's parameter error.
 */
export function decodeRequest<T>(op: string, body: Buffer, typeName = `${op}Request`): T {
  const type = lookup(typeName);
  let message: protobuf.Message;
  try {
    message = type.decode(body);
  } catch (e) {
    throw Errors.invalid(`Invalid ${typeName}: ${(e as Error).message}`);
  }
  // The cast is the one place the shape is asserted; protobufjs has already checked required fields.
  return type.toObject(message, { longs: BigInt, enums: Number, defaults: false }) as T;
}

export function encodeMessage(typeName: string, value: object): Buffer {
  const type = lookup(typeName);
  return Buffer.from(type.encode(type.fromObject(value)).finish());
}
