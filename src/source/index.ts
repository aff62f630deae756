// The source folder: what mig reads from. types.ts is the contract (table shapes, canonical values,
// change events); mysql/ reads MySQL-family servers (and TiDB's SQL side); tidb/ decodes TiDB's feeds.
export type { ChangeEvent, ColumnInfo, Row, RowOp, SqlValue, TableInfo, TxBatch } from './types.js';
export * from './mysql/index.js';
