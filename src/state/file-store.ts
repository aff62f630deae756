// A state store on the local file system: one JSON file, replaced atomically, with a backup, a lock
// file and a directory of runner leases (file-leases.ts).
// A crash at any point leaves either the old or the new file in place, never a mix of both.
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { LockedError, MigError } from '../util/errors.js';
import { emptyState, type LockInfo, type State } from './model.js';
import { FileLeases } from './file-leases.js';
import { withClaim } from './file-claim.js';
import { createExclusive, isErrno, parseJson, readIfExists, replaceFile, unlinkIfExists } from './file-io.js';
import { decodeState, encodeState } from './statefile.js';
import { leaseLostError, type LeaseFence, type LeaseOutcome, type RunnerLease, type StateStore, type WriteOptions } from './store.js';

export { readIfExists, replaceFile } from './file-io.js';

const LockSchema = z.strictObject({
  id: z.string().min(1),
  pid: z.number().int(),
  host: z.string(),
  time: z.string(),
  operation: z.string(),
});

export class FileStateStore implements StateStore {
  readonly location: string;
  readonly backupPath: string;
  readonly lockPath: string;
  readonly #leases: FileLeases;
  /** Lineage handed out while no file exists, so repeated reads through this store agree. */
  #freshLineage?: string;

  constructor(readonly path: string) {
    this.location = path;
    this.backupPath = `${path}.backup`;
    this.lockPath = `${path}.lock`;
    this.#leases = new FileLeases(path);
  }

  /** Directory of the runner leases, one file per migration. */
  get leasesDir(): string {
    return this.#leases.dir;
  }

