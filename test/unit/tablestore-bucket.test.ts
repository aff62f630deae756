import { describe, expect, it } from 'vitest';
import { bucketOf, keyHash } from '../../src/connectors/sinks/tablestore/bucket.js';

describe('bucketOf', () => {
  it('is stable: fixed values for fixed keys (changing the hash changes these)', () => {
    expect(keyHash('')).toBe(keyHash(''));
    const pinned = ['orders\u0000id=1', 'orders\u0000id=2', 'users\u0000email="a@b.c"'].map((k) => keyHash(k));
    expect(pinned).toEqual(['orders\u0000id=1', 'orders\u0000id=2', 'users\u0000email="a@b.c"'].map((k) => keyHash(k)));
    expect(pinned).toMatchInlineSnapshot(`
      [
        3038897350,
        3356014515,
        3203449464,
      ]
    `);
    for (let i = 0; i < 100; i++) expect(bucketOf(`t\u0000id=${i}`, 7)).toBe(bucketOf(`t\u0000id=${i}`, 7));
  });

  it('spreads consecutive keys evenly over small and large bucket counts', () => {
    for (const buckets of [2, 4, 7, 16, 64]) {
      const counts = new Array<number>(buckets).fill(0);
      const n = 20_000;
      for (let i = 0; i < n; i++) counts[bucketOf(`orders\u0000id=${i}`, buckets)]!++;
      const expected = n / buckets;
      // Within four standard deviations of a uniform spread (binomial, ≈ sqrt(expected)).
      for (const c of counts) expect(Math.abs(c - expected)).toBeLessThan(4 * Math.sqrt(expected));
    }
  });

  it('one bucket takes everything; bad counts are refused', () => {
    expect(bucketOf('x', 1)).toBe(0);
    expect(() => bucketOf('x', 0)).toThrow(RangeError);
    expect(() => bucketOf('x', 1.5)).toThrow(RangeError);
  });
});
