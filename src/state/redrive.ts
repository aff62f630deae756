// `mig redrive` in the state: the set-aside changes still waiting, turned into per-table key lists
// when the runner takes the request up, and marked re-driven once their rows are written again.
import type { MigrationState, RedriveRequest, SkippedRow } from './model.js';

type KeyValues = RedriveRequest['keys'][number];

/** Set-aside changes of the migration (of one table, when named) not yet re-driven. */
export function waitingRows(ms: MigrationState, table?: string): SkippedRow[] {
  return (ms.skippedRows ?? []).filter((r) => !r.redrivenAt && (table === undefined || r.table === table));
}

/** Moves a redrive request onto the tables: each gets the distinct keys of its waiting changes. */
export function takeUpRedrive(ms: MigrationState, req: { requestedAt: string; table?: string }): void {
  const byTable = new Map<string, Map<string, KeyValues>>();
  for (const r of waitingRows(ms, req.table)) {
    if (!r.keyValues || !ms.tables[r.table]) continue;
    const keys = byTable.get(r.table) ?? new Map<string, KeyValues>();
    keys.set(JSON.stringify(r.keyValues), r.keyValues);
    byTable.set(r.table, keys);
  }
  for (const [id, keys] of byTable) {
    const ts = ms.tables[id]!;
    const merged = new Map((ts.redrive?.keys ?? []).map((k) => [JSON.stringify(k), k]));
    for (const [k, v] of keys) merged.set(k, v);
    ts.redrive = { requestedAt: req.requestedAt, keys: [...merged.values()] };
  }
}

/** Records that these keys' rows of the table were written again; returns how many changes that settles. */
export function markRedriven(ms: MigrationState, table: string, keys: readonly KeyValues[], at: string): number {
  const done = new Set(keys.map((k) => JSON.stringify(k)));
  let n = 0;
  for (const r of ms.skippedRows ?? []) {
    if (r.table !== table || r.redrivenAt || !r.keyValues || !done.has(JSON.stringify(r.keyValues))) continue;
    r.redrivenAt = at;
    n++;
  }
  return n;
}
