// What every runner does before its full load: the plan's view of the source resolved into the
// migration's tables (recorded in the state), then the sink opened through its kind, which runs the
// schema phase, and the tables moved on from `pending`. Events the sink announces go to the state.
import type { Migration } from '../spec/schema.js';
import type { MigrationState } from '../state/model.js';
import type { ApplyHook } from '../model/events.js';
import type { Desired, LiveSource } from '../model/targets.js';
import type { ChangeSink } from '../connectors/contract.js';
import { sinkKindOf } from '../connectors/registry.js';
import { connectSource, type SourceEndpoint } from '../connectors/sources/mysql/connect.js';
import { endpointFor } from '../connectors/sources/mysql/endpoint.js';
import { desiredFor } from '../plan/desired.js';
import { MigError } from '../util/errors.js';
import type { Checkpointer } from './checkpointer.js';
import { plannedSource, type ApplyOptions } from './context.js';
import { recordingHook } from './record-events.js';
import { newTableState } from './table-state.js';

export interface PlannedRun {
  migration: Migration;
  mstate: MigrationState;
  endpoint: SourceEndpoint;
  live: Extract<LiveSource, { ok: true }>;
  desired: Desired;
  types: Set<Migration['spec']['types'][number]>;
}

/** Announces the start and resolves the migration's tables from the plan's inspection. */
export async function plannedRun(m: Migration, cp: Checkpointer, opts: ApplyOptions): Promise<PlannedRun> {
  const name = m.metadata.name;
  const mstate = cp.state.migrations[name]!;
  opts.hook({ type: 'migration-start', migration: name });
  const endpoint = await endpointFor(m, opts.specDir);
  const live = plannedSource(m, opts);
  const desired = desiredFor(m, live);
  if (desired.errors.length > 0) throw new MigError('spec-source-mismatch', `${name}: ${desired.errors.join('; ')}`, 'fix spec.objects or create the objects on the source');
  const types = new Set(m.spec.types);
  for (const t of desired.tables) {
    if (!mstate.tables[t.id]) mstate.tables[t.id] = newTableState(t, types.has('full'));
    mstate.tables[t.id]!.target = t.target;
  }
  return { migration: m, mstate, endpoint, live, desired, types };
}

/**
 * Opens the destination's sink (its schema phase runs first) and saves the tables as past `pending`.
 * The returned hook records what the sink announces; the caller closes the sink.
 */
export async function openRunSink(r: PlannedRun, cp: Checkpointer, opts: ApplyOptions, source: { flavor: 'mariadb' | 'mysql'; version: string }): Promise<{ sink: ChangeSink<unknown>; hook: ApplyHook }> {
  const hook = recordingHook(r.mstate, opts.hook);
  const dest = r.migration.spec.destination;
  const sink = await sinkKindOf(dest).open(dest, {
    migration: r.migration, mstate: r.mstate, tables: r.desired.tables, topics: r.desired.topics, shapes: r.live.tables,
    flavor: source.flavor, createMissing: r.types.has('schema'), sourceVersion: source.version, specDir: opts.specDir, hook,
    openSourceSession: () => connectSource(r.endpoint),
  });
  try {
    // The destination's objects exist now (the sink created them): the tables move on from `pending`.
    for (const t of r.desired.tables) if (r.mstate.tables[t.id]!.phase === 'pending') r.mstate.tables[t.id]!.phase = 'schema';
    await cp.save();
  } catch (e) {
    await sink.close().catch(() => undefined);
    throw e;
  }
  return { sink, hook };
}
