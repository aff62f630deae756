// Kafka destination: topic inspection and creation, the ordered writer (acks=all, one request in
// flight), and Canal JSON (DTS flavour) encoding with primary-key message keys.
export { KafkaAdmin, type TopicView } from './admin.js';
export { KafkaWriter } from './writer.js';
export { messageKey, sqlTypeCode, tableCodec, valueText } from './codec.js';
export { canalJson, encodeCanalJson, type CanalJson } from './formats/canal-json.js';
export { formatFor, type EncodeContext, type FormatName, type MessageFormat, type TableCodec } from './formats/index.js';
export type { EncodedMessage, OutboundMessage } from './message.js';
