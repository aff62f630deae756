import { describe, expect, it } from 'vitest';
import { Limiter, TokenBucket, changeCost, rowBytes, rowsCost, type Clock } from '../../../src/engine/throttle.js';

/** A clock that moves only when slept on (or told to), recording each sleep. */
function fakeClock(): Clock & { t: number; slept: number[] } {
  const c = {
    t: 0,
    slept: [] as number[],
    now: () => c.t,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) return;
      c.slept.push(ms);
      c.t += ms;
    },
  };
  return c;
}

describe('TokenBucket', () => {
  it('starts empty and fills at its rate up to one second worth', () => {
    const clock = fakeClock();
    const b = new TokenBucket(100, clock);
    b.charge(10);
    expect(b.delayMs()).toBe(100);
    clock.t += 100;
    expect(b.delayMs()).toBe(0);
    clock.t += 60_000; // a long idle stretch earns at most one second's worth
    b.charge(100);
    expect(b.delayMs()).toBe(0);
    b.charge(50);
    expect(b.delayMs()).toBe(500);
  });

  it('lets a charge bigger than the burst go into debt instead of refusing it', () => {
    const clock = fakeClock();
    const b = new TokenBucket(10, clock);
    b.charge(1000);
    expect(b.delayMs()).toBe(100_000);
  });
});

describe('Limiter', () => {
  it('holds rows per second over many batches', async () => {
    const clock = fakeClock();
    const l = new Limiter({ rowsPerSecond: 5000 }, clock);
    for (let i = 0; i < 100; i++) await l.take({ rows: 500 });
    // 50 000 rows at 5000/s: 10 s, the first batch paid for like every other (the bucket starts empty).
    expect(clock.t).toBe(10_000);
  });

  it('waits for the slower of rows and megabytes (10^6 bytes)', async () => {
    const clock = fakeClock();
    const l = new Limiter({ rowsPerSecond: 1_000_000, mbPerSecond: 2 }, clock);
    for (let i = 0; i < 20; i++) await l.take({ rows: 100, bytes: 1_000_000 });
    expect(clock.t).toBe(10_000);
  });

  it('does not wait without limits, and does not count the cost', async () => {
    const clock = fakeClock();
    const l = new Limiter({}, clock);
    expect(l.limited).toBe(false);
    await l.take({ rows: 1e9, bytes: 1e12 });
    expect(clock.t).toBe(0);
    expect(l.delayMs()).toBe(0);
  });

  it('returns at once when the run is stopped', async () => {
    const clock = fakeClock();
    const l = new Limiter({ rowsPerSecond: 1 }, clock);
    const stop = new AbortController();
    stop.abort();
    await l.take({ rows: 3600 }, stop.signal);
    expect(clock.slept).toEqual([]);
  });

  it('ends a wait under way when the signal fires', async () => {
    const l = new Limiter({ rowsPerSecond: 1 });
    const stop = new AbortController();
    const started = Date.now();
    const waiting = l.take({ rows: 3600 }, stop.signal);
    setTimeout(() => stop.abort(), 20);
    await waiting;
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('size estimate', () => {
  it('sums the value lengths of rows and both images of a change', () => {
    expect(rowBytes({ a: 'abc', b: null, c: Buffer.alloc(10) })).toBe(13);
    expect(rowsCost([{ a: 'xy' }, { a: 'z' }])).toEqual({ rows: 2, bytes: 3 });
    const cost = changeCost([
      { kind: 'row', op: 'update', database: 'd', table: 't', before: { a: '1' }, after: { a: '22' }, timestamp: 0, id: 1 },
      { kind: 'ddl', database: 'd', table: 't', sql: 'ALTER TABLE t ADD c INT', timestamp: 0, id: 2 },
    ]);
    expect(cost).toEqual({ rows: 1, bytes: 3 });
  });
});
