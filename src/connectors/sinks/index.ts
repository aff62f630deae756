// Sink kinds: where changes go. kafka/ (topics, the ordered acks=all writer, message formats),
// tablestore/ (type mapping, row operations, the bucketed writer), mysql/ (schema, the exactly-once applier).
export * as kafka from './kafka/index.js';
export * as tablestore from './tablestore/index.js';
export * as mysql from './mysql/index.js';
