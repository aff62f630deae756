// Source kinds: what mig reads from. mysql/ reads MySQL-family servers (and TiDB's SQL side);
// tidb/ decodes TiDB's feeds (Drainer protobuf, canal-json) from Kafka.
export * as mysql from './mysql/index.js';
export * as tidb from './tidb/index.js';
