// The MySQL destination: sessions, name mapping, schema creation, DDL translation and the
// exactly-once applier (rows and the feed checkpoint committed together).
export { connectDestination, connectionOptions, destinationError, sslOptions, DESTINATION_SQL_MODE, type DestinationEndpoint } from './connect.js';
export { TargetNames, TableMap, qualified, quoteIdent, type TableRef } from './names.js';
export { createDatabase, createTable, createViews, listViews, existingTables, checkNoConflicts, type CreatedObject } from './schema.js';
export { rewriteCreateTable, type RewrittenCreate } from './create-table.js';
export { translateDdl, type TranslatedDdl, type DdlKind, type DdlStatement } from './ddl-translate.js';
export { MysqlApplier, type UpstreamTransaction, type ApplyResult } from './apply.js';
export type { MysqlApplierOptions } from './applier-context.js';
export { CHECKPOINT_TABLE, type CheckpointTarget, type FeedCheckpoint, type PendingDdl } from './checkpoint.js';
export { describeDestTable, type DestTable, type DestColumn } from './dest-table.js';
export type { InsertMode } from './dml.js';
