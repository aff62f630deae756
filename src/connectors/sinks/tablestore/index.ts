// Tablestore destination: the MySQL → Tablestore type and table mapping, change events → row
// operations, table administration, and the ordered, bucketed writer (BatchWriteRow or BulkImport).
export { bucketOf, keyHash } from './bucket.js';
export { cutBatches, MAX_BATCH_ROWS, MAX_REQUEST_BYTES, type CutOptions } from './batch.js';
export { TablestoreClient, tablestoreError, type TablestoreClientOptions, type TablestoreEndpoint } from './client.js';
export { isTransient, otsErrorOf, OtsRequestError, type OtsError } from './errors.js';
export {
  DEFAULT_MERGE_COLUMN,
  MAX_KEY_COLUMNS,
  mergedTargets,
  tableMapping,
  targetOf,
  type AttributeColumn,
  type KeyColumn,
  type MappingOptions,
  type TableMapping,
} from './mapping.js';
export { DEFAULT_RETRY, withRetry, type RetryOptions } from './retry.js';
export { encodeOp } from './plain-buffer.js';
export { loadOp, rowOps, type DeleteOp, type EncodedOp, type PutOp, type RowOp, type UpdateOp, type WriteOp } from './row-ops.js';
export { compareTable, createTable, describeTable, dropTables, listTables, type CreateTableOptions, type TableDescription } from './schema.js';
export { resolveTablestoreSecrets, type TablestoreSecrets } from './secrets.js';
export {
  ConversionError,
  DEFAULT_TYPE_MAP,
  defaultAttributeType,
  defaultKeyType,
  toCell,
  toKeyCell,
  typeRuleOf,
  type KeyType,
  type TypeRule,
} from './type-map.js';
export { TablestoreWriter, type DirtyRow, type WriteResult, type WriterOptions } from './writer.js';
