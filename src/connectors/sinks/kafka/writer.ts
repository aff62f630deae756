// Sends messages in order and resolves only when the brokers acknowledged them (acks=all unless
// the spec lowers it), compressed as the spec says (lz4 by default).
// One request in flight: retries can then never reorder a key's changes.
import type { CompressionTypes, Producer, TopicMessages } from 'kafkajs';
import type { KafkaDestination } from '../../../spec/schema.js';
import type { OutboundMessage } from './message.js';
import { kafkaClient, kafkaError } from '../../kafka/client.js';
import { compressionType } from '../../kafka/compression.js';
import type { KafkaSecrets } from '../../kafka/secrets.js';
import { MigError } from '../../../util/errors.js';

/** Below Kafka's default message.max.bytes (1,048,588) with room for batch overhead. */
export const MAX_REQUEST_BYTES = 900_000;

/** The produce request's acks for the spec's setting: -1 waits for every in-sync replica. */
export function acksFor(acks: KafkaDestination['acks']): number {
  switch (acks ?? 'all') {
    case 'none':
      return 0;
    case 'leader':
      return 1;
    case 'all':
      return -1;
  }
}

export class KafkaWriter {
  private readonly acks: number;
  private readonly compression: CompressionTypes;

  private constructor(private readonly producer: Producer, private readonly dest: KafkaDestination) {
    this.acks = acksFor(dest.acks);
    this.compression = compressionType(dest.compression);
  }

  /** `secrets` from resolveKafkaSecrets: needed when the destination sets sasl, or a relative tls.ca. */
  static async connect(dest: KafkaDestination, secrets?: KafkaSecrets): Promise<KafkaWriter> {
    const producer = kafkaClient(dest, { secrets }).producer({
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

  /**
   * Resolves once every message is acknowledged as spec.destination.acks asks. Requests are cut at about
   * MAX_REQUEST_BYTES and sent one after another: brokers reject a record batch over their
   * message.max.bytes (1 MB by default), and sequential requests keep each key's order.
   */
  async send(messages: OutboundMessage[]): Promise<void> {
    let start = 0;
    while (start < messages.length) {
      let end = start;
      let bytes = 0;
      while (end < messages.length) {
        const m = messages[end]!;
        const size = m.value.length + (m.key?.length ?? 0) + 70;
        if (end > start && bytes + size > MAX_REQUEST_BYTES) break;
        bytes += size;
        end++;
      }
      await this.sendOne(messages, start, end);
      start = end;
    }
  }

  private async sendOne(messages: OutboundMessage[], from: number, to: number): Promise<void> {
    const byTopic = new Map<string, TopicMessages>();
    for (let i = from; i < to; i++) {
      const m = messages[i]!;
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
      await this.producer.sendBatch({ topicMessages: [...byTopic.values()], acks: this.acks, compression: this.compression, timeout: 30000 });
    } catch (e) {
      const err = kafkaError(this.dest, e);
      const k = e as Error & { type?: string };
      if (k.type === 'MESSAGE_TOO_LARGE' || /MESSAGE_TOO_LARGE|larger than the max message size/i.test(String(k.message))) {
        const first = messages[from]!;
        if (to - from === 1) {
          throw new MigError('kafka-message-too-large', `a ${first.value.length}-byte message for topic ${first.topic} (key ${first.key ?? 'null'}) is larger than the broker accepts`, "raise the topic's max.message.bytes (and the broker's message.max.bytes), or leave the column out");
        }
        throw new MigError('kafka-message-too-large', `a request of ${to - from} messages for topic ${first.topic} is larger than the broker accepts`, `raise the topic's max.message.bytes to at least ${MAX_REQUEST_BYTES + 100_000} bytes`);
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }
}
