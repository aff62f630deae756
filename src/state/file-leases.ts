// Runner leases of the file state store: one JSON file per migration in `<state>.leases/`, replaced
// atomically. Every change goes through a short exclusive claim on that migration, because a take,
// renewal or release is a read followed by a write and two local runners must not interleave them.
import { randomUUID } from 'node:crypto';
import { link, mkdir, readdir, rename, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { withClaim } from './file-claim.js';
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
      // A holder found dead on this host holds nothing: the next acquire takes its lease at once.
      if (lease && !lapsed(lease, now) && !deadHere(lease)) out[lease.migration] = lease;
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
    return withClaim(claim, () => new MigError('lease-busy', `the runner lease of ${migration} in ${this.dir} stays claimed by another process`, `if no mig runner is running against this state, delete ${claim}`), () => fn(file));
  }
}

function lapsed(lease: RunnerLease, now: number): boolean {
  return Date.parse(lease.expiresAt) <= now;
}

/** A pid only means something on the host that issued it; a holder found dead there cannot be writing. */
function deadHere(lease: RunnerLease): boolean {
  return lease.host === hostname() && lease.pid !== process.pid && !pidAlive(lease.pid);
}

