// Runner leases of the file state store: one JSON file per migration in `<state>.leases/`, replaced
// atomically. Every change goes through a short exclusive claim on that migration, because a take,
// renewal or release is a read followed by a write and two local runners must not interleave them.
import { randomUUID } from 'node:crypto';
import { link, mkdir, readdir, rename, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { MigError } from '../util/errors.js';
import { createExclusive, isErrno, parseJson, readIfExists, replaceFile, unlinkIfExists } from './file-io.js';
import { pidAlive } from './ops.js';
import { checkLeaseArgs, type LeaseOutcome, type RunnerLease } from './store.js';

const LeaseSchema = z.strictObject({
  id: z.string().min(1),
  migration: z.string().min(1),
  pid: z.number().int(),
  host: z.string(),
  since: z.string().min(1),
  expiresAt: z.string().min(1),
});

/**
 * A claim is held for a read and a write of one small file. One this old belongs to a process that
 * died or hung mid-change; waiting for it longer would block every runner of the migration for good.
 */
const CLAIM_STALE_MS = 10_000;
/** How long to wait for another process's claim before giving up. */
const CLAIM_WAIT_MS = 5_000;

export class FileLeases {
  readonly dir: string;

  constructor(statePath: string) {
    this.dir = `${statePath}.leases`;
  }

  async acquire(migration: string, leaseMs: number): Promise<LeaseOutcome> {
    checkLeaseArgs(migration, leaseMs);
    return this.#claimed(migration, async (file) => {
      const current = await this.#read(file);
      const now = Date.now();
      if (current && !lapsed(current, now) && !deadHere(current)) return { held: false, holder: current };
      const lease: RunnerLease = {
        id: randomUUID(),
        migration,
        pid: process.pid,
        host: hostname(),
        since: new Date(now).toISOString(),
        expiresAt: new Date(now + leaseMs).toISOString(),
      };
      await replaceFile(file, `${JSON.stringify(lease)}\n`);
      return current ? { held: true, lease, takenOver: current } : { held: true, lease };
    });
  }

  /** A lease that lapsed but nobody took over is still ours: nobody else can have run meanwhile. */
  async renew(migration: string, id: string, leaseMs: number): Promise<boolean> {
    checkLeaseArgs(migration, leaseMs);
    return this.#claimed(migration, async (file) => {
      const current = await this.#read(file);
      if (current?.id !== id) return false;
      const renewed: RunnerLease = { ...current, expiresAt: new Date(Date.now() + leaseMs).toISOString() };
      await replaceFile(file, `${JSON.stringify(renewed)}\n`);
      return true;
    });
  }

  release(migration: string, id: string): Promise<void> {
    return this.#claimed(migration, async (file) => {
      if ((await this.#read(file))?.id === id) await unlinkIfExists(file);
    });
  }

  /** The current holding, live or not; for a fence's message. */
  current(migration: string): Promise<RunnerLease | undefined> {
    return this.#read(this.#file(migration));
  }

  async live(): Promise<Record<string, RunnerLease>> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return {};
      throw err;
    }
    const out: Record<string, RunnerLease> = {};
    const now = Date.now();
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      const lease = await this.#read(join(this.dir, name));
      if (lease && !lapsed(lease, now)) out[lease.migration] = lease;
    }
    return out;
  }

  #file(migration: string): string {
    // Encoded so any name is one plain file name (no '/', no '..'), and distinct names stay distinct.
    return join(this.dir, `${encodeURIComponent(migration).replace(/\./g, '%2E')}.json`);
  }

  async #read(file: string): Promise<RunnerLease | undefined> {
    const text = await readIfExists(file);
    if (text === undefined) return undefined;
    const parsed = LeaseSchema.safeParse(parseJson(text));
    if (parsed.success) return parsed.data;
    // Written only by atomic replacement, so this is damage or a hand edit, not a write in progress.
    throw new MigError('lease-corrupt', `the runner lease file ${file} cannot be read`, `if no mig runner is running against this state, delete ${file}`);
  }

  async #claimed<T>(migration: string, fn: (file: string) => Promise<T>): Promise<T> {
    await mkdir(this.dir, { recursive: true });
    const file = this.#file(migration);
    const claim = `${file}.claim`;
    const mine = JSON.stringify({ nonce: randomUUID(), pid: process.pid, host: hostname(), time: new Date().toISOString() });
    const deadline = Date.now() + CLAIM_WAIT_MS;
    while (!(await createExclusive(claim, mine))) {
      if (await breakIfStale(claim)) continue;
      if (Date.now() > deadline) {
        throw new MigError('lease-busy', `the runner lease of ${migration} in ${this.dir} stays claimed by another process`, `if no mig runner is running against this state, delete ${claim}`);
      }
      await sleep(5 + Math.random() * 20);
    }
    try {
      return await fn(file);
    } finally {
      // Ours unless it was judged stale and broken meanwhile; a foreign one then is left alone.
      if ((await readIfExists(claim)) === mine) await unlinkIfExists(claim);
    }
  }
}

function lapsed(lease: RunnerLease, now: number): boolean {
  return Date.parse(lease.expiresAt) <= now;
}

/** A pid only means something on the host that issued it; a holder found dead there cannot be writing. */
function deadHere(lease: RunnerLease): boolean {
  return lease.host === hostname() && lease.pid !== process.pid && !pidAlive(lease.pid);
}

/** Removes a claim left by a dead or hung process; true when it was removed (or gone already). */
async function breakIfStale(claim: string): Promise<boolean> {
  const text = await readIfExists(claim);
  if (text === undefined) return true;
  const holder = z.object({ pid: z.number(), host: z.string() }).safeParse(parseJson(text));
  const dead = holder.success && holder.data.host === hostname() && !pidAlive(holder.data.pid);
  const age = await stat(claim).then((s) => Date.now() - s.mtimeMs, () => 0);
  if (!dead && age < CLAIM_STALE_MS) return false;
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
