// The Kafka client library, loaded on first use: importing it costs about 0.7 s at every start of
// mig (it compiles its option schemas), which commands that never talk to Kafka (validate, plan of
// a MySQL migration, status, --help) should not pay.
type KafkaModule = typeof import('@platformatic/kafka');

let loading: Promise<KafkaModule> | undefined;

export function kafkaModule(): Promise<KafkaModule> {
  loading ??= import('@platformatic/kafka');
  return loading;
}
