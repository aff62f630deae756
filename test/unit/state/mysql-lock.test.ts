// The lease's renewal timer, against a stand-in for the database: it must never keep the process
// alive (unref), must renew on schedule, and must stop when the lock is released or lost.
import type { Pool } from 'mysql2/promise';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MysqlLease } from '../../../src/state/mysql-lock.js';

interface Call {
  sql: string;
  params: unknown[];
}

/** Answers the lease's queries: an unlocked row, then whatever `renewRows` says for renewals. */
function fakePool(renewRows: () => number): { pool: Pool; calls: Call[] } {
  const calls: Call[] = [];
  const query = async (sql: string, params: unknown[] = []) => {
    calls.push({ sql, params });
    if (sql.includes('FOR UPDATE')) return [[{ lock_id: null, pid: null, host: null, time: null, operation: null, lease_until: null, live: null }]];
    if (sql.startsWith('SELECT DATE_FORMAT')) return [[{ time: '2024-05-01T10:00:00.123456Z' }]];
    if (sql.includes('SET lease_until')) return [{ affectedRows: renewRows() }];
    return [{ affectedRows: 1 }];
  };
  const conn = { query, beginTransaction: async () => {}, commit: async () => {}, rollback: async () => {}, release: () => {} };
  return { pool: { query, getConnection: async () => conn } as unknown as Pool, calls };
}

const settings = { table: '`mig_state_lock`', name: 'default', location: 'test', leaseMs: 60_000, renewMs: 20_000 };
const renewals = (calls: Call[]) => calls.filter((c) => c.sql.includes('SET lease_until')).length;

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('MysqlLease renewal', () => {
  it('renews every renewMs on an unref()ed timer and stops on release', async () => {
    vi.useFakeTimers();
    const timers: NodeJS.Timeout[] = [];
    const realSetInterval = globalThis.setInterval;
    vi.spyOn(globalThis, 'setInterval').mockImplementation(((fn: () => void, ms: number) => {
      const t = realSetInterval(fn, ms);
      timers.push(t);
      return t;
    }) as typeof setInterval);
    const { pool, calls } = fakePool(() => 1);
    const lease = new MysqlLease(pool, settings);
    const lock = await lease.acquire('apply');
    expect(lock.time).toBe('2024-05-01T10:00:00.123Z');
    expect(calls.find((c) => c.sql.includes('SET lock_id = ?'))?.params).toContain(60_000_000);
    expect(timers).toHaveLength(1);
    expect(timers[0].hasRef()).toBe(false);

    await vi.advanceTimersByTimeAsync(60_000);
    expect(renewals(calls)).toBe(3);

    await lease.release(lock.id);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(renewals(calls)).toBe(3);
  });

  it('stops renewing once a renewal finds the lock taken, and refuses to fence', async () => {
    vi.useFakeTimers();
    let taken = false;
    const { pool, calls } = fakePool(() => (taken ? 0 : 1));
    const lease = new MysqlLease(pool, settings);
    await lease.acquire('apply');
    taken = true;
    await vi.advanceTimersByTimeAsync(20_000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(renewals(calls)).toBe(1);
    const conn = await pool.getConnection();
    await expect(lease.fence(conn)).rejects.toMatchObject({ code: 'lock-lost' });
  });

  it('fences nothing when it holds no lock', async () => {
    const { pool, calls } = fakePool(() => 0);
    await new MysqlLease(pool, settings).fence(await pool.getConnection());
    expect(calls).toEqual([]);
  });
});
