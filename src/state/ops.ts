// Helpers that combine the store's primitives into the patterns commands use.
import type { LockInfo } from './model.js';
import type { StateStore } from './store.js';
import { hostname } from 'node:os';
import { LockedError, MigError } from '../util/errors.js';

/**
 * How long to wait for a lock another process holds (Terraform's -lock-timeout): 0 fails at once.
 * `onWait` hears once per holder that the command waits, and for whom.
 */
export interface LockWait {
  timeoutMs: number;
  onWait?: (holder: LockInfo, timeoutMs: number) => void;
  /** How often to try again (default 500 ms). */
  pollMs?: number;
}

/**
 * Runs `fn` holding the state lock and releases it however `fn` ends.
 * Signals are left to the caller: an interrupted process that never reaches `finally` leaves a lock
 * that names its pid, which `mig state unlock --force` clears.
 */
export async function withLock<T>(
  store: StateStore,
  operation: string,
  fn: (lock: LockInfo) => Promise<T>,
  wait?: LockWait,
): Promise<T> {
  const lock = await acquireLock(store, operation, wait);
  try {
    return await fn(lock);
  } finally {
    await store.unlock(lock.id);
  }
}

/**
 * Takes the lock, trying again while another process holds it until `wait.timeoutMs` has passed;
 * then fails with the store's own error (who holds it), saying how long it waited. `beforeTry` runs
 * before each try (withLockReclaiming releases a dead holder's lock there).
 */
export async function acquireLock(store: StateStore, operation: string, wait?: LockWait, beforeTry?: () => Promise<void>): Promise<LockInfo> {
  const timeoutMs = wait?.timeoutMs ?? 0;
  const until = Date.now() + timeoutMs;
  let announced: string | undefined;
  for (;;) {
    await beforeTry?.();
    try {
      return await store.lock(operation);
    } catch (e) {
      if (!(e instanceof MigError && e.code === 'state-locked') || timeoutMs <= 0) throw e;
      if (Date.now() >= until) throw waitedTooLong(e, timeoutMs);
      if (e instanceof LockedError && announced !== e.holder.id) {
        announced = e.holder.id;
        wait?.onWait?.(e.holder, timeoutMs);
      }
      await new Promise((r) => setTimeout(r, Math.min(wait?.pollMs ?? 500, Math.max(0, until - Date.now()))));
    }
  }
}

function waitedTooLong(e: MigError, timeoutMs: number): MigError {
  const seconds = timeoutMs / 1000;
  const fix = e instanceof LockedError
    ? `wait for it to finish or wait longer (--lock-timeout 5m); if that process is gone, run: mig state unlock --force ${e.holder.id}`
    : e.hint ?? 'try again';
  return new MigError(e.code, `${e.message}; still held after waiting ${seconds} s (--lock-timeout)`, fix, { cause: e });
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
 * other hosts are never taken over; those need `mig state unlock --force`. While waiting for a lock
 * (`wait`), a holder that dies meanwhile is released the same way.
 */
export async function withLockReclaiming<T>(
  store: StateStore,
  operation: string,
  onReclaim: (stale: LockInfo) => void,
  fn: (lock: LockInfo) => Promise<T>,
  wait?: LockWait,
): Promise<T> {
  const reclaim = async () => {
    const held = await store.currentLock();
    if (held && held.host === hostname() && held.pid !== process.pid && !pidAlive(held.pid)) {
      await store.forceUnlock(held.id);
      onReclaim(held);
    }
  };
  const lock = await acquireLock(store, operation, wait, reclaim);
  try {
    return await fn(lock);
  } finally {
    await store.unlock(lock.id);
  }
}
