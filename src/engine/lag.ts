// Lag: how far the checkpoint is behind the source's end of log, in seconds of source time.
import type { Migration } from '../spec/schema.js';
import type { MigrationState } from '../state/model.js';
import { endpointFor } from '../plan/make.js';
import { connectSource } from '../connectors/sources/mysql/connect.js';
import { currentBinlogEnd } from '../connectors/sources/mysql/inspect.js';
import { comparePositions } from '../connectors/sources/mysql/position.js';
import { FeedReader, resolveFeedSecrets, tsoPhysicalMs } from '../connectors/sources/tidb/index.js';

/** 0 when caught up; seconds since the last checkpointed change otherwise; null when unknown. */
export async function sourceLag(m: Migration, ms: MigrationState, specDir: string): Promise<number | null> {
  if (m.spec.source.type === 'tidb') return feedLag(m, ms, specDir);
  const cp = ms.checkpoint ?? ms.snapshot?.position;
  if (!cp) return null;
  try {
    const conn = await connectSource(await endpointFor(m, specDir));
    try {
      const end = await currentBinlogEnd(conn);
      if (comparePositions(cp, end) >= 0) return 0;
      const since = cp.timestamp ?? Date.parse(ms.snapshot?.takenAt ?? '');
      return Number.isFinite(since) ? Math.max(0, Math.round((Date.now() - since) / 1000)) : null;
    } finally {
      await conn.end().catch(() => undefined);
    }
  } catch {
    return null;
  }
}

/**
 * A TiDB feed: 0 when every partition read is checkpointed up to its end; otherwise seconds since
 * the oldest checkpointed commit ts (TiDB's TSO carries its commit time), or since the snapshot.
 */
async function feedLag(m: Migration, ms: MigrationState, specDir: string): Promise<number | null> {
  const feed = m.spec.source.type === 'tidb' ? m.spec.source.binlogKafka : undefined;
  if (!feed || !ms.feed) return null;
  try {
    const reader = new FeedReader({ feed, migration: m.metadata.name, secrets: await resolveFeedSecrets(feed, specDir), from: {}, retries: 1 });
    const behind = (await reader.partitions()).filter((p) => {
      const at = ms.feed!.positions[`${feed.topic}:${p.partition}`];
      return BigInt(p.high) > (at ? BigInt(at.offset) + 1n : BigInt(p.low));
    });
    if (behind.length === 0) return 0;
    const times = behind.map((p) => ms.feed!.positions[`${feed.topic}:${p.partition}`]?.commitTs).map((ts) => (ts ? tsoPhysicalMs(BigInt(ts)) : Date.parse(ms.feed!.takenAt)));
    return Math.max(0, Math.round((Date.now() - Math.min(...times)) / 1000));
  } catch {
    return null;
  }
}
