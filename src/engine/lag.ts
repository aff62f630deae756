// Lag for status: how far a migration's checkpoint is behind its source, as its source kind
// measures it (binlog end of log, or the TiDB feed's offsets and commit times).
import type { Migration } from '../spec/schema.js';
import type { MigrationState } from '../state/model.js';
import { sinkKindOf, sourceKindOf } from '../connectors/registry.js';

/** 0 when caught up; seconds since the last checkpointed change otherwise; null when unknown. */
export function sourceLag(m: Migration, ms: MigrationState, specDir: string): Promise<number | null> {
  const s = m.spec.source;
  return sourceKindOf(s).lag(m, s, ms, specDir);
}

/** The status table's heading for where a migration's rows go. */
export function targetColumn(m: Migration): string {
  return sinkKindOf(m.spec.destination).targetColumn;
}
