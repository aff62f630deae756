// Helpers that combine the store's primitives into the patterns commands use.
import type { LockInfo } from './model.js';
import type { StateStore } from './store.js';

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
