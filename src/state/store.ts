// The state-store capability: read, write (serial+1), lock, and per-migration runner leases.
// Backends implement it.
import { MigError } from '../util/errors.js';
import type { LockInfo, State } from './model.js';

/**
 * A runner's hold on one migration. Unlike the state lock (held for the few seconds `mig apply`
 * records a plan), a lease is held for as long as a runner runs and renewed while it does, so a
 * runner that dies stops blocking its stand-by once the lease lapses.
 */
export interface RunnerLease {
  /** Random id of this holding (uuid). */
  id: string;
  migration: string;
  pid: number;
  host: string;
  /** ISO time the lease was taken. */
  since: string;
  /** ISO time it lapses unless renewed. */
  expiresAt: string;
}

export type LeaseOutcome = { held: true; lease: RunnerLease; takenOver?: RunnerLease } | { held: false; holder: RunnerLease };

/** A lease a write must still hold; see WriteOptions.fence. */
export interface LeaseFence {
  migration: string;
  leaseId: string;
  leaseMs: number;
}

export interface WriteOptions {
  /** Refuse the write (MigError code 'lease-lost', nothing written) unless each of these leases is still held with this id. The MySQL store also renews them in the write's transaction; the file store only checks them (its writes come a few a second, and each renewal would cost fsyncs). */
  fence?: LeaseFence[];
}

export interface StateStore {
  /** Human description for messages, e.g. the file path. */
  readonly location: string;
  /** Reads the state; an absent store yields an empty state (serial 0). */
  read(): Promise<State>;
  /** Writes atomically; returns the state as written, with serial incremented. */
  write(state: State, opts?: WriteOptions): Promise<State>;
  /** Takes the lock or throws LockedError naming the holder. */
  lock(operation: string): Promise<LockInfo>;
  unlock(id: string): Promise<void>;
  /** Clears a lock whatever holds it; throws when the id does not match the current lock. */
  forceUnlock(id: string): Promise<void>;
  currentLock(): Promise<LockInfo | undefined>;
  /** Tries once to take the runner lease of `migration`. Free, lapsed, or (file store) held by a dead pid on this host: taken (takenOver names the previous holder). */
  acquireLease(migration: string, leaseMs: number): Promise<LeaseOutcome>;
  /** Extends our lease to now + leaseMs; false when it is no longer ours (lapsed and taken over, or released). */
  renewLease(migration: string, id: string, leaseMs: number): Promise<boolean>;
  /** Gives our lease up (no-op when it is not ours any more). */
  releaseLease(migration: string, id: string): Promise<void>;
  /** Live (unlapsed) leases by migration name. */
  leases(): Promise<Record<string, RunnerLease>>;
  /** Releases connections a backend holds open; stores without any need not implement it. */
  close?(): Promise<void>;
}

/**
 * Longest migration name a lease accepts. Spec names are far shorter (63); the bound keeps the
 * MySQL backend's row name within its column whatever the state's own name.
 */
export const MAX_LEASE_MIGRATION = 150;

/** Refuses arguments no backend could store faithfully, before anything is touched. */
export function checkLeaseArgs(migration: string, leaseMs: number): void {
  if (migration.length === 0 || [...migration].length > MAX_LEASE_MIGRATION) {
    throw new MigError('lease-invalid', `a runner lease needs a migration name of 1 to ${MAX_LEASE_MIGRATION} characters, got ${JSON.stringify(migration.slice(0, 200))}`);
  }
  if (!Number.isInteger(leaseMs) || leaseMs <= 0) {
    throw new MigError('lease-invalid', `a runner lease needs a positive whole number of milliseconds, got ${leaseMs}`);
  }
}

/** The refusal of a fenced write: the runner must stop, since another one now runs its migration. */
export function leaseLostError(location: string, f: LeaseFence, holder: RunnerLease | undefined): MigError {
  const now = holder
    ? `it is now held by ${holder.id} (pid ${holder.pid} on ${holder.host}, since ${holder.since})`
    : 'it was released and is held by no one';
  return new MigError(
    'lease-lost',
    `the runner lease ${f.leaseId} of migration ${f.migration} in ${location} is no longer ours: ${now}`,
    'nothing was written; this runner must stop, since another runner may be running the migration',
  );
}
