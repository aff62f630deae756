// One kafkajs client per destination, with errors turned into messages a user can act on.
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import type { KafkaDestination } from '../../spec/schema.js';
import { MigError } from '../../util/errors.js';

export function kafkaClient(dest: KafkaDestination, opts: { retries?: number } = {}): Kafka {
  const config: KafkaConfig = {
    clientId: dest.clientId ?? 'mig',
    brokers: dest.brokers,
    connectionTimeout: 5000,
    requestTimeout: 30000,
    // kafkajs logs through console by default; mig reports errors itself.
    logLevel: logLevel.NOTHING,
    retry: { retries: opts.retries ?? 8, initialRetryTime: 200, maxRetryTime: 5000 },
  };
  return new Kafka(config);
}

export function kafkaError(dest: KafkaDestination, e: unknown): MigError {
  if (e instanceof MigError) return e;
  const err = e as Error & { type?: string; code?: string };
  const brokers = dest.brokers.join(', ');
  const msg = err.message ?? String(e);
  if (/ECONNREFUSED|Connection error|connect ETIMEDOUT|KafkaJSConnectionError|Failed to connect/i.test(`${err.name} ${msg}`)) {
    return new MigError('kafka-unreachable', `cannot reach the Kafka brokers ${brokers}: ${msg}`,
      'check spec.destination.brokers and that the cluster is running');
  }
  if (/UNKNOWN_TOPIC_OR_PARTITION|does not host this topic/i.test(`${err.type} ${msg}`)) {
    return new MigError('kafka-topic-missing', `a topic is missing on ${brokers}: ${msg}`,
      'run mig plan: it shows the topic to recreate, and mig apply creates it');
  }
  return new MigError('kafka-error', `Kafka (${brokers}): ${msg}`);
}
