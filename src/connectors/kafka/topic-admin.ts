// The cluster work mig does besides producing and consuming: topic names, partitions and their
// leaders, offset ranges, creating and deleting topics, dropping a reader's group. One admin
// client per use; every error comes back through the caller's mapping (destination or feed).
import type { Admin } from '@platformatic/kafka';
import { kafkaModule } from './client-module.js';
import { clientOptions, hasBrokerError, type KafkaClientOptions, type KafkaEndpoint } from './client.js';

export interface PartitionOffsets {
  partition: number;
  /** Earliest offset still held. */
  low: bigint;
  /** The offset the next message gets (the high watermark). */
  high: bigint;
}

export interface PartitionLeader {
  partition: number;
  /** The leader's broker id; -1 while the partition has none. */
  leader: number;
}

// The protocol's constants (ListOffsets timestamps, isolation levels), here so a caller needs no
// import of the client library before it is loaded.
const EARLIEST = -2n;
const LATEST = -1n;
const READ_UNCOMMITTED = 0;
const READ_COMMITTED = 1;

export class TopicAdmin {
  private readonly options: ReturnType<typeof clientOptions>;
  private client?: Promise<Admin>;

  /** Settings are checked here (a secret not resolved, an unreadable CA); the client connects on first use. */
  constructor(endpoint: KafkaEndpoint, opts: KafkaClientOptions = {}) {
    this.options = { ...clientOptions(endpoint, opts), clientId: `${endpoint.clientId ?? 'mig'}-admin` };
  }

  private get admin(): Promise<Admin> {
    this.client ??= kafkaModule().then((k) => new k.Admin(this.options));
    return this.client;
  }

  async listTopics(): Promise<string[]> {
    return (await this.admin).listTopics();
  }

  /** The partitions of each named topic that exists, with their leaders (topics unknown are left out). */
  async partitions(topics: string[]): Promise<Map<string, PartitionLeader[]>> {
    const out = new Map<string, PartitionLeader[]>();
    if (topics.length === 0) return out;
    const admin = await this.admin;
    const existing = new Set(await admin.listTopics());
    const wanted = topics.filter((t) => existing.has(t));
    if (wanted.length === 0) return out;
    const meta = await admin.metadata({ topics: wanted, forceUpdate: true });
    for (const [name, t] of meta.topics) out.set(name, t.partitions.map((p, partition) => ({ partition, leader: p.leader })));
    return out;
  }

  /**
   * Each partition's earliest and next offset, by partition. `committed`: the end a read_committed
   * consumer can reach (the last stable offset, before any transaction still open).
   */
  async offsets(topic: string, opts: { committed?: boolean } = {}): Promise<PartitionOffsets[]> {
    const admin = await this.admin;
    const count = (await admin.metadata({ topics: [topic], forceUpdate: true })).topics.get(topic)?.partitionsCount ?? 0;
    if (count === 0) return [];
    const isolationLevel = opts.committed ? READ_COMMITTED : READ_UNCOMMITTED;
    const ask = (timestamp: bigint) => admin.listOffsets({ isolationLevel, topics: [{ name: topic, partitions: Array.from({ length: count }, (_, partitionIndex) => ({ partitionIndex, timestamp })) }] });
    const [low, high] = await Promise.all([ask(EARLIEST), ask(LATEST)]);
    const lows = new Map(low.flatMap((t) => t.partitions).map((p) => [p.partitionIndex, p.offset]));
    return high.flatMap((t) => t.partitions)
      .map((p) => ({ partition: p.partitionIndex, low: lows.get(p.partitionIndex) ?? 0n, high: p.offset }))
      .sort((a, b) => a.partition - b.partition);
  }

  /** Per partition, the first offset whose timestamp is at or after `ms`; -1 where none is. */
  async offsetsAt(topic: string, ms: number): Promise<Map<number, bigint>> {
    const admin = await this.admin;
    const count = (await admin.metadata({ topics: [topic], forceUpdate: true })).topics.get(topic)?.partitionsCount ?? 0;
    if (count === 0) return new Map();
    const found = await admin.listOffsets({ topics: [{ name: topic, partitions: Array.from({ length: count }, (_, partitionIndex) => ({ partitionIndex, timestamp: BigInt(ms) })) }] });
    return new Map(found.flatMap((t) => t.partitions).map((p) => [p.partitionIndex, p.offset]));
  }

  /** Creates the topic; one that exists already (another run created it meanwhile) is no error. */
  async createTopic(topic: string, partitions: number, replicas: number, configs: Record<string, string> = {}): Promise<void> {
    try {
      await (await this.admin).createTopics({ topics: [topic], partitions, replicas, configs: Object.entries(configs).map(([name, value]) => ({ name, value })) });
    } catch (e) {
      if (hasBrokerError(e, 'TOPIC_ALREADY_EXISTS')) return;
      throw e;
    }
  }

  async addPartitions(topic: string, count: number): Promise<void> {
    await (await this.admin).createPartitions({ topics: [{ name: topic, count }] });
  }

  /** Deletes those of the topics that exist. */
  async deleteTopics(topics: string[]): Promise<void> {
    const admin = await this.admin;
    const existing = new Set(await admin.listTopics());
    const gone = topics.filter((t) => existing.has(t));
    if (gone.length > 0) await admin.deleteTopics({ topics: gone });
  }

  /** Drops a consumer group a reader of mig's own left behind (best effort). */
  async deleteGroup(groupId: string): Promise<void> {
    await (await this.admin).deleteGroups({ groups: [groupId] });
  }

  async close(): Promise<void> {
    if (!this.client) return;
    await (await this.client).close().catch(() => undefined);
  }
}
