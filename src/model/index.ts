// The shared model every layer speaks: table shapes, canonical values and change events
// (source-data), the targets a spec resolves to (targets), and the events the engine announces.
export type { ChangeEvent, ColumnInfo, Row, RowOp, SqlValue, TableInfo, TxBatch } from './source-data.js';
export type { ApplyEvent, ApplyHook } from './events.js';
export * from './targets.js';
