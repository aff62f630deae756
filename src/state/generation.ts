// Generations: `mig apply` records an approved plan as a migration's desired generation; the runner
// takes it up (here) and reports it observed. The plan projects pending generations the same way,
// so a plan made while a runner reconciles is planned against what was approved, not what runs.
import type { MigrationState, State } from './model.js';
import { takeUpRedrive } from './redrive.js';

/** A generation waiting for the runner: the one recorded, and the one it runs. */
export function pendingGeneration(ms: MigrationState | undefined): number | undefined {
  return ms?.desired && ms.desired.generation > (ms.observedGeneration ?? 0) ? ms.desired.generation : undefined;
}

/**
 * Moves a migration's state to its desired generation: the approved spec, the tables it drops or
 * starts over, a whole new snapshot when asked. Returns 'removed' when the approved plan removes the
 * migration (the caller deletes it), 'none' when nothing waits.
 */
export function takeUpGeneration(ms: MigrationState): 'taken' | 'removed' | 'none' {
  const d = ms.desired;
  if (!d) return 'none';
  if (!d.spec || !d.digest) return 'removed';
  if (d.resnapshot) {
    ms.tables = {};
    ms.snapshot = undefined;
    ms.checkpoint = undefined;
    // TiDB: the new snapshot's commit ts is where the feed takes over again.
    ms.feed = undefined;
  }
  for (const id of d.dropTables) delete ms.tables[id];
  for (const t of d.addTables) ms.tables[t.id] ??= structuredClone(t);
  for (const [topic, partitions] of Object.entries(d.createdTopics ?? {})) ms.topics[topic] = { ...ms.topics[topic], partitions, created: true };
  ms.spec = d.spec;
  ms.digest = d.digest;
  ms.appliedAt = d.recordedAt;
  if (d.redrive) takeUpRedrive(ms, d.redrive);
  ms.observedGeneration = d.generation;
  ms.generation = Math.max(ms.generation ?? 0, d.generation);
  delete ms.desired;
  return 'taken';
}

/** The state as it will be once every pending generation is taken up (a copy; `state` is untouched). */
export function projectDesired(state: State): State {
  if (!Object.values(state.migrations).some((ms) => ms.desired)) return state;
  const out = structuredClone(state);
  for (const [name, ms] of Object.entries(out.migrations)) {
    if (takeUpGeneration(ms) === 'removed') delete out.migrations[name];
  }
  return out;
}

/** Each migration's desired generation (0 before any), which a saved plan must still match. */
export function generationsOf(state: State): Record<string, number> {
  return Object.fromEntries(Object.entries(state.migrations).map(([name, ms]) => [name, ms.desired?.generation ?? ms.generation ?? 0]));
}

/**
 * Folds a write conflict: `disk` is what another writer stored meanwhile, `mine` what this process
 * holds. Migrations this process runs keep its progress and take the disk's approved generation;
 * every other migration is taken from the disk as it is. `mine` is changed in place (runners hold
 * references into it).
 */
export function mergeRunnerState(mine: State, disk: State, runs: ReadonlySet<string>): void {
  for (const name of Object.keys(mine.migrations)) {
    if (!runs.has(name) && !disk.migrations[name]) delete mine.migrations[name];
  }
  for (const [name, theirs] of Object.entries(disk.migrations)) {
    const ours = mine.migrations[name];
    if (!runs.has(name) || !ours) {
      mine.migrations[name] = theirs;
      continue;
    }
    ours.generation = Math.max(ours.generation ?? 0, theirs.generation ?? 0);
    // mig cutover records this while the runner streams.
    if (theirs.cutover) ours.cutover = theirs.cutover;
    // A generation this process already took up stays taken, whatever the disk still says.
    if (theirs.desired && theirs.desired.generation > (ours.observedGeneration ?? 0)) ours.desired = theirs.desired;
    else delete ours.desired;
  }
  mine.serial = disk.serial;
  mine.lineage = disk.lineage;
}
