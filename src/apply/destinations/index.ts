// Each destination kind as apply uses it: its schema phase (topics or tables made to match the spec)
// and the sink the full load and the stream write through.
export { openKafkaSink, type KafkaSinkOptions } from './kafka.js';
export { openTablestoreSink, MAX_TABLES_PER_INSTANCE, type TablestoreSinkOptions } from './tablestore.js';
export { ensureMysqlSchema, mysqlEndpoint, mysqlLoadSink, type MysqlLoadItem } from './mysql.js';
