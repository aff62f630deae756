// Recorded state: what mig applied and how far each migration got, its checkpoints,
// the versioned file format that persists it, and the lock that keeps two runs apart.
export * from './model.js';
export type { LeaseFence, LeaseOutcome, RunnerLease, StateStore, WriteOptions } from './store.js';
export {
  CURRENT_STATE_VERSION,
  decodeState,
  encodeState,
  registerStateUpgrade,
  type DecodeOptions,
  type StateUpgrade,
} from './statefile.js';
export { FileStateStore } from './file-store.js';
export { LeaseKeeper } from './lease-keeper.js';
export { MysqlStateStore } from './mysql-store.js';
export { acquireLock, pidAlive, withLock, withLockReclaiming, type LockWait } from './ops.js';
export { generationsOf, mergeRunnerState, pendingGeneration, projectDesired, takeUpGeneration } from './generation.js';
