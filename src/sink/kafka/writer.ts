// Sends messages in order and resolves only when the brokers acknowledged them (acks=all).
// One request in flight: retries can then never reorder a key's changes.
import type { Producer, TopicMessages } from 'kafkajs';
import type { KafkaDestination } from '../../spec/schema.js';
import type { OutboundMessage } from './message.js';
import { kafkaClient, kafkaError } from './client.js';

export class KafkaWriter {
  private constructor(private readonly producer: Producer, private readonly dest: KafkaDestination) {}

  static async connect(dest: KafkaDestination): Promise<KafkaWriter> {
    const producer = kafkaClient(dest).producer({
      allowAutoTopicCreation: false,
      maxInFlightRequests: 1,
      idempotent: false,
    });
    try {
      await producer.connect();
    } catch (e) {
      throw kafkaError(dest, e);
    }
    return new KafkaWriter(producer, dest);
  }

  /** Resolves once every message is acknowledged by all in-sync replicas. */
  async send(messages: OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const byTopic = new Map<string, TopicMessages>();
    for (const m of messages) {
      let tm = byTopic.get(m.topic);
      if (!tm) {
        tm = { topic: m.topic, messages: [] };
        byTopic.set(m.topic, tm);
      }
      // Keyless rows and DDL go to partition 0 so their order holds.
      const partition = m.partition ?? (m.key === null ? 0 : undefined);
      tm.messages.push({ key: m.key, value: m.value, partition });
    }
    try {
      await this.producer.sendBatch({ topicMessages: [...byTopic.values()], acks: -1, timeout: 30000 });
    } catch (e) {
      throw kafkaError(this.dest, e);
    }
  }

  async close(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }
}
