// Lag: how far the checkpoint is behind the source's end of log, in seconds of source time.
import type { Migration } from '../spec/schema.js';
import type { MigrationState } from '../state/model.js';
import { endpointFor } from '../plan/make.js';
import { connectSource } from '../source/mysql/connect.js';
import { currentBinlogEnd } from '../source/mysql/inspect.js';
import { comparePositions } from '../source/mysql/position.js';

/** 0 when caught up; seconds since the last checkpointed change otherwise; null when unknown. */
export async function sourceLag(m: Migration, ms: MigrationState, specDir: string): Promise<number | null> {
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
