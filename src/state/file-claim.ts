// A short exclusive claim on a file: held by one process for a read and a write of that file, so
// two processes never interleave a read-check-replace. Runner leases and state writes use it.
import { randomUUID } from 'node:crypto';
import { link, rename, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { MigError } from '../util/errors.js';
import { createExclusive, isErrno, parseJson, readIfExists, unlinkIfExists } from './file-io.js';
import { pidAlive } from './ops.js';

/**
 * A claim is held for a read and a write of one small file. One this old belongs to a process that
 * died or hung mid-change; waiting for it longer would block every runner of the migration for good.
 */
const CLAIM_STALE_MS = 10_000;
/** How long to wait for another process's claim before giving up. */
const CLAIM_WAIT_MS = 5_000;

/** Runs `fn` holding the claim file `claim`; `busy` is thrown when another process keeps it too long. */
export async function withClaim<T>(claim: string, busy: () => MigError, fn: () => Promise<T>): Promise<T> {
  const mine = JSON.stringify({ nonce: randomUUID(), pid: process.pid, host: hostname(), time: new Date().toISOString() });
  const deadline = Date.now() + CLAIM_WAIT_MS;
  // No fsync: a claim lives for one write, and one a crash left behind (even torn) is broken as stale.
  while (!(await createExclusive(claim, mine, { sync: false }))) {
    if (await breakIfStale(claim)) continue;
    if (Date.now() > deadline) throw busy();
    await sleep(5 + Math.random() * 20);
  }
  try {
    return await fn();
  } finally {
    // Ours unless it was judged stale and broken meanwhile; a foreign one then is left alone.
    if ((await readIfExists(claim)) === mine) await unlinkIfExists(claim);
  }
}

/** Removes a claim left by a dead or hung process; true when it was removed (or gone already). */
async function breakIfStale(claim: string): Promise<boolean> {
  const text = await readIfExists(claim);
  if (text === undefined) return true;
  const holder = z.object({ pid: z.number(), host: z.string() }).safeParse(parseJson(text));
  const dead = holder.success && holder.data.host === hostname() && !pidAlive(holder.data.pid);
  const age = await stat(claim).then((s) => Date.now() - s.mtimeMs, () => 0);
  // A claim is written right after it is created: one still empty or torn a second later belongs to
  // a process killed in between.
  const torn = !holder.success && age >= 1000;
  if (!dead && !torn && age < CLAIM_STALE_MS) return false;
  // Moved aside first so that, of two processes breaking it at once, only one removes anything,
  // and a fresh claim taken in between is put back rather than lost.
  const aside = `${claim}.stale-${randomUUID()}`;
  try {
    await rename(claim, aside);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return true;
    throw err;
  }
  if ((await readIfExists(aside)) !== text) await link(aside, claim).catch(() => undefined);
  await unlinkIfExists(aside);
  return true;
}
