// Sends messages in order and resolves only when the brokers acknowledged them (acks=all unless
// the spec lowers it), compressed as the spec says (lz4 by default).
// One request in flight: retries can then never reorder a key's changes. Under acks=all the
// producer is idempotent as well, so a request the client retries (a leader moving just after a
// topic was created) is not written twice.
import { Producer, type MessageToProduce } from '@platformatic/kafka';
import type { KafkaDestination } from '../../../spec/schema.js';
import type { OutboundMessage } from './message.js';
import { clientOptions, hasBrokerError, kafkaError } from '../../kafka/client.js';
import { compressionOf, type CompressionName } from '../../kafka/compression.js';
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
  private readonly compression: CompressionName;

  private constructor(private readonly producer: Producer<Buffer, Buffer, Buffer, Buffer>, private readonly dest: KafkaDestination) {
    this.acks = acksFor(dest.acks);
    this.compression = compressionOf(dest.compression);
  }

  /** `secrets` from resolveKafkaSecrets: needed when the destination sets sasl, or a relative tls.ca. */
  static async connect(dest: KafkaDestination, secrets?: KafkaSecrets): Promise<KafkaWriter> {
    const acks = acksFor(dest.acks);
    const producer = new Producer<Buffer, Buffer, Buffer, Buffer>({
      ...clientOptions(dest, { secrets }),
      maxInflights: 1,
      // Idempotence needs acks=all; an idempotent producer with retries unset retries forever.
      idempotent: acks === -1,
      acks,
      compression: compressionOf(dest.compression),
    });
    try {
      // The client connects on first use: asking for the cluster's metadata fails now, not mid-run.
      await producer.metadata({ topics: [] });
    } catch (e) {
      await producer.close(true).catch(() => undefined);
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
    const batch: MessageToProduce<Buffer, Buffer, Buffer, Buffer>[] = new Array(to - from);
    for (let i = from; i < to; i++) {
      const m = messages[i]!;
      // Keyless rows and DDL go to partition 0 so their order holds.
      const partition = m.partition ?? (m.key === null ? 0 : undefined);
      batch[i - from] = { topic: m.topic, key: m.key === null ? undefined : Buffer.from(m.key), value: m.value, partition };
    }
    try {
      await this.producer.send({ messages: batch, acks: this.acks, compression: this.compression });
    } catch (e) {
      if (hasBrokerError(e, 'MESSAGE_TOO_LARGE')) {
        const first = messages[from]!;
        if (to - from === 1) {
          throw new MigError('kafka-message-too-large', `a ${first.value.length}-byte message for topic ${first.topic} (key ${first.key ?? 'null'}) is larger than the broker accepts`, "raise the topic's max.message.bytes (and the broker's message.max.bytes), or leave the column out");
        }
        throw new MigError('kafka-message-too-large', `a request of ${to - from} messages for topic ${first.topic} is larger than the broker accepts`, `raise the topic's max.message.bytes to at least ${MAX_REQUEST_BYTES + 100_000} bytes`);
      }
      throw kafkaError(this.dest, e);
    }
  }

  async close(): Promise<void> {
    await this.producer.close(true).catch(() => undefined);
  }
}
