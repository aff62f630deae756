// What `mig destroy` will do, worked out before anything is done (pure): per migration, stop its
// replication (the runner holding its lease stops streaming it), release the lease, forget its
// state, remove the position a destination keeps itself, and, only when asked, delete the
// destination objects mig created, each marked destructive.
import type { Migration } from '../spec/schema.js';
import type { MigrationState, State } from '../state/model.js';
import type { RunnerLease } from '../state/store.js';
import { sinkKindOf } from '../connectors/registry.js';
import { closest } from '../spec/suggest.js';
import { MigError } from '../util/errors.js';

export interface DestroyStep {
  action: 'stop' | 'release' | 'forget' | 'forget-checkpoint' | 'delete' | 'keep';
  text: string;
  destructive: boolean;
}

export interface MigrationDestroy {
  name: string;
  /** The spec as applied: where its destination is. */
  spec: Migration;
  /** The runner streaming it now, which stops once the removal is recorded. */
  runner?: RunnerLease;
  steps: DestroyStep[];
  /** Topics or tables mig created that are deleted (--delete-destination), else kept. */
  created: string[];
  deleteDestination: boolean;
}

export interface DestroyPlan {
  migrations: MigrationDestroy[];
  /** Named migrations that were never applied: nothing of them to destroy. */
  notApplied: string[];
  deleteDestination: boolean;
}

/**
 * The plan for the named migrations, or every one in the state when none is named. A name that
 * neither the state nor the specs know is refused with a did-you-mean.
 */
export function planDestroy(state: State, leases: Record<string, RunnerLease>, opts: { names: readonly string[]; specNames: readonly string[]; deleteDestination: boolean }): DestroyPlan {
  const applied = Object.keys(state.migrations);
  const known = [...new Set([...applied, ...opts.specNames])];
  for (const n of opts.names) {
    if (known.includes(n)) continue;
    const near = closest(n, known);
    throw new MigError('destroy-unknown', `no migration is named ${n}${near ? `; did you mean ${near}?` : ''}`, known.length > 0 ? `name one that mig status lists (${applied.join(', ') || 'none applied'})` : 'nothing has been applied to this state: there is nothing to destroy');
  }
  const names = opts.names.length > 0 ? [...new Set(opts.names)] : applied;
  const migrations = names.filter((n) => state.migrations[n]).map((n) => destroyOne(state.migrations[n]!, leases[n], opts.deleteDestination));
  return { migrations, notApplied: names.filter((n) => !state.migrations[n]), deleteDestination: opts.deleteDestination };
}

function destroyOne(ms: MigrationState, runner: RunnerLease | undefined, deleteDestination: boolean): MigrationDestroy {
  const kind = sinkKindOf(ms.spec.spec.destination);
  const d = ms.spec.spec.destination;
  const steps: DestroyStep[] = [];
  steps.push(runner
    ? { action: 'stop', text: `stop replication: the runner holding its lease (pid ${runner.pid} on ${runner.host}, since ${runner.since}) stops streaming it at a checkpoint`, destructive: false }
    : { action: 'stop', text: 'stop replication: no runner holds its lease, so none streams it now', destructive: false });
  steps.push({ action: 'release', text: runner ? 'release its runner lease' : 'take and release its runner lease, so no runner starts it meanwhile', destructive: false });
  steps.push({ action: 'forget', text: `forget its state: ${stateSummary(ms)}`, destructive: false });
  const records = kind.checkpointRecord?.where(d);
  if (records) steps.push({ action: 'forget-checkpoint', text: `remove its rows from ${records} at ${kind.where(d)}`, destructive: false });
  const created = kind.createdTargets(ms).sort();
  const noun = kind.targetNoun;
  if (deleteDestination) {
    for (const t of created) steps.push({ action: 'delete', text: `delete ${noun} ${t} at ${kind.where(d)}, with its data`, destructive: true });
  } else if (created.length > 0) {
    steps.push({ action: 'keep', text: `keep the ${created.length} ${noun}(s) mig created (${created.join(', ')}) and their data; --delete-destination deletes them (applied again, the migration finds them in place: see spec.conflictMode)`, destructive: false });
  }
  const found = foundTargets(ms, created);
  if (found.length > 0) steps.push({ action: 'keep', text: `keep ${found.length} ${noun}(s) it writes but mig did not record creating (${found.join(', ')}): destroy never deletes those`, destructive: false });
  return { name: ms.name, spec: ms.spec, ...(runner ? { runner } : {}), steps, created, deleteDestination };
}

/** What the state holds of the migration, in a line. */
function stateSummary(ms: MigrationState): string {
  const tables = Object.values(ms.tables);
  const phases = new Map<string, number>();
  for (const t of tables) phases.set(t.phase, (phases.get(t.phase) ?? 0) + 1);
  const parts = [`generation ${ms.generation ?? ms.observedGeneration ?? 1}`, `${tables.length} table(s)${phases.size > 0 ? ` (${[...phases].map(([p, n]) => `${n} ${p}`).join(', ')})` : ''}`];
  if (ms.checkpoint) parts.push(`checkpoint ${ms.checkpoint.file}:${ms.checkpoint.pos}`);
  else if (ms.snapshot) parts.push(`snapshot at ${ms.snapshot.position.file}:${ms.snapshot.position.pos}`);
  if (ms.feed) parts.push(`feed from commit ts ${ms.feed.startTs}`);
  return parts.join(', ');
}

/** Targets the migration writes that it did not create (topics adopted, tables kept). */
function foundTargets(ms: MigrationState, created: readonly string[]): string[] {
  const all = new Set([...Object.keys(ms.topics), ...Object.values(ms.tables).filter((t) => t.targetOrigin === 'kept').map((t) => t.target)]);
  for (const c of created) all.delete(c);
  return [...all].sort();
}
