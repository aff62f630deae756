// `mig destroy`: built on the generations machinery, as a spec file's removal is. Under the state
// lock a removal generation is recorded for each migration; the runner holding its lease sees it
// (as any new generation), stops streaming at a checkpoint, forgets the migration's state and
// releases the lease, and destroy waits for that; a migration no runner holds, destroy takes up
// itself the same way. Once the state is forgotten, the destination's own record of the position
// is removed and, when asked, the topics or tables mig created are deleted.
import type { StateStore } from '../state/store.js';
import type { LockInfo } from '../state/model.js';
import { withLockReclaiming, type LockWait } from '../state/ops.js';
import type { DestroyPlan, MigrationDestroy } from '../plan/destroy.js';
import type { Change } from '../plan/change.js';
import { sinkKindOf } from '../connectors/registry.js';
import { MigError } from '../util/errors.js';
import { recordGenerations, type RecordedGeneration } from './record-generation.js';
import { runMigrations } from './runner.js';
import { waitForRunners } from './wait-runner.js';

export interface DestroyOptions {
  specDir: string;
  /** How long to wait for a runner to stop streaming a migration and forget it. */
  waitMs: number;
  leaseMs: number;
  signal: AbortSignal;
  lockWait?: LockWait;
  onReclaim: (stale: LockInfo) => void;
  /** One line for the user per thing done. */
  out: (line: string) => void;
}

export interface Destroyed {
  migration: string;
  generation: number;
  /** Who stopped streaming it and forgot its state: the runner holding its lease, or destroy itself. */
  stoppedBy: 'runner' | 'destroy';
  checkpointRows?: number;
  deleted: string[];
  kept: string[];
}

export async function destroyMigrations(store: StateStore, plan: DestroyPlan, opts: DestroyOptions): Promise<Destroyed[]> {
  const removal = (m: MigrationDestroy): Change => ({ kind: 'migration', action: 'delete', migration: m.name, reason: 'mig destroy', risks: ['destructive'] });
  const { recorded } = await withLockReclaiming(store, 'destroy', opts.onReclaim,
    () => recordGenerations(store, { migrations: plan.migrations.map((m) => ({ name: m.name, changes: [removal(m)], specDiff: '' })) }, [], new Map()),
    opts.lockWait);
  for (const r of recorded) opts.out(`${r.migration}: removal recorded as generation ${r.generation}.`);
  const leases = await store.leases();
  const free = recorded.filter((r) => leases[r.migration] === undefined).map((r) => r.migration);
  // Taken up here as a runner would: under the lease, so a runner starting meanwhile cannot run it.
  const outcomes = free.length === 0 ? [] : await runMigrations(store, free, {
    specDir: opts.specDir, leaseMs: opts.leaseMs, mode: 'load', standby: false, awaitFix: false, signal: opts.signal, hook: () => undefined,
  });
  const byRunner = recorded.filter((r) => !free.includes(r.migration) || outcomes.some((o) => o.migration === r.migration && o.result === 'held-elsewhere'));
  for (const r of byRunner) {
    const l = leases[r.migration];
    opts.out(`${r.migration}: the runner holding its lease${l ? ` (pid ${l.pid} on ${l.host})` : ''} stops streaming it and forgets it.`);
  }
  if (byRunner.length > 0) {
    await waitForRunners(store, byRunner, opts.waitMs, opts.signal, opts.out);
    await leasesReleased(store, byRunner, opts.waitMs, opts.signal);
  }
  const out: Destroyed[] = [];
  for (const m of plan.migrations) {
    const r = recorded.find((x) => x.migration === m.name);
    if (!r) continue;
    const d = await cleanDestination(m, opts);
    out.push({ migration: m.name, generation: r.generation, stoppedBy: byRunner.includes(r) ? 'runner' : 'destroy', ...d });
    opts.out(`${m.name}: destroyed${d.deleted.length > 0 ? `; deleted ${d.deleted.join(', ')}` : ''}${d.kept.length > 0 ? `; kept ${d.kept.join(', ')}` : ''}.`);
  }
  return out;
}

/** The runners release their leases right after forgetting the state; waits for that, briefly. */
async function leasesReleased(store: StateStore, recorded: RecordedGeneration[], ms: number, signal: AbortSignal): Promise<void> {
  const until = Date.now() + Math.min(ms, 15_000);
  for (;;) {
    const leases = await store.leases();
    const held = recorded.filter((r) => leases[r.migration] !== undefined);
    if (held.length === 0) return;
    if (Date.now() >= until || signal.aborted) {
      throw new MigError('destroy-lease-held', `the state forgot ${held.map((r) => r.migration).join(', ')}, but a runner still holds the lease`, 'see mig status; the lease lapses by itself once its runner stops renewing it');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function cleanDestination(m: MigrationDestroy, opts: DestroyOptions): Promise<Pick<Destroyed, 'checkpointRows' | 'deleted' | 'kept'>> {
  const d = m.spec.spec.destination;
  const kind = sinkKindOf(d);
  const records = kind.checkpointRecord?.where(d);
  const checkpointRows = records ? await kind.checkpointRecord!.forget(m.spec, d, opts.specDir) : undefined;
  if (checkpointRows !== undefined) opts.out(`${m.name}: removed ${checkpointRows} row(s) from ${records}.`);
  if (!m.deleteDestination || m.created.length === 0) return { ...(checkpointRows !== undefined ? { checkpointRows } : {}), deleted: [], kept: m.created };
  await kind.dropTargets(m.spec, d, opts.specDir, m.created);
  return { ...(checkpointRows !== undefined ? { checkpointRows } : {}), deleted: m.created, kept: [] };
}
