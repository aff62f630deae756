// Lag-aware re-checks: a row that differs while the migration streams may only be a change still on
// its way. The source's end of log is read after the first pass; once the migration's checkpoint
// has passed it, every change made before that pass ended is at the destination, and what still
// differs is a real difference (or a row changed again since, which the next round sees settle).
import type { Migration } from '../spec/schema.js';
import type { StateStore } from '../state/store.js';
import { connectSource } from '../connectors/sources/mysql/connect.js';
import { endpointFor } from '../connectors/sources/mysql/endpoint.js';
import { currentBinlogEnd } from '../connectors/sources/mysql/inspect.js';
import { comparePositions } from '../connectors/sources/mysql/position.js';

export type CatchUp = { ok: true; seconds: number; position: string } | { ok: false; reason: string };

/** Whether the migration streams changes, so its destination may trail the source. */
export function streams(m: Migration): boolean {
  return m.spec.types.includes('incremental');
}

/**
 * Reads the source's end of log now and waits until the migration's recorded checkpoint reaches it.
 * Only binlog sources: a TiDB feed's position is not comparable with the source's here.
 */
export async function waitForCatchUp(m: Migration, store: StateStore, specDir: string, timeoutMs: number, signal?: AbortSignal): Promise<CatchUp> {
  if (m.spec.source.type === 'tidb') return { ok: false, reason: 'a TiDB source\'s feed position is not compared; differences were not re-checked' };
  const started = Date.now();
  const conn = await connectSource(await endpointFor(m, specDir));
  let end: { file: string; pos: number };
  try {
    end = await currentBinlogEnd(conn);
  } finally {
    await conn.end().catch(() => undefined);
  }
  for (;;) {
    const ms = (await store.read()).migrations[m.metadata.name];
    const cp = ms?.checkpoint;
    if (cp && comparePositions(cp, end) >= 0) return { ok: true, seconds: (Date.now() - started) / 1000, position: `${end.file}:${end.pos}` };
    if (Date.now() - started > timeoutMs || signal?.aborted) {
      return { ok: false, reason: `the migration's checkpoint did not reach the source's position ${end.file}:${end.pos} within ${Math.round(timeoutMs / 1000)} s (is mig apply or mig run streaming it?)` };
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
