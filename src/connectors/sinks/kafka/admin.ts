// Topic inspection and creation: the destination side of plan and of the schema phase.
import type { Admin } from 'kafkajs';
import type { KafkaDestination } from '../../../spec/schema.js';
import { kafkaClient, kafkaError } from '../../kafka/client.js';
import type { KafkaSecrets } from '../../kafka/secrets.js';

export interface TopicView {
  name: string;
  partitions: number;
}

export class KafkaAdmin {
  private constructor(private readonly admin: Admin, private readonly dest: KafkaDestination) {}

  /** `secrets` from resolveKafkaSecrets: needed when the destination sets sasl, or a relative tls.ca. */
  static async connect(dest: KafkaDestination, secrets?: KafkaSecrets, retries = 2): Promise<KafkaAdmin> {
    const admin = kafkaClient(dest, { retries, secrets }).admin();
    try {
      await admin.connect();
    } catch (e) {
      throw kafkaError(dest, e);
    }
    return new KafkaAdmin(admin, dest);
  }

  /** Partition counts of the named topics that exist. */
  async describe(topics: string[]): Promise<Map<string, TopicView>> {
    const out = new Map<string, TopicView>();
    try {
      const existing = new Set(await this.admin.listTopics());
      const wanted = topics.filter((t) => existing.has(t));
      if (wanted.length === 0) return out;
      const meta = await this.admin.fetchTopicMetadata({ topics: wanted });
      for (const t of meta.topics) out.set(t.name, { name: t.name, partitions: t.partitions.length });
      return out;
    } catch (e) {
      throw kafkaError(this.dest, e);
    }
  }

  async create(topic: string, partitions: number, replicationFactor: number): Promise<void> {
    try {
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: partitions, replicationFactor }],
      });
    } catch (e) {
      // Another run may have created it meanwhile; that is the state we wanted.
      if (/TOPIC_ALREADY_EXISTS|already exists/i.test(String((e as Error).message))) return;
      throw kafkaError(this.dest, e);
    }
  }

  async addPartitions(topic: string, count: number): Promise<void> {
    try {
      await this.admin.createPartitions({ topicPartitions: [{ topic, count }] });
    } catch (e) {
      throw kafkaError(this.dest, e);
    }
  }

  async close(): Promise<void> {
    await this.admin.disconnect().catch(() => undefined);
  }
}
