// Which tables a plan would backfill while the stream keeps running: the only case in which mig
// writes on the source (watermarks in mig_meta), so the only case its grants matter.
import type { Migration } from '../spec/schema.js';
import type { MigrationState } from '../state/model.js';
import type { DesiredTable } from '../model/targets.js';
import { takeUpGeneration } from '../state/generation.js';
import { backfills } from '../plan/build.js';

/** What the check needs of a desired table: which one, and what its copy is made from. */
export type BackfillCandidate = Pick<DesiredTable, 'id' | 'snapshotDigest'>;

/**
 * The state a plan is made against: a generation apply recorded that no runner took up yet counts
 * as applied, as in the planner, so its new tables are still to be copied and its whole-migration
 * re-snapshot has already dropped the checkpoint.
 */
function projected(ms: MigrationState | undefined): MigrationState | undefined {
  if (!ms?.desired) return ms;
  const copy = structuredClone(ms);
  return takeUpGeneration(copy) === 'removed' ? undefined : copy;
}

/**
 * Whether the migration would copy tables while it streams, so the desired tables are worth reading.
 * `--replace MIGRATION` takes a new snapshot instead, which writes nothing on the source.
 */
export function mayBackfill(m: Migration, state: MigrationState | undefined, replace: readonly string[] = []): boolean {
  const ms = projected(state);
  return ms !== undefined && !replace.includes(m.metadata.name) && backfills(m, ms);
}

/**
 * The tables the runner would copy in watermark windows, as it chooses them (Backfill.tablesFor):
 * new ones, ones whose copy settings changed, ones named by --replace MIGRATION/DB.TABLE, and ones
 * whose copy has not finished (an earlier backfill still under way).
 */
export function backfillTables(m: Migration, state: MigrationState | undefined, desired: readonly BackfillCandidate[], replace: readonly string[] = []): string[] {
  if (!mayBackfill(m, state, replace)) return [];
  const ms = projected(state)!;
  const named = new Set(replace.filter((r) => r.startsWith(`${m.metadata.name}/`)).map((r) => r.slice(m.metadata.name.length + 1)));
  return desired
    .filter((t) => {
      const was = ms.tables[t.id];
      return !was || was.snapshotDigest !== t.snapshotDigest || !was.fullDoneAt || named.has(t.id);
    })
    .map((t) => t.id);
}
