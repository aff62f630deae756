// File primitives the file state store and its runner leases share: reads that treat a missing file
// as absent, atomic replacement that survives a crash or power loss, and exclusive creation.
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

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

/** Creates the file only if absent (O_EXCL), so two processes can never both succeed. */
export async function createExclusive(path: string, text: string, opts: { sync?: boolean } = {}): Promise<boolean> {
  let fh;
  try {
    fh = await open(path, 'wx');
  } catch (err) {
    if (isErrno(err, 'EEXIST')) return false;
    throw err;
  }
  try {
    await fh.writeFile(text, 'utf8');
    if (opts.sync ?? true) await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(path).catch(() => undefined);
    throw err;
  }
  await fh.close();
  return true;
}

/** Removes a file that may already be gone. */
export async function unlinkIfExists(path: string): Promise<void> {
  await unlink(path).catch((err: unknown) => {
    if (!isErrno(err, 'ENOENT')) throw err;
  });
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isErrno(err: unknown, ...codes: string[]): boolean {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' && codes.includes(err.code);
}
