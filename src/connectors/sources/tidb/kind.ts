// The TiDB source kind: schema and full data over TiDB's MySQL protocol, changes from a feed topic
// in Kafka (Drainer protobuf or canal-json), into MySQL only. Lag is read from the feed's offsets
// and the commit time TiDB's TSO carries; the precheck asks whether the feed can be read.
import type { Migration, TidbSource } from '../../../spec/schema.js';
import type { MigrationState } from '../../../state/model.js';
import type { SourceKind } from '../../contract.js';
import { TIDB_DESTINATIONS } from './config.js';
import { FeedReader } from './feed-reader.js';
import { feedFacts } from './feed-facts.js';
import { resolveFeedSecrets } from './feed-kafka.js';
import { tsoPhysicalMs } from './tso.js';
import { feedResumable } from './resumable.js';
import { classifyKafkaError } from '../../kafka/index.js';

export const tidbSource: SourceKind<TidbSource> = {
  type: 'tidb',
  label: 'TiDB',
  // The feed is read from Kafka: its client's errors are Kafka's.
  classify: classifyKafkaError,
  changes: 'kafka-feed',
  destinations: TIDB_DESTINATIONS,
  flavor: 'mysql',
  binlogRetentionDays: 7,
  mysqlVersionFloor: false,
  logBin: { variables: [], enable: '' },
  serverId: () => undefined,
  lag: feedLag,
  feedFacts,
  resumable: feedResumable,
};

/**
 * 0 when every partition read is checkpointed up to its end; otherwise seconds since the oldest
 * checkpointed commit ts (TiDB's TSO carries its commit time), or since the snapshot.
 */
async function feedLag(m: Migration, s: TidbSource, ms: MigrationState, specDir: string): Promise<number | null> {
  const feed = s.binlogKafka;
  const at = ms.feed;
  if (!feed || !at) return null;
  try {
    const reader = new FeedReader({ feed, migration: m.metadata.name, secrets: await resolveFeedSecrets(feed, specDir), from: {}, retries: 1 });
    const behind = (await reader.partitions()).filter((p) => {
      const pos = at.positions[`${feed.topic}:${p.partition}`];
      return BigInt(p.high) > (pos ? BigInt(pos.offset) + 1n : BigInt(p.low));
    });
    if (behind.length === 0) return 0;
    const times = behind.map((p) => at.positions[`${feed.topic}:${p.partition}`]?.commitTs).map((ts) => (ts ? tsoPhysicalMs(BigInt(ts)) : Date.parse(at.takenAt)));
    return Math.max(0, Math.round((Date.now() - Math.min(...times)) / 1000));
  } catch {
    return null;
  }
}
