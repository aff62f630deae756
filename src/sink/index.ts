// The sink folder: where changes go. kafka/ (topics, the ordered acks=all writer, message formats),
// tablestore/ (type mapping, row operations, the bucketed writer) and mysql/ (schema, the exactly-once applier).
export * from './kafka/index.js';
