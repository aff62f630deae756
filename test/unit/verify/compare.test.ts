import { describe, expect, it } from 'vitest';
import { Comparison, compareRows, differingColumns } from '../../../src/verify/compare.js';
import { exitCodeOf, type VerifyReport } from '../../../src/verify/report.js';

const row = (key: string | null, values: Record<string, string | null>) => ({ key, values });

describe('verify row comparison', () => {
  it('names missing, extra and differing keys, with the columns that differ', () => {
    const t = compareRows(
      [row('[1]', { id: '1', v: 'a' }), row('[2]', { id: '2', v: 'b' }), row('[3]', { id: '3', v: null })],
      [row('[1]', { id: '1', v: 'a' }), row('[3]', { id: '3', v: '' }), row('[4]', { id: '4', v: 'd' })],
      10,
    );
    expect(t).toMatchObject({ missing: 1, extra: 1, differing: 1 });
    expect(t.differences).toEqual([{ kind: 'missing', key: '[2]' }, { kind: 'differing', key: '[3]', columns: ['v'] }, { kind: 'extra', key: '[4]' }]);
  });

  it('tells NULL from an empty string and a column one side lacks', () => {
    expect(differingColumns({ a: null }, { a: '' })).toEqual(['a']);
    expect(differingColumns({ a: '1', full_name: 'x' }, { a: '1', name: 'x' })).toEqual(['full_name', 'name']);
  });

  it('compares keyless tables as multisets: a duplicate row is one extra', () => {
    const t = compareRows([row(null, { n: '1' }), row(null, { n: '2' })], [row(null, { n: '1' }), row(null, { n: '1' }), row(null, { n: '2' })], 10);
    expect(t).toMatchObject({ missing: 0, extra: 1, differing: 0, differences: [{ kind: 'extra', key: null, row: { n: '1' } }] });
  });

  it('partitions read one after another: a key keeps its latest change by order, removals included', () => {
    const c = new Comparison(10);
    // Partition 1 first: key [2] (was [1]) updated at 30, [3] updated at 20.
    c.remove('[1]', undefined, 30);
    c.put(row('[2]', { id: '2', v: 'moved' }), 30);
    c.put(row('[3]', { id: '3', v: 'new' }), 20);
    // Then partition 0: the full load's [1] and an older [3].
    c.put(row('[1]', { id: '1', v: 'moved' }), 0);
    c.put(row('[3]', { id: '3', v: 'old' }), 10);
    c.expected(row('[2]', { id: '2', v: 'moved' }));
    c.expected(row('[3]', { id: '3', v: 'new' }));
    expect(c.finish()).toMatchObject({ missing: 0, extra: 0, differing: 0 });
    // Without orders, reading order decides: the full load's [1] would come back as extra.
    const plain = new Comparison(10);
    plain.remove('[1]');
    plain.put(row('[1]', { id: '1', v: 'moved' }));
    expect(plain.finish()).toMatchObject({ extra: 1 });
  });

  it('keeps the last state of a key and forgets deleted ones (a topic read in order)', () => {
    const c = new Comparison(10);
    c.actual(row('[1]', { v: 'old' }));
    c.actual(row('[1]', { v: 'new' }));
    c.actual(row('[2]', { v: 'x' }));
    c.removeActual('[2]');
    expect(c.actualRows).toBe(1);
    c.expected(row('[1]', { v: 'new' }));
    expect(c.finish()).toMatchObject({ missing: 0, extra: 0, differing: 0 });
  });

  it('counts every difference but lists only the first ones', () => {
    const expected = Array.from({ length: 50 }, (_, i) => row(`[${i}]`, { v: '1' }));
    const t = compareRows(expected, [], 5);
    expect(t.missing).toBe(50);
    expect(t.differences).toHaveLength(5);
  });

  it('exit codes: 0 equal, 3 differences, 1 when a table could not be verified', () => {
    const table = (status: 'equal' | 'different' | 'error') => ({ table: 't', target: 't', status, method: 'checksum' as const, sourceRows: 0, destinationRows: 0, missing: 0, extra: 0, differing: 0, sample: [], notes: [] });
    const report = (...s: ('equal' | 'different' | 'error')[]): VerifyReport => ({ equal: false, seconds: 0, migrations: [{ migration: 'm', destination: 'MySQL', notes: [], tables: s.map(table) }] });
    expect(exitCodeOf(report('equal', 'equal'))).toBe(0);
    expect(exitCodeOf(report('equal', 'different'))).toBe(3);
    expect(exitCodeOf(report('different', 'error'))).toBe(1);
  });
});
