// Sends messages in order and resolves only when the brokers acknowledged them (acks=all unless
// the spec lowers it), compressed as the spec says (lz4 by default).
// One request in flight: retries can then never reorder a key's changes. Under acks=all the
// producer is idempotent as well, so a request the client retries (a leader moving just after a
// topic was created) is not written twice.
import type { MessageToProduce, Producer } from '@platformatic/kafka';
import { kafkaModule } from '../../kafka/client-module.js';
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

  /**
   * `secrets` from resolveKafkaSecrets: needed when the destination sets sasl, or a relative tls.ca.
   * `transactionalId` makes the producer transactional (delivery exactly-once): the id is the
   * migration's, so the broker fences off a producer an earlier run of it left behind.
   */
  static async connect(dest: KafkaDestination, secrets?: KafkaSecrets, transactionalId?: string): Promise<KafkaWriter> {
    const acks = acksFor(dest.acks);
    const { Producer } = await kafkaModule();
    const producer = new Producer<Buffer, Buffer, Buffer, Buffer>({
      // A transactional id a killed run used is busy (CONCURRENT_TRANSACTIONS) until the broker has
      // aborted that run's transaction: more attempts let a restart wait that out.
      ...clientOptions(dest, { secrets, retries: transactionalId ? 20 : undefined }),
      maxInflights: 1,
      // Idempotence needs acks=all; an idempotent producer with retries unset retries forever.
      idempotent: acks === -1,
      acks,
      compression: compressionOf(dest.compression),
      // No producer id yet (-1): the client would otherwise send id 0 epoch 0 on InitProducerId,
      // which the broker refuses as fenced once an earlier run of the migration used the id.
      ...(transactionalId ? { transactionalId, producerId: -1n, producerEpoch: -1 } : {}),
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
    await this.inRequests(messages, (batch) => this.producer.send({ messages: batch, acks: this.acks, compression: this.compression }));
  }

  /**
   * Writes the messages in one Kafka transaction (the producer is transactional): a read_committed
   * consumer sees all of them or, after a failure or a crash, none. A failed transaction is aborted.
   */
  async sendTransaction(messages: OutboundMessage[]): Promise<void> {
    // A transaction that wrote nothing cannot be committed (the broker calls it an invalid state).
    if (messages.length === 0) return;
    let tx: Awaited<ReturnType<typeof this.producer.beginTransaction>>;
    try {
      tx = await this.producer.beginTransaction();
    } catch (e) {
      throw kafkaError(this.dest, e);
    }
    try {
      await this.inRequests(messages, (batch) => tx.send({ messages: batch, compression: this.compression }));
      await tx.commit();
    } catch (e) {
      await tx.abort().catch(() => undefined);
      if (hasBrokerError(e, 'UNSUPPORTED_VERSION')) {
        throw new MigError('kafka-transactions-unsupported', `the Kafka brokers ${this.dest.brokers.join(', ')} refused the transaction protocol mig's client speaks (UNSUPPORTED_VERSION): a Kafka 4 cluster formatted by Kafka 3 keeps transaction.version 0`,
          'raise it with: kafka-features.sh --bootstrap-server <broker> upgrade --release-version <your Kafka version, e.g. 4.1>; or set spec.destination.delivery: at-least-once', { cause: e });
      }
      throw e instanceof MigError ? e : kafkaError(this.dest, e);
    }
  }

  /**
   * Sends in requests cut at about MAX_REQUEST_BYTES, one after another: brokers reject a record
   * batch over their message.max.bytes (1 MB by default), and sequential requests keep each key's
   * order.
   */
  private async inRequests(messages: OutboundMessage[], send: (batch: MessageToProduce<Buffer, Buffer, Buffer, Buffer>[]) => Promise<unknown>): Promise<void> {
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
      await this.sendOne(messages, start, end, send);
      start = end;
    }
  }

  private async sendOne(messages: OutboundMessage[], from: number, to: number, send: (batch: MessageToProduce<Buffer, Buffer, Buffer, Buffer>[]) => Promise<unknown>): Promise<void> {
    const batch: MessageToProduce<Buffer, Buffer, Buffer, Buffer>[] = new Array(to - from);
    for (let i = from; i < to; i++) {
      const m = messages[i]!;
      // Keyless rows and DDL go to partition 0 so their order holds.
      const partition = m.partition ?? (m.key === null ? 0 : undefined);
      batch[i - from] = { topic: m.topic, key: m.key === null ? undefined : Buffer.from(m.key), value: m.value, partition };
    }
    try {
      await send(batch);
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
