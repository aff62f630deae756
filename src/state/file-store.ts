// A state store on the local file system: one JSON file, replaced atomically, with a backup and a lock file.
// A crash at any point leaves either the old or the new file in place, never a mix of both.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { LockedError, MigError } from '../util/errors.js';
import { emptyState, type LockInfo, type State } from './model.js';
import { decodeState, encodeState } from './statefile.js';
import type { StateStore } from './store.js';

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
  /** Lineage handed out while no file exists, so repeated reads through this store agree. */
  #freshLineage?: string;

  constructor(readonly path: string) {
    this.location = path;
    this.backupPath = `${path}.backup`;
    this.lockPath = `${path}.lock`;
  }

  async read(): Promise<State> {
    const text = await readIfExists(this.path);
    if (text === undefined) {
      this.#freshLineage ??= randomUUID();
      return emptyState(this.#freshLineage);
    }
    return decodeState(text, { location: this.path, backupPath: this.backupPath });
  }

  async write(state: State): Promise<State> {
    await mkdir(dirname(this.path), { recursive: true });
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
}

export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

/**
 * Write to a unique temporary file, flush it, rename it over the target, then flush the directory
 * so the rename itself survives a power loss. Readers see the old or the new file, whole.
 */
export async function replaceFile(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await syncDirectory(dirname(path));
}

async function syncDirectory(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (err) {
    // Some platforms (Windows) and file systems cannot open or flush a directory; the rename still happened.
    if (!isErrno(err, 'EISDIR', 'EPERM', 'EINVAL', 'EACCES', 'ENOTSUP')) throw err;
  } finally {
    await fh?.close();
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
  await unlink(lockPath).catch((err: unknown) => {
    if (!isErrno(err, 'ENOENT')) throw err;
  });
}

/** Creates the file only if absent (O_EXCL), so two processes can never both succeed. */
async function createExclusive(path: string, text: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(path, 'wx');
  } catch (err) {
    if (isErrno(err, 'EEXIST')) return false;
    throw err;
  }
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(path).catch(() => undefined);
    throw err;
  }
  await fh.close();
  return true;
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isErrno(err: unknown, ...codes: string[]): boolean {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' && codes.includes(err.code);
}
