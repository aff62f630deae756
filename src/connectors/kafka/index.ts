// The Kafka client both Kafka-facing kinds share: the sink writing topics and the TiDB source
// reading its feed topic. Connection (SASL, TLS), admin work, reading partitions, errors.
export { classifyKafkaError, clientOptions, errorText, hasBrokerError, kafkaError, type KafkaEndpoint } from './client.js';
export { resolveKafkaSecrets, type KafkaSecrets } from './secrets.js';
export { compressionOf, DEFAULT_COMPRESSION } from './compression.js';
export { TopicAdmin, type PartitionLeader, type PartitionOffsets } from './topic-admin.js';
export { readTopic, type ReadEnd, type ReadMessage } from './topic-read.js';
