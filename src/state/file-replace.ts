// Placing a whole state into a file store with the serial the caller chose, for `mig state migrate`:
// write() always continues the file's own serial, but a state carried over from another store keeps
// counting from its own history. Same guarantees as the file store: atomic replace, previous kept as backup.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MigError } from '../util/errors.js';
import { readIfExists, replaceFile, type FileStateStore } from './file-store.js';
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
