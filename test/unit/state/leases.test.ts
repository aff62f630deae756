// Runner leases of the file store: taking, refusing, takeover (lapsed, or a dead holder on this
// host), renewal after a takeover, fenced writes, and the LeaseKeeper's loss callback.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../../src/state/file-store.js';
import { LeaseKeeper } from '../../../src/state/lease-keeper.js';
import type { LeaseOutcome, RunnerLease, StateStore } from '../../../src/state/store.js';
import { MigError } from '../../../src/util/errors.js';
import { sampleState } from './sample-state.js';

let dir: string;
let file: string;
let store: FileStateStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mig-lease-'));
  file = join(dir, '.mig', 'state.json');
  store = new FileStateStore(file);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<MigError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  if (err instanceof MigError) return err;
  throw new Error(`expected a MigError, got ${String(err)}`);
}

/** The pid of a process that has already exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

/** Writes a lease as another runner would have left it. */
async function plant(migration: string, lease: Partial<RunnerLease>): Promise<RunnerLease> {
  const full: RunnerLease = {
    id: '11111111-2222-4333-8444-555555555555',
    migration,
    pid: 4242,
    host: 'other-host.example',
    since: new Date(Date.now() - 5_000).toISOString(),
    expiresAt: new Date(Date.now() + 60_000).toISOString(),
    ...lease,
  };
  await mkdir(store.leasesDir, { recursive: true });
  await writeFile(join(store.leasesDir, `${migration}.json`), JSON.stringify(full));
  return full;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for a timer-driven outcome without betting on how busy the machine is. */
async function until(done: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(10);
  }
}

function taken(o: LeaseOutcome): RunnerLease {
  if (!o.held) throw new Error(`expected the lease, held by ${o.holder.id}`);
  return o.lease;
}

