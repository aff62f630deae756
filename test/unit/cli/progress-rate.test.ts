import { describe, expect, it } from 'vitest';
import { RateMeter, etaSeconds, percentOf } from '../../../src/cli/views/progress-rate.js';

describe('RateMeter', () => {
  it('measures a steady count per second', () => {
    const m = new RateMeter();
    expect(m.perSecond()).toBeNull();
    m.add(0, 0);
    expect(m.perSecond()).toBeNull();
    m.add(1000, 18_900);
    expect(m.perSecond()).toBe(18_900);
    m.add(2000, 37_800);
    expect(m.perSecond()).toBe(18_900);
  });

  it('needs readings about a second apart before it reports a rate', () => {
    const m = new RateMeter();
    m.add(0, 0);
    m.add(300, 5000);
    expect(m.perSecond()).toBeNull();
  });

  it('follows a change of pace within its window', () => {
    const m = new RateMeter(5000);
    for (let s = 0; s <= 10; s++) m.add(s * 1000, s * 1000);
    expect(m.perSecond()).toBe(1000);
    for (let s = 11; s <= 20; s++) m.add(s * 1000, 10_000 + (s - 10) * 100);
    // Only the last 5 s count: 100 rows/s, the faster start forgotten.
    expect(m.perSecond()).toBe(100);
  });

  it('smooths a pause (a throttle wait, a slow chunk) over the window', () => {
    const m = new RateMeter(10_000);
    m.add(0, 0);
    m.add(1000, 5000);
    m.add(2000, 5000);
    m.add(3000, 5000);
    m.add(4000, 20_000);
    expect(m.perSecond()).toBe(5000);
  });

  it('starts over when the count goes back (a table copied again)', () => {
    const m = new RateMeter();
    m.add(0, 0);
    m.add(1000, 50_000);
    m.add(2000, 0);
    expect(m.perSecond()).toBeNull();
    m.add(3000, 1000);
    expect(m.perSecond()).toBe(1000);
  });
});

describe('etaSeconds and percentOf', () => {
  it('gives the seconds left at the measured rate, rounded up', () => {
    expect(etaSeconds(212_000, 497_586, 18_900)).toBe(16);
    expect(etaSeconds(0, 100, 30)).toBe(4);
  });

  it('is unknown without an estimate or a rate, and 0 past an estimate that ran short', () => {
    expect(etaSeconds(10, null, 5)).toBeNull();
    expect(etaSeconds(10, 100, null)).toBeNull();
    expect(etaSeconds(10, 100, 0)).toBeNull();
    expect(etaSeconds(600, 500, 100)).toBe(0);
  });

  it('percent is rounded, stops at 99 until done, unknown without an estimate', () => {
    expect(percentOf(212_000, 497_586)).toBe(43);
    expect(percentOf(4, 1000)).toBe(0);
    expect(percentOf(500, 500)).toBe(99);
    expect(percentOf(700, 500)).toBe(99);
    expect(percentOf(5, null)).toBeNull();
    expect(percentOf(5, 0)).toBeNull();
  });
});
