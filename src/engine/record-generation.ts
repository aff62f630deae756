// The control plane's one write: an approved plan becomes each changed migration's next desired
// generation. Apply holds the state lock for this write only; a runner streaming the migration
// writes its checkpoints meanwhile without that lock, so a conflict is met by reading again.
import type { LoadedMigration } from '../spec/index.js';
import type { MigrationState, State, DesiredGeneration, TableState } from '../state/model.js';
import type { Migration } from '../spec/schema.js';
import type { Prepared } from './prepare-destination.js';
import type { StateStore } from '../state/store.js';
import type { Plan, MigrationPlan } from '../plan/change.js';
import type { LiveView } from '../plan/build.js';
import { desiredFor } from '../plan/desired.js';
import { MigError } from '../util/errors.js';
import { newTableState } from './table-state.js';

export interface RecordedGeneration {
  migration: string;
  generation: number;
  removed: boolean;
}

export interface RecordOptions {
  /**
   * Runs the schema steps of a migration's new generation before it is recorded (mig apply does, for
   * migrations a runner streams); `draft` is the migration's state with the generation waiting.
   */
  prepare?: (m: Migration, draft: MigrationState) => Promise<Prepared | undefined>;
}

/** Records the plan's changed migrations as new generations; returns the state as written. */
export async function recordGenerations(store: StateStore, plan: Pick<Plan, 'migrations'>, loaded: LoadedMigration[], live: ReadonlyMap<string, LiveView>, opts: RecordOptions = {}): Promise<{ state: State; recorded: RecordedGeneration[] }> {
  const byName = new Map(loaded.map((l) => [l.migration.metadata.name, l]));
  const prepared = new Map<string, Prepared>();
  if (opts.prepare) {
    const draft = await store.read();
    const now = new Date().toISOString();
    for (const mp of plan.migrations) {
      const l = byName.get(mp.name);
      if (mp.changes.length === 0 || !l || !recordOne(draft, mp, l, live.get(mp.name), now)) continue;
      const p = await opts.prepare(l.migration, draft.migrations[mp.name]!);
      if (p) prepared.set(mp.name, p);
    }
  }
  for (let attempt = 1; ; attempt++) {
    const state = await store.read();
    const recorded: RecordedGeneration[] = [];
    const now = new Date().toISOString();
    for (const mp of plan.migrations) {
      if (mp.changes.length === 0) continue;
      const r = recordOne(state, mp, byName.get(mp.name), live.get(mp.name), now, prepared.get(mp.name));
      if (r) recorded.push(r);
    }
    if (recorded.length === 0) return { state, recorded };
    try {
      return { state: await store.write(state), recorded };
    } catch (e) {
      // A runner checkpointed between our read and write: read its progress and record again.
      if (!(e instanceof MigError && e.code === 'state-conflict') || attempt >= 20) throw e;
    }
  }
}

function recordOne(state: State, mp: MigrationPlan, l: LoadedMigration | undefined, live: LiveView | undefined, now: string, prepared?: Prepared): RecordedGeneration | undefined {
  const ms = state.migrations[mp.name];
  const generation = Math.max(ms?.generation ?? 0, ms?.desired?.generation ?? 0, ms?.observedGeneration ?? 0) + 1;
  if (!l) {
    if (!ms) return undefined;
    ms.generation = generation;
    ms.desired = { generation, recordedAt: now, dropTables: Object.keys(ms.tables), addTables: [] };
    return { migration: mp.name, generation, removed: true };
  }
  const m = l.migration;
  const full = m.spec.types.includes('full');
  const tables = new Map((live?.source.ok ? desiredFor(m, live.source).tables : []).map((t) => [t.id, t]));
  const start = (id: string): TableState[] => {
    const t = tables.get(id);
    // Tables whose destination object apply created already start past their schema phase.
    return t ? [{ ...newTableState(t, full), ...prepared?.tables.get(id) }] : [];
  };
  // Table changes already waiting in an earlier generation stay asked for: the newer plan was made
  // against the state with them taken up.
  const d: DesiredGeneration = {
    generation, recordedAt: now, spec: m, digest: mp.digest ?? ms?.digest ?? '',
    resnapshot: ms?.desired?.resnapshot, dropTables: [...(ms?.desired?.dropTables ?? [])], addTables: [...(ms?.desired?.addTables ?? [])],
  };
  const createdTopics = { ...ms?.desired?.createdTopics, ...prepared?.createdTopics };
  if (Object.keys(createdTopics).length > 0) d.createdTopics = createdTopics;
  for (const c of mp.changes) {
    if (c.kind === 'migration' && (c.action === 'replace' || c.action === 'create')) {
      d.resnapshot = c.action === 'replace' ? true : d.resnapshot;
      d.addTables = [...tables.keys()].flatMap(start);
    } else if (c.kind === 'table' && (c.action === 'create' || c.action === 'replace' || c.action === 'delete')) {
      d.dropTables = d.dropTables.filter((id) => id !== c.table);
      d.addTables = d.addTables.filter((t) => t.id !== c.table);
      if (c.action !== 'create') d.dropTables.push(c.table);
      if (c.action === 'create') d.addTables.push(...start(c.table));
      if (c.action === 'replace') d.addTables.push(...start(c.table).map((t) => recopied(t, ms?.tables[c.table])));
    }
  }
  if (!d.resnapshot) delete d.resnapshot;
  const target: MigrationState = ms ?? { name: mp.name, spec: m, digest: d.digest!, appliedAt: now, tables: {}, topics: {} };
  target.generation = generation;
  target.desired = d;
  state.migrations[mp.name] = target;
  return { migration: mp.name, generation, removed: false };
}

/**
 * A table copied again keeps what is known about its destination object: it exists (no schema phase,
 * which would take mig's own table for a foreign one) and whether mig created it.
 */
function recopied(t: TableState, was: TableState | undefined): TableState {
  if (!was || was.phase === 'pending') return t;
  return { ...t, phase: 'schema', recopy: true, ...(was.targetOrigin ? { targetOrigin: was.targetOrigin } : {}) };
}
