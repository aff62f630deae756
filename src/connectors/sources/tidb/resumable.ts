// Whether a TiDB source's feed topic still holds the offsets the migration resumes from: one offset
// query to Kafka. Reads the positions the state mirrors from the destination's checkpoint table
// (the authority, written with the data); a partition not read yet starts at its earliest offset,
// so only recorded ones are judged. A feed that cannot be read gives no answer; the precheck says why.
import type { Migration, TidbSource } from '../../../spec/schema.js';
import type { MigrationState } from '../../../state/model.js';
import type { SourceKind } from '../../contract.js';
import { FeedReader, type PartitionRange } from './feed-reader.js';
import { resolveFeedSecrets } from './feed-kafka.js';

type Resumable = Awaited<ReturnType<NonNullable<SourceKind['resumable']>>>;

export async function feedResumable(m: Migration, s: TidbSource, ms: MigrationState, specDir: string): Promise<Resumable> {
  const feed = s.binlogKafka;
  const at = ms.feed;
  if (!feed || !at || !m.spec.types.includes('incremental') || Object.keys(at.positions).length === 0) return undefined;
  let ranges: PartitionRange[];
  try {
    const reader = new FeedReader({ feed, migration: m.metadata.name, secrets: await resolveFeedSecrets(feed, specDir), from: {}, retries: 1 });
    ranges = await reader.partitions();
  } catch {
    return undefined;
  }
  return offsetVerdict(feed.topic, ranges, at.positions);
}

/** The verdict on the recorded offsets (the last applied one per `topic:partition`); exported for tests. */
export function offsetVerdict(topic: string, ranges: PartitionRange[], positions: Record<string, { offset: string }>): Resumable {
  for (const r of ranges) {
    const pos = positions[`${topic}:${r.partition}`];
    if (!pos) continue;
    const next = BigInt(pos.offset) + 1n;
    if (next < BigInt(r.low)) {
      return { ok: false, reason: `the feed topic ${topic} partition ${r.partition} starts at offset ${r.low}, past the recorded offset ${pos.offset}: the changes in between were deleted by retention, so the checkpoint cannot resume` };
    }
    if (next > BigInt(r.high)) {
      return { ok: false, reason: `the feed topic ${topic} partition ${r.partition} ends at offset ${r.high}, before the recorded offset ${pos.offset}: the topic was recreated or replaced, so the checkpoint cannot resume` };
    }
  }
  return { ok: true };
}
