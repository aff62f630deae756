// Topic inspection and creation: the destination side of plan and of the schema phase.
import type { KafkaDestination } from '../../../spec/schema.js';
import { kafkaError } from '../../kafka/client.js';
import { TopicAdmin } from '../../kafka/topic-admin.js';
import type { KafkaSecrets } from '../../kafka/secrets.js';
import { MigError } from '../../../util/errors.js';

/** How long a topic mig just created (or grew) may take until every partition has a leader. */
export const LEADER_WAIT_MS = 30_000;

export interface TopicView {
  name: string;
  partitions: number;
}

export class KafkaAdmin {
  private constructor(private readonly admin: TopicAdmin, private readonly dest: KafkaDestination) {}

  /** `secrets` from resolveKafkaSecrets: needed when the destination sets sasl, or a relative tls.ca. */
  static async connect(dest: KafkaDestination, secrets?: KafkaSecrets, retries = 2): Promise<KafkaAdmin> {
    const admin = new TopicAdmin(dest, { retries, secrets });
    try {
      // The client connects on first use: a cluster that cannot be reached fails here.
      await admin.listTopics();
    } catch (e) {
      await admin.close();
      throw kafkaError(dest, e);
    }
    return new KafkaAdmin(admin, dest);
  }

  /** Partition counts of the named topics that exist. */
  async describe(topics: string[]): Promise<Map<string, TopicView>> {
    const out = new Map<string, TopicView>();
    try {
      for (const [name, parts] of await this.admin.partitions(topics)) out.set(name, { name, partitions: parts.length });
      return out;
    } catch (e) {
      throw kafkaError(this.dest, e);
    }
  }

  async create(topic: string, partitions: number, replicationFactor: number, configs: Record<string, string> = {}): Promise<void> {
    try {
      // Another run may have created it meanwhile; that is the state we wanted (no error).
      await this.admin.createTopic(topic, partitions, replicationFactor, configs);
    } catch (e) {
      throw kafkaError(this.dest, e);
    }
  }

  async addPartitions(topic: string, count: number): Promise<void> {
    try {
      await this.admin.addPartitions(topic, count);
    } catch (e) {
      throw kafkaError(this.dest, e);
    }
  }

  /**
   * Resolves once the cluster's metadata gives every partition of each topic (at least `partitions`
   * of them) a leader, as a producer asking for metadata would see it: a produce request sent before
   * that fails with "This server does not host this topic-partition". Polls with a short, growing
   * pause; after `timeoutMs` it fails naming the partitions still without a leader.
   */
  async waitForLeaders(topics: { name: string; partitions: number }[], timeoutMs = LEADER_WAIT_MS): Promise<void> {
    if (topics.length === 0) return;
    const deadline = Date.now() + timeoutMs;
    let pause = 20;
    const every = (t: { name: string; partitions: number }) => Array.from({ length: t.partitions }, (_, p) => `${t.name}:${p}`);
    let missing: string[] = topics.flatMap(every);
    let lastError: string | undefined;
    for (;;) {
      try {
        const byName = await this.admin.partitions(topics.map((t) => t.name));
        missing = [];
        for (const t of topics) {
          const parts = byName.get(t.name) ?? [];
          const led = new Set(parts.filter((p) => p.leader >= 0).map((p) => p.partition));
          for (let p = 0; p < t.partitions; p++) if (!led.has(p)) missing.push(`${t.name}:${p}`);
        }
        lastError = undefined;
        // The metadata can name a leader a moment before that broker hosts the partition (it
        // answers "does not host this topic-partition" meanwhile): asking each leader for the
        // partitions' offsets confirms it serves them.
        if (missing.length === 0 && (await this.leadersServe(topics))) return;
      } catch (e) {
        // A topic created a moment ago may be unknown to the broker asked; that is what we wait out.
        lastError = (e as Error).message;
      }
      if (Date.now() + pause > deadline) break;
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, 500);
    }
    const shown = missing.slice(0, 5).join(', ') + (missing.length > 5 ? ` and ${missing.length - 5} more` : '');
    throw new MigError('topic-no-leader',
      `Kafka gave no leader within ${timeoutMs / 1000} s to the partitions mig just created: ${shown}${lastError ? ` (last metadata error: ${lastError})` : ''}`,
      `check that the brokers in ${this.dest.brokers.join(', ')} are all up and that destination.replicationFactor does not exceed the number of brokers; then apply again`);
  }

  /** True when every partition's leader answers an offsets request for it; throws while one refuses. */
  private async leadersServe(topics: { name: string; partitions: number }[]): Promise<boolean> {
    for (const t of topics) {
      const offsets = await this.admin.offsets(t.name);
      if (offsets.length < t.partitions) return false;
    }
    return true;
  }

  /** Deletes the topics that exist of these (their messages go with them). */
  async deleteTopics(topics: string[]): Promise<void> {
    try {
      await this.admin.deleteTopics(topics);
    } catch (e) {
      throw kafkaError(this.dest, e);
    }
  }

  async close(): Promise<void> {
    await this.admin.close();
  }
}
