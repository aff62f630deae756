// The Kafka client both Kafka-facing kinds share: the sink writing topics and the TiDB source
// reading its feed topic. Connection (SASL, TLS), secrets, codecs, and error messages and classes.
export { classifyKafkaError, kafkaClient, kafkaError, type KafkaEndpoint } from './client.js';
export { resolveKafkaSecrets, type KafkaSecrets } from './secrets.js';
export { registerCompressionCodecs } from './compression.js';
