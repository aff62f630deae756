// Moving a state from one store to another (`mig state migrate`): under both locks, keeping the
// lineage so saved plans and history stay tied to it, and moving the serial past both copies so
// a plan made against either one is refused as stale afterwards.
import { MigError } from '../util/errors.js';
import { FileStateStore } from './file-store.js';
import type { State } from './model.js';
import { MysqlStateStore, type ExpectedState } from './mysql-store.js';
import { replaceFileState } from './file-replace.js';
import { withLock, type LockWait } from './ops.js';
import type { StateStore } from './store.js';

export interface TransferOptions {
  /** Overwrite a target that holds another lineage, or a newer serial of the same one. */
  force?: boolean;
  /** How long to wait for either lock when another process holds it. */
  lockWait?: LockWait;
}

export interface TransferResult {
  /** The state as read from the source. */
  source: State;
  /** The state as now stored in the target. */
  written: State;
  /** What the target held before, when it held anything. */
  replaced?: State;
}

export const MIGRATE_OPERATION = 'state migrate';

export async function transferState(from: StateStore, to: StateStore, opts: TransferOptions = {}): Promise<TransferResult> {
  if (from.location === to.location) {
    throw new MigError('same-store', `the source and the target are the same store (${to.location})`, 'name another store with --to');
  }
  return withLock(from, MIGRATE_OPERATION, () =>
    withLock(to, MIGRATE_OPERATION, async () => {
      const source = await from.read();
      if (source.serial === 0) {
        throw new MigError('state-empty', `${from.location} holds no state yet: there is nothing to migrate`, 'check --from (or mig.config.yaml), or run mig apply first');
      }
      const target = await to.read();
      const exists = target.serial > 0;
      checkTarget(source, exists ? target : undefined, from.location, to.location, opts);
      const next: State = { ...source, serial: Math.max(source.serial, exists ? target.serial : 0) + 1 };
      const expected: ExpectedState = exists ? { serial: target.serial, lineage: target.lineage } : { absent: true };
      const written = await placeState(to, next, expected);
      return { source, written, replaced: exists ? target : undefined };
    }, opts.lockWait),
  opts.lockWait);
}

function checkTarget(source: State, target: State | undefined, fromLoc: string, toLoc: string, opts: TransferOptions): void {
  if (!target || opts.force) return;
  if (target.lineage !== source.lineage) {
    throw new MigError(
      'lineage-mismatch',
      `${toLoc} already holds a different state (lineage ${target.lineage}, serial ${target.serial}) than ${fromLoc} (lineage ${source.lineage}, serial ${source.serial})`,
      'check that --to names the right store; to replace what it holds, run again with --force',
    );
  }
  if (target.serial > source.serial) {
    throw new MigError(
      'target-newer',
      `${toLoc} already holds a newer copy of this state (serial ${target.serial}; ${fromLoc} has serial ${source.serial}): it was migrated before, or written since`,
      'check which copy is current; to overwrite the target anyway, run again with --force',
    );
  }
}

/** Stores `next` with its own serial, if the target still holds what `expected` says. */
export function placeState(store: StateStore, next: State, expected: ExpectedState): Promise<State> {
  if (store instanceof MysqlStateStore) return store.replace(next, expected);
  if (store instanceof FileStateStore) return replaceFileState(store, next, expected);
  throw new MigError('state-unsupported', `cannot migrate a state into ${store.location}: its backend does not support it`);
}
