// Placing a whole state into a file store with the serial the caller chose, for `mig state migrate`:
// write() always continues the file's own serial, but a state carried over from another store keeps
// counting from its own history. Same guarantees as the file store: atomic replace, previous kept as backup.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MigError } from '../util/errors.js';
import type { FileStateStore } from './file-store.js';
import type { State } from './model.js';
import type { ExpectedState } from './mysql-store.js';
import { decodeState, encodeState } from './statefile.js';

export async function replaceFileState(store: FileStateStore, next: State, expected: ExpectedState): Promise<State> {
  await mkdir(dirname(store.path), { recursive: true });
  const previous = await readIfExists(store.path);
  const onDisk = previous === undefined ? undefined : decodeState(previous, { location: store.path, backupPath: store.backupPath });
  const retry = 'another mig wrote it meanwhile; run the command again';
  if (expected.absent ? onDisk !== undefined : onDisk === undefined) {
    throw new MigError('state-conflict', `the state ${store.path} was ${onDisk ? 'created' : 'deleted'} since it was read`, retry);
  }
  if (onDisk && !expected.absent && (onDisk.serial !== expected.serial || onDisk.lineage !== expected.lineage)) {
    throw new MigError('state-conflict', `the state ${store.path} changed since it was read (serial ${onDisk.serial} on disk, ${expected.serial} in hand)`, retry);
  }
  const text = encodeState(next);
  if (previous !== undefined) await replaceFile(store.backupPath, previous);
  await replaceFile(store.path, text);
  return decodeState(text, { location: store.path });
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Temporary file, flushed, renamed over the target, directory flushed: readers see old or new, whole. */
async function replaceFile(path: string, text: string): Promise<void> {
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
  let dir;
  try {
    dir = await open(dirname(path), 'r');
    await dir.sync();
  } catch {
    // Some platforms and file systems cannot flush a directory; the rename itself happened.
  } finally {
    await dir?.close();
  }
}
