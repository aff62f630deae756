// Helpers that combine the store's primitives into the patterns commands use.
import type { LockInfo } from './model.js';
import type { StateStore } from './store.js';
import { hostname } from 'node:os';

/**
 * Runs `fn` holding the state lock and releases it however `fn` ends.
 * Signals are left to the caller: an interrupted process that never reaches `finally` leaves a lock
 * that names its pid, which `mig state unlock --force` clears.
 */
export async function withLock<T>(
  store: StateStore,
  operation: string,
  fn: (lock: LockInfo) => Promise<T>,
): Promise<T> {
  const lock = await store.lock(operation);
  try {
    return await fn(lock);
  } finally {
    await store.unlock(lock.id);
  }
}

/** True when `pid` names a live process on this host. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Like withLock, but a lock whose holder was on this host and is no longer running (a `kill -9`, a
 * crash, a lost CI runner on the same machine) is released first: no process can still be writing
 * under it, and the checkpoints it left are exactly where the next run must resume. Locks held from
 * other hosts are never taken over; those need `mig state unlock --force`.
 */
export async function withLockReclaiming<T>(
  store: StateStore,
  operation: string,
  onReclaim: (stale: LockInfo) => void,
  fn: (lock: LockInfo) => Promise<T>,
): Promise<T> {
  const held = await store.currentLock();
  if (held && held.host === hostname() && held.pid !== process.pid && !pidAlive(held.pid)) {
    await store.forceUnlock(held.id);
    onReclaim(held);
  }
  return withLock(store, operation, fn);
}