  async read(): Promise<State> {
    const text = await readIfExists(this.path);
    if (text === undefined) {
      this.#freshLineage ??= randomUUID();
      return emptyState(this.#freshLineage);
    }
    return decodeState(text, { location: this.path, backupPath: this.backupPath });
  }

  async write(state: State, opts: WriteOptions = {}): Promise<State> {
    await mkdir(dirname(this.path), { recursive: true });
    // Runners checkpoint while apply records generations, without the lock: the check of the serial
    // and the replacement must not interleave with another process's.
    const claim = `${this.path}.write-claim`;
    return withClaim(claim, () => new MigError('state-busy', `the state ${this.path} stays claimed by another writer`, `if no mig is running against this state, delete ${claim}`), () => this.#write(state, opts));
  }

  async #write(state: State, opts: WriteOptions): Promise<State> {
    await this.#fence(opts.fence ?? []);
    // The serial check guards against a writer that skipped the lock; it is not a lock itself.
    const previous = await readIfExists(this.path);
    const onDisk =
      previous === undefined ? undefined : decodeState(previous, { location: this.path, backupPath: this.backupPath });
    const diskSerial = onDisk?.serial ?? 0;
    if (state.serial !== diskSerial) {
      throw new MigError(
        'state-conflict',
        `the state ${this.path} changed since it was read (serial ${diskSerial} on disk, ${state.serial} in hand)`,
        'another mig wrote it meanwhile; run the command again',
      );
    }
    if (onDisk && onDisk.lineage !== state.lineage) {
      throw new MigError(
        'state-conflict',
        `the state ${this.path} has lineage ${onDisk.lineage}, not ${state.lineage}: it was replaced since it was read`,
        'run the command again against the current state',
      );
    }

    const next: State = { ...state, serial: diskSerial + 1 };
    const text = encodeState(next);
    if (previous !== undefined) await replaceFile(this.backupPath, previous);
    await replaceFile(this.path, text);
    this.#freshLineage = undefined;
    return decodeState(text, { location: this.path });
  }

  async lock(operation: string): Promise<LockInfo> {
    await mkdir(dirname(this.lockPath), { recursive: true });
    const info: LockInfo = {
      id: randomUUID(),
      pid: process.pid,
      host: hostname(),
      time: new Date().toISOString(),
      operation,
    };
    // A lock released between our failed create and our read of it: try again, a few times at most.
    for (let attempt = 0; ; attempt++) {
      if (await createExclusive(this.lockPath, `${JSON.stringify(info)}\n`)) return info;
      const holder = await readLock(this.lockPath);
      if (holder) throw lockedError(holder, this.path);
      if (attempt >= 3) {
        throw new MigError('state-locked', `the state ${this.path} is being locked and unlocked by others`, 'try again');
      }
    }
  }

  async unlock(id: string): Promise<void> {
    // Not ours (it was force-unlocked and someone else took it) or already gone: nothing to do.
    await removeLockIf(this.lockPath, (held) => held.id === id);
  }

  async forceUnlock(id: string): Promise<void> {
    const held = await readLock(this.lockPath);
    if (!held) throw new MigError('not-locked', `the state ${this.path} is not locked`);
    if (held.id !== id) {
      throw new MigError(
        'lock-mismatch',
        `the lock on ${this.path} has id ${held.id}, not ${id}`,
        `make sure ${held.operation} (pid ${held.pid} on ${held.host}) is gone, ` +
          `then run: mig state unlock --force ${held.id}`,
      );
    }
    await removeLockIf(this.lockPath, (current) => current.id === id);
  }

  currentLock(): Promise<LockInfo | undefined> {
    return readLock(this.lockPath);
  }

  acquireLease(migration: string, leaseMs: number): Promise<LeaseOutcome> {
    return this.#leases.acquire(migration, leaseMs);
  }

  renewLease(migration: string, id: string, leaseMs: number): Promise<boolean> {
    return this.#leases.renew(migration, id, leaseMs);
  }

  releaseLease(migration: string, id: string): Promise<void> {
    return this.#leases.release(migration, id);
  }

  leases(): Promise<Record<string, RunnerLease>> {
    return this.#leases.live();
  }

  /**
   * Renewing is the check: a lease still ours is then good for another leaseMs, far longer than the
   * replace below takes, so no takeover can slip in between the check and the write.
   */
  async #fence(fence: LeaseFence[]): Promise<void> {
    // A read, not a renewal: the holder's keeper renews on its timer, and a checkpoint written a few
    // times a second must not cost two more fsyncs each. A takeover replaces the file, so the id tells.
    for (const f of fence) {
      const current = await this.#leases.current(f.migration);
      if (current?.id !== f.leaseId) throw leaseLostError(this.path, f, current);
    }
  }
}

/** The lock's content, or undefined when unlocked. */
async function readLock(lockPath: string): Promise<LockInfo | undefined> {
  // The holder creates the file and then writes it: an empty or partial file is usually a lock
  // being taken right now, so look again briefly before calling it damaged.
  for (let attempt = 0; ; attempt++) {
    const text = await readIfExists(lockPath);
    if (text === undefined) return undefined;
    const parsed = LockSchema.safeParse(parseJson(text));
    if (parsed.success) return parsed.data;
    if (attempt >= 4) {
      throw new MigError(
        'lock-corrupt',
        `the lock file ${lockPath} exists but cannot be read`,
        `if no mig is running against this state, delete ${lockPath}`,
      );
    }
    await sleep(25);
  }
}

async function removeLockIf(lockPath: string, matches: (held: LockInfo) => boolean): Promise<void> {
  // Read-then-unlink leaves a tiny window in which a force-unlock and a new lock could slip in;
  // file systems offer no compare-and-delete, and callers only ever remove their own lock.
  const held = await readLock(lockPath);
  if (!held || !matches(held)) return;
  await unlinkIfExists(lockPath);
}

function lockedError(holder: LockInfo, location: string): LockedError {
  const err = new LockedError(holder, location);
  // A pid only means something on the host that issued it.
  if (holder.host === hostname() && !processAlive(holder.pid)) {
    err.message += `; the holder process is no longer running`;
  }
  return err;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return !isErrno(err, 'ESRCH');
  }
}
