// The `tablestore` npm SDK (CommonJS, no type declarations) seen through the few shapes mig uses.
// Loaded with createRequire so its types stay in this one file instead of a global `declare module`,
// and on first use: it is the heaviest module mig can load (~3 MB of code, ~20 MB of memory), and
// every apply reaches this file through the registry, Tablestore destination or not.
import { createRequire } from 'node:module';

/** The SDK's 64-bit integer (an int64-buffer Int64LE): the only way to write an INTEGER cell. */
export interface SdkLong {
  toString(radix?: number): string;
  toNumber(): number;
  toBuffer(): Buffer;
}

/** Values the SDK encodes: Long → INTEGER, string → STRING, Buffer → BINARY, number → DOUBLE, boolean → BOOLEAN. */
export type SdkKeyValue = SdkLong | string | Buffer;
export type SdkCellValue = SdkLong | string | Buffer | number | boolean;

/** The SDK's key and column lists: one single-entry object per column, in order. */
export type SdkPrimaryKey = Array<Record<string, SdkKeyValue>>;
export type SdkColumns = Array<Record<string, SdkCellValue>>;
/** UpdateRow's column list: `{ PUT: [...] }` and `{ DELETE_ALL: [names] }` entries. */
export type SdkUpdateColumns = Array<{ PUT: SdkColumns } | { DELETE_ALL: string[] }>;

export interface SdkCondition {
  readonly rowExistenceExpectation: number;
}

export interface SdkBatchRow {
  type: 'PUT' | 'UPDATE' | 'DELETE';
  condition: SdkCondition;
  primaryKey: SdkPrimaryKey;
  attributeColumns?: SdkColumns | SdkUpdateColumns;
}

export interface SdkBatchWriteParams {
  tables: Array<{ tableName: string; rows: SdkBatchRow[] }>;
}

/** One row of a BatchWriteRow response; rows come back flat, table by table, in request order. */
export interface SdkBatchRowResult {
  isOk: boolean;
  errorCode: string | null;
  errorMessage: string | null;
  tableName: string;
}

export interface SdkBatchWriteResponse {
  tables: SdkBatchRowResult[];
}

/** protobufjs decodes int64 fields to a Long-like object or a number. */
export type ProtoInt = number | { toNumber(): number };

export interface SdkTableMetaResponse {
  tableMeta: { tableName: string; primaryKey: Array<{ name: string; type: number; option?: number }>; definedColumn?: Array<{ name: string; type: number }> };
  tableOptions: { timeToLive?: ProtoInt; maxVersions?: ProtoInt };
  reservedThroughputDetails?: { capacityUnit?: { read?: ProtoInt; write?: ProtoInt } };
  tableStatus?: number;
}

export interface SdkCreateTableParams {
  tableMeta: { tableName: string; primaryKey: Array<{ name: string; type: 'INTEGER' | 'STRING' | 'BINARY' }> };
  reservedThroughput: { capacityUnit: { read: number; write: number } };
  tableOptions: { timeToLive: number; maxVersions: number };
}

export interface SdkClient {
  listTable(params: Record<string, never>): Promise<{ tableNames: string[] }>;
  describeTable(params: { tableName: string }): Promise<SdkTableMetaResponse>;
  createTable(params: SdkCreateTableParams): Promise<unknown>;
  deleteTable(params: { tableName: string }): Promise<unknown>;
  batchWriteRow(params: SdkBatchWriteParams): Promise<SdkBatchWriteResponse>;
  /** Per-request listener hook; wrapped once in client.ts to decode the service's error body. */
  setupRequestListeners(request: SdkRequest): void;
}

/** The part of the SDK's request object mig touches, to read the error body the SDK cannot parse. */
export interface SdkRequest {
  addListener(event: 'extractError', fn: (resp: SdkResponse) => void): void;
}
export interface SdkResponse {
  httpResponse: { statusCode?: number; body?: Buffer; headers?: Record<string, string | undefined> };
  error: (Error & Record<string, unknown>) | null;
}

export interface SdkClientConfig {
  accessKeyId: string;
  secretAccessKey: string;
  endpoint: string;
  instancename: string;
  maxRetries: number;
  httpOptions: { timeout: number };
}

/** What the signer reads and writes: path `/<Op>`, method and the x-ots-* headers. */
export interface SignableRequest {
  path: string;
  method: string;
  headers: Record<string, string | number>;
}

interface SdkModule {
  Client: new (config: SdkClientConfig) => SdkClient;
  Long: { fromString(text: string): SdkLong; fromNumber(n: number): SdkLong };
  Condition: new (expectation: number, columnCondition: null) => SdkCondition;
  RowExistenceExpectation: { IGNORE: number; EXPECT_EXIST: number; EXPECT_NOT_EXIST: number };
  PrimaryKeyType: { INTEGER: number; STRING: number; BINARY: number };
  PrimaryKeyOption: { AUTO_INCREMENT: number };
  PlainBufferBuilder: {
    serializeForPutRow(pk: SdkPrimaryKey, columns: SdkColumns): Buffer;
    serializeForUpdateRow(pk: SdkPrimaryKey, columns: SdkUpdateColumns): Buffer;
    serializeForDeleteRow(pk: SdkPrimaryKey): Buffer;
  };
  Signer: new (request: SignableRequest) => { addAuthorization(credentials: { accessKeyId: string; secretAccessKey: string }, date: Date): void };
  util: { crypto: { md5(data: Buffer, digest: 'base64'): string } };
}

const require = createRequire(import.meta.url);
let loaded: SdkModule | undefined;

/** The SDK, required the first time mig needs it. */
export function tablestoreSdk(): SdkModule {
  loaded ??= require('tablestore') as SdkModule;
  return loaded;
}

/** The SDK's Long class, found from an instance because the module does not export it by name. */
let LongClass: (new (...args: never[]) => object) | undefined;

export function isSdkLong(v: unknown): v is SdkLong {
  LongClass ??= (tablestoreSdk().Long.fromNumber(0) as object).constructor as new (...args: never[]) => object;
  return typeof v === 'object' && v !== null && v instanceof LongClass;
}

/** Every write carries IGNORE: a replayed change must overwrite, never fail a row-existence check. */
export const IGNORE = (): SdkCondition => new (tablestoreSdk().Condition)(tablestoreSdk().RowExistenceExpectation.IGNORE, null);

export function protoInt(v: ProtoInt | undefined | null): number | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'number' ? v : v.toNumber();
}
