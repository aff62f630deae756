// Runner leases of the MySQL state backend against the real MariaDB: stores on separate pools see
// each other's leases, a lapsed lease is taken over on the server's clock, and a fenced write from
// the runner that lost its lease is refused inside the write's transaction, changing nothing.
import type { Connection } from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MysqlStateStore } from '../../../src/state/mysql-store.js';
import type { LeaseOutcome, RunnerLease } from '../../../src/state/store.js';
import { MigError } from '../../../src/util/errors.js';
import { sampleState } from '../../unit/state/sample-state.js';
import { MYSQL_PORT, rootConnection, uniqueName } from '../helpers/env.js';

const DB = uniqueName('mig_lease_it');
const URL = `mysql://root@127.0.0.1:${MYSQL_PORT}/${DB}`;

let admin: Connection;
const stores: MysqlStateStore[] = [];

/** Each store has a pool (one connection) of its own, as two runners on two machines would. */
function store(name: string): MysqlStateStore {
  const s = MysqlStateStore.fromUrl(`${URL}?name=${encodeURIComponent(name)}`, 'test');
  stores.push(s);
  return s;
}

async function failure(p: Promise<unknown>): Promise<MigError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(MigError);
  return err as MigError;
}

function taken(o: LeaseOutcome): RunnerLease {
  if (!o.held) throw new Error(`expected the lease, held by ${o.holder.id}`);
  return o.lease;
}

async function leaseRow(name: string): Promise<{ lock_id: string | null; lease_until: string | null } | undefined> {
  const [rows] = await admin.query(`SELECT lock_id, lease_until FROM \`${DB}\`.mig_state_lock WHERE name = ?`, [name]);
  return (rows as { lock_id: string | null; lease_until: string | null }[])[0];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  admin = await rootConnection();
  await admin.query(`CREATE DATABASE \`${DB}\``);
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});
afterAll(async () => {
  await admin.query(`DROP DATABASE IF EXISTS \`${DB}\``);
  await admin.end();
});

describe('MysqlStateStore runner leases', () => {
  it('shares leases between stores on separate pools, one row per migration, apart from the state lock', async () => {
    const a = store('shared');
    const b = store('shared');
    const orders = taken(await a.acquireLease('orders', 30_000));
    expect(orders).toMatchObject({ migration: 'orders', pid: process.pid });
    // Times come from the server's clock.
    const [[now]] = (await admin.query('SELECT UTC_TIMESTAMP(3) AS t')) as unknown as [{ t: string }[]];
    expect(Math.abs(Date.parse(orders.since) - Date.parse(`${now?.t.replace(' ', 'T')}Z`))).toBeLessThan(2_000);
    expect(Date.parse(orders.expiresAt) - Date.parse(orders.since)).toBe(30_000);

    expect(await b.acquireLease('orders', 30_000)).toEqual({ held: false, holder: orders });
    const customers = taken(await b.acquireLease('customers', 30_000));
    expect(await a.leases()).toEqual({ customers, orders });
    expect((await leaseRow('shared#run:orders'))?.lock_id).toBe(orders.id);
    // Another state in the same table has leases of its own.
    expect(await store('elsewhere').leases()).toEqual({});
    expect((await store('elsewhere').acquireLease('orders', 30_000)).held).toBe(true);

    // The state lock is a row of its own, untouched by the leases.
    const lock = await b.lock('apply');
    expect(await a.currentLock()).toMatchObject({ id: lock.id });
    await b.unlock(lock.id);

    await a.releaseLease('orders', customers.id);
    expect(Object.keys(await b.leases())).toEqual(['customers', 'orders']);
    await a.releaseLease('orders', orders.id);
    expect(await b.leases()).toEqual({ customers });
    expect(taken(await b.acquireLease('orders', 30_000))).not.toHaveProperty('takenOver');
  });

  it('lets exactly one of many concurrent takers win', async () => {
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => store('many').acquireLease('orders', 30_000)));
    expect(outcomes.filter((o) => o.held)).toHaveLength(1);
  });

  it('takes over a lapsed lease, names the previous holder, and the old holder can no longer renew', async () => {
    const first = store('lapse');
    const second = store('lapse');
    const old = taken(await first.acquireLease('orders', 800));
    expect((await second.acquireLease('orders', 30_000)).held).toBe(false);
    // Lapsed but not taken over yet: still the holder's, and renewable.
    await sleep(1_000);
    expect(await second.leases()).toEqual({});
    expect(await first.renewLease('orders', old.id, 800)).toBe(true);
    expect((await second.acquireLease('orders', 30_000)).held).toBe(false);

    await sleep(1_000);
    const outcome = await second.acquireLease('orders', 30_000);
    expect(outcome).toMatchObject({ held: true, takenOver: { id: old.id, migration: 'orders' } });
    expect(await first.renewLease('orders', old.id, 30_000)).toBe(false);
    await first.releaseLease('orders', old.id);
    expect((await second.leases()).orders?.id).toBe(taken(outcome).id);
  });

  it('renews fenced leases in a write, and refuses a fenced write after a takeover leaving every row unchanged', async () => {
    const first = store('fenced');
    const second = store('fenced');
    const base = await first.write({ ...sampleState(), serial: 0 });
    const mine = taken(await first.acquireLease('orders', 800));
    const fence = [{ migration: 'orders', leaseId: mine.id, leaseMs: 800 }];
    const before = await leaseRow('fenced#run:orders');
    await sleep(50);
    const written = await first.write(base, { fence });
    expect(written.serial).toBe(base.serial + 1);
    expect(String((await leaseRow('fenced#run:orders'))?.lease_until) > String(before?.lease_until)).toBe(true);

    await sleep(1_000);
    const theirs = taken(await second.acquireLease('orders', 30_000));
    const [stateBefore] = await admin.query(`SELECT * FROM \`${DB}\`.mig_state WHERE name = 'fenced'`);
    expect(stateBefore).toHaveLength(1);
    const leaseBefore = await leaseRow('fenced#run:orders');
    const err = await failure(first.write(written, { fence }));
    expect(err.code).toBe('lease-lost');
    expect(err.message).toContain(theirs.id);
    expect((await admin.query(`SELECT * FROM \`${DB}\`.mig_state WHERE name = 'fenced'`))[0]).toEqual(stateBefore);
    expect(await leaseRow('fenced#run:orders')).toEqual(leaseBefore);
    expect((await second.write(written, { fence: [{ migration: 'orders', leaseId: theirs.id, leaseMs: 30_000 }] })).serial).toBe(written.serial + 1);
  });

  it('keeps the lease rows of a state whose name is too long for the plain row name, by its digest', async () => {
    const long = 's'.repeat(190);
    const a = store(long);
    const lease = taken(await a.acquireLease('orders', 30_000));
    expect(await store(long).leases()).toEqual({ orders: lease });
    expect(await store('s'.repeat(189)).leases()).toEqual({});
    const [rows] = await admin.query(`SELECT name FROM \`${DB}\`.mig_state_lock WHERE lock_id = ?`, [lease.id]);
    expect((rows as { name: string }[])[0]?.name).toMatch(/^#run:[0-9a-f]{32}:orders$/);
  });

  it('refuses a state name that could be mistaken for a lease row', () => {
    expect(() => store('a#run:b')).toThrow(/may not contain #run:/);
  });
});
