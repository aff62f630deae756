// The state-store capability: read, write (serial+1), lock. Backends implement it.
import type { LockInfo, State } from './model.js';

export interface StateStore {
  /** Human description for messages, e.g. the file path. */
  readonly location: string;
  /** Reads the state; an absent store yields an empty state (serial 0). */
  read(): Promise<State>;
  /** Writes atomically; returns the state as written, with serial incremented. */
  write(state: State): Promise<State>;
  /** Takes the lock or throws LockedError naming the holder. */
  lock(operation: string): Promise<LockInfo>;
  unlock(id: string): Promise<void>;
  /** Clears a lock whatever holds it; throws when the id does not match the current lock. */
  forceUnlock(id: string): Promise<void>;
  currentLock(): Promise<LockInfo | undefined>;
  /** Releases connections a backend holds open; stores without any need not implement it. */
  close?(): Promise<void>;
}