describe('FileStateStore runner leases', () => {
  it('takes a free lease, lists it as live, and refuses it to a second taker', async () => {
    const lease = taken(await store.acquireLease('orders', 30_000));
    expect(lease).toMatchObject({ migration: 'orders', pid: process.pid, host: hostname() });
    expect(Date.parse(lease.expiresAt) - Date.parse(lease.since)).toBe(30_000);
    expect(JSON.parse(await readFile(join(store.leasesDir, 'orders.json'), 'utf8'))).toEqual(lease);
    expect(await new FileStateStore(file).leases()).toEqual({ orders: lease });

    expect(await new FileStateStore(file).acquireLease('orders', 30_000)).toEqual({ held: false, holder: lease });
    // Leases are per migration: another one is free.
    expect((await store.acquireLease('customers', 30_000)).held).toBe(true);
    // No claim files are left behind.
    expect((await readdir(store.leasesDir)).sort()).toEqual(['customers.json', 'orders.json']);
  });

  it('refuses a lease a live holder on another host has, whatever its pid', async () => {
    const holder = await plant('orders', { pid: deadPid() });
    expect(await store.acquireLease('orders', 30_000)).toEqual({ held: false, holder });
  });

  it('takes over a lapsed lease and names the previous holder; the old holder can no longer renew', async () => {
    const old = await plant('orders', { expiresAt: new Date(Date.now() - 1).toISOString() });
    expect(await store.leases()).toEqual({});
    const outcome = await store.acquireLease('orders', 30_000);
    expect(outcome).toMatchObject({ held: true, takenOver: old });
    expect(await store.renewLease('orders', old.id, 30_000)).toBe(false);
    expect(await store.leases()).toEqual({ orders: taken(outcome) });
  });

  it('takes over at once from a holder on this host whose process is gone', async () => {
    const old = await plant('orders', { host: hostname(), pid: deadPid() });
    expect(await store.acquireLease('orders', 30_000)).toMatchObject({ held: true, takenOver: old });
  });

  it('renews its own lease, even lapsed while nobody took it, and releases it', async () => {
    const lease = taken(await store.acquireLease('orders', 20));
    await sleep(40);
    expect(await store.renewLease('orders', lease.id, 30_000)).toBe(true);
    const renewed = (await store.leases()).orders;
    expect(Date.parse(renewed?.expiresAt ?? '')).toBeGreaterThan(Date.now() + 20_000);

    await store.releaseLease('orders', 'not-the-id');
    expect(Object.keys(await store.leases())).toEqual(['orders']);
    await store.releaseLease('orders', lease.id);
    expect(await store.leases()).toEqual({});
    expect(await store.renewLease('orders', lease.id, 30_000)).toBe(false);
  });

  it('keeps names that are not plain file names apart', async () => {
    const a = taken(await store.acquireLease('a/b', 30_000));
    const b = taken(await store.acquireLease('..', 30_000));
    expect(await store.leases()).toEqual({ 'a/b': a, '..': b });
  });

  it('lets exactly one of many concurrent takers win', async () => {
    const stores = Array.from({ length: 8 }, () => new FileStateStore(file));
    const outcomes = await Promise.all(stores.map((s) => s.acquireLease('orders', 30_000)));
    expect(outcomes.filter((o) => o.held)).toHaveLength(1);
  });

  it('breaks a claim left by a dead process', async () => {
    await mkdir(store.leasesDir, { recursive: true });
    await writeFile(join(store.leasesDir, 'orders.json.claim'), JSON.stringify({ pid: deadPid(), host: hostname() }));
    expect((await store.acquireLease('orders', 30_000)).held).toBe(true);
  });

  it('refuses a fenced write once the lease was taken over, leaving the state file as it was', async () => {
    const first = await store.write({ ...sampleState(), serial: 0 });
    const lease = taken(await store.acquireLease('orders', 20));
    const fence = [{ migration: 'orders', leaseId: lease.id, leaseMs: 30_000 }];
    const second = await store.write(first, { fence });
    expect(second.serial).toBe(2);
    // The file store only checks the lease on a write; its keeper renews it (see LeaseKeeper below).
    expect((await store.leases()).orders?.id ?? lease.id).toBe(lease.id);

    await plant('orders', { expiresAt: new Date(Date.now() - 1).toISOString() });
    const other = taken(await new FileStateStore(file).acquireLease('orders', 30_000));
    const before = await readFile(file, 'utf8');
    const err = await rejection(store.write(second, { fence }));
    expect(err.code).toBe('lease-lost');
    expect(err.message).toContain(other.id);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('refuses arguments a lease cannot hold', async () => {
    expect((await rejection(store.acquireLease('', 1000))).code).toBe('lease-invalid');
    expect((await rejection(store.acquireLease('orders', 0))).code).toBe('lease-invalid');
  });
});

describe('LeaseKeeper', () => {
  it('renews while held, gives a fence entry, and releases', async () => {
    const keeper = new LeaseKeeper(store, 'orders', 300);
    const outcome = await keeper.acquire();
    expect(outcome.held).toBe(true);
    expect(keeper.held).toBe(true);
    const first = taken(outcome).expiresAt;
    await until(() => keeper.lease?.expiresAt !== first);
    await sleep(400);
    // Renewed every 100 ms, so still live past its first 300 ms.
    expect((await store.leases()).orders?.id).toBe(keeper.lease?.id);
    expect(keeper.fence()).toEqual({ migration: 'orders', leaseId: keeper.lease?.id, leaseMs: 300 });
    await keeper.release();
    expect(keeper.held).toBe(false);
    expect(await store.leases()).toEqual({});
  });

  it('reports the holder when the lease is held elsewhere', async () => {
    const holder = await plant('orders', {});
    const keeper = new LeaseKeeper(store, 'orders', 30_000);
    expect(await keeper.acquire()).toEqual({ held: false, holder });
    expect(keeper.held).toBe(false);
  });

  it('calls onLost when another runner took the lease over', async () => {
    const reasons: string[] = [];
    const keeper = new LeaseKeeper(store, 'orders', 60, (r) => reasons.push(r));
    const lease = taken(await keeper.acquire());
    await plant('orders', {});
    await until(() => reasons.length > 0);
    await sleep(100);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toContain('no longer ours');
    expect(keeper.held).toBe(false);
    // The fence still names the lost lease, so a write under it is refused rather than let through.
    expect(keeper.fence().leaseId).toBe(lease.id);
  });

  it('calls onLost when renewing keeps failing until the lease would have lapsed', async () => {
    let failing = false;
    const flaky: StateStore = {
      location: store.location,
      read: () => store.read(),
      write: (s, o) => store.write(s, o),
      lock: (op) => store.lock(op),
      unlock: (id) => store.unlock(id),
      forceUnlock: (id) => store.forceUnlock(id),
      currentLock: () => store.currentLock(),
      acquireLease: (m, ms) => store.acquireLease(m, ms),
      renewLease: (m, id, ms) => (failing ? Promise.reject(new Error('store unreachable')) : store.renewLease(m, id, ms)),
      releaseLease: (m, id) => store.releaseLease(m, id),
      leases: () => store.leases(),
    };
    const reasons: string[] = [];
    const keeper = new LeaseKeeper(flaky, 'orders', 600, (r) => reasons.push(r));
    // Timed from before the lease was taken: the last good renewal is no earlier than that, and a
    // busy machine may run the acquire's continuation late, which must not make the bound look missed.
    const acquiring = Date.now();
    await keeper.acquire();
    failing = true;
    await until(() => reasons.length > 0);
    // Failed renewals alone are not a loss: only once the whole lease went by without one.
    expect(Date.now() - acquiring).toBeGreaterThanOrEqual(600);
    expect(keeper.held).toBe(false);
    await sleep(300);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toContain('store unreachable');
  });
});
