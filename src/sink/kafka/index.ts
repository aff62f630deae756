// Kafka destination: topic inspection and creation, the ordered writer (acks=all, one request in
// flight), and Canal JSON (DTS flavour) encoding with primary-key message keys.
export { KafkaAdmin, type TopicView } from './admin.js';
export { KafkaWriter } from './writer.js';
export { encodeCanalJson, messageKey, tableCodec, type CanalJson, type TableCodec } from './canal-json.js';
export type { EncodedMessage, OutboundMessage } from './message.js';
