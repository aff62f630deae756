// apply: makes the recorded state match the plan, then runs each migration's phases
// (schema → full → incremental), checkpointing as it goes. Callers hold the state lock.
import { defaultServerId } from '../connectors/sources/mysql/endpoint.js';
export { defaultServerId };
import type { LoadedMigration } from '../spec/index.js';
import type { Migration } from '../spec/schema.js';
import type { State } from '../state/model.js';
import type { StateStore } from '../state/store.js';
import type { Plan } from '../plan/change.js';
import { Checkpointer } from './checkpointer.js';
import type { ApplyHook } from '../model/events.js';
import type { ApplyOptions } from './context.js';
export type { ApplyOptions };
import { runBinlogMigration } from './run-binlog.js';
import { runTidbMigration } from './run-tidb.js';
import { sourceByChanges } from '../connectors/registry.js';


export interface ApplyResult {
  state: State;
  /** Migrations whose incremental phase is ready but was not started (no --follow/--until-caught-up). */
  handoff: string[];
}

export async function executeApply(plan: Plan, loaded: LoadedMigration[], store: StateStore, state: State, opts: ApplyOptions): Promise<ApplyResult> {
  const cp = new Checkpointer(store, state);
  recordChanges(plan, loaded, state, opts.hook);
  await cp.save();
  const handoff: string[] = [];
  const runs = loaded.map(async (l) => {
    const h = await runMigration(l.migration, cp, opts);
    if (h) handoff.push(l.migration.metadata.name);
  });
  // Migrations are independent; one failing must not leave the others' checkpoints unsaved.
  const results = await Promise.allSettled(runs);
  await cp.save();
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return { state: cp.state, handoff };
}

/** Applies the plan's changes to the recorded state: what to forget, reset or add. */
function recordChanges(plan: Plan, loaded: LoadedMigration[], state: State, hook: ApplyHook): void {
  const byName = new Map(loaded.map((l) => [l.migration.metadata.name, l]));
  for (const mp of plan.migrations) {
    for (const c of mp.changes) {
      if (c.kind === 'migration' && c.action === 'replace') {
        const ms = state.migrations[mp.name];
        if (ms) {
          ms.tables = {};
          ms.snapshot = undefined;
          ms.checkpoint = undefined;
          // TiDB: the new snapshot's commit ts is where the feed takes over again.
          ms.feed = undefined;
        }
        hook({ type: 'change-applied', migration: mp.name, summary: 'checkpoint dropped; every table is copied again from a new snapshot' });
      } else if (c.kind === 'migration' && c.action === 'delete') {
        delete state.migrations[mp.name];
        hook({ type: 'change-applied', migration: mp.name, summary: 'forgotten (topics kept)' });
      } else if (c.kind === 'table' && c.action === 'delete') {
        const ms = state.migrations[mp.name];
        if (ms) delete ms.tables[c.table];
        hook({ type: 'change-applied', migration: mp.name, summary: `${c.table}: no longer replicated` });
      } else if (c.kind === 'table' && c.action === 'replace') {
        const ms = state.migrations[mp.name];
        if (ms) delete ms.tables[c.table]; // re-created below from the spec, pending a new snapshot
        hook({ type: 'change-applied', migration: mp.name, summary: `${c.table}: reset for a new snapshot` });
      }
    }
    const l = byName.get(mp.name);
    if (!l) continue;
    const m = l.migration;
    const prev = state.migrations[mp.name];
    // Everything recorded so far (checkpoints, skipped rows…) carries over; only the spec is new.
    state.migrations[mp.name] = {
      ...prev,
      name: mp.name,
      spec: m,
      digest: mp.digest ?? prev?.digest ?? '',
      appliedAt: new Date().toISOString(),
      tables: prev?.tables ?? {},
      topics: prev?.topics ?? {},
    };
  }
}


async function runMigration(m: Migration, cp: Checkpointer, opts: ApplyOptions): Promise<boolean> {
  const source = m.spec.source;
  // The runner follows how the source kind delivers its changes.
  const by = sourceByChanges(source);
  return by.changes === 'kafka-feed' ? runTidbMigration(m, by.source, cp, opts) : runBinlogMigration(m, by.source, cp, opts);
}
