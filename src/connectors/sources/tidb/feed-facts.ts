// Reads, for the precheck, whether the feed topic an incremental migration from TiDB reads is
// there: its partitions and how many messages it holds.
import type { Migration, TidbSource } from '../../../spec/schema.js';
import type { FeedFacts, Known } from '../../../model/precheck-facts.js';
import { FeedReader } from './feed-reader.js';
import { resolveFeedSecrets } from './feed-kafka.js';

export async function feedFacts(m: Migration, s: TidbSource, specDir: string): Promise<Known<FeedFacts> | undefined> {
  if (!s.binlogKafka || !m.spec.types.includes('incremental')) return undefined;
  try {
    const reader = new FeedReader({ feed: s.binlogKafka, migration: m.metadata.name, secrets: await resolveFeedSecrets(s.binlogKafka, specDir), from: {}, retries: 1 });
    const ranges = await reader.partitions();
    const messages = ranges.reduce((n, r) => n + Number(BigInt(r.high) - BigInt(r.low)), 0);
    return { ok: true, value: { partitions: ranges.length, messages } };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}
