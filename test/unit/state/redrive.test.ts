// mig redrive in the state: a request taken up as per-table key lists (distinct keys, keyless
// changes left out, earlier requests kept), and changes marked re-driven by key.
import { describe, expect, it } from 'vitest';
import type { MigrationState, SkippedRow } from '../../../src/state/model.js';
import { markRedriven, takeUpRedrive, waitingRows } from '../../../src/state/redrive.js';

const row = (table: string, keyValues: SkippedRow['keyValues'], extra: Partial<SkippedRow> = {}): SkippedRow => ({
  table, key: keyValues ? JSON.stringify(keyValues) : null, keyValues, bytes: 0, at: '2026-12-06T05:00:00.000Z', phase: 'incremental', outcome: 'dead-letter', ...extra,
});

function state(rows: SkippedRow[]): MigrationState {
  const ts = (id: string) => ({ id, target: id, phase: 'incremental', rowsCopied: 0 }) as unknown as MigrationState['tables'][string];
  return { name: 'm', tables: { 'db.a': ts('db.a'), 'db.b': ts('db.b') }, topics: {}, skippedRows: rows } as unknown as MigrationState;
}

describe('redrive state', () => {
  it('takes a request up as distinct keys per table, leaving keyless and re-driven changes out', () => {
    const ms = state([
      row('db.a', ['1']), row('db.a', ['1']), row('db.a', [{ base64: 'AAE=' }]), row('db.b', ['7', null]),
      row('db.b', undefined), row('db.a', ['9'], { redrivenAt: '2026-12-06T05:01:00.000Z' }),
    ]);
    expect(waitingRows(ms)).toHaveLength(5);
    takeUpRedrive(ms, { requestedAt: '2026-12-06T05:02:00.000Z' });
    expect(ms.tables['db.a']!.redrive).toEqual({ requestedAt: '2026-12-06T05:02:00.000Z', keys: [['1'], [{ base64: 'AAE=' }]] });
    expect(ms.tables['db.b']!.redrive!.keys).toEqual([['7', null]]);
  });

  it('a request for one table touches only it, and keeps keys an earlier request still holds', () => {
    const ms = state([row('db.a', ['1']), row('db.b', ['2'])]);
    ms.tables['db.a']!.redrive = { requestedAt: '2026-12-06T04:00:00.000Z', keys: [['5']] };
    takeUpRedrive(ms, { requestedAt: '2026-12-06T05:00:00.000Z', table: 'db.a' });
    expect(ms.tables['db.a']!.redrive!.keys).toEqual([['5'], ['1']]);
    expect(ms.tables['db.b']!.redrive).toBeUndefined();
  });

  it('marks every waiting change of a re-driven key, and only those', () => {
    const ms = state([row('db.a', ['1']), row('db.a', ['1'], { op: 'update' }), row('db.a', ['2']), row('db.b', ['1'])]);
    expect(markRedriven(ms, 'db.a', [['1']], '2026-12-06T05:03:00.000Z')).toBe(2);
    expect(ms.skippedRows!.map((r) => r.redrivenAt ?? '-')).toEqual(['2026-12-06T05:03:00.000Z', '2026-12-06T05:03:00.000Z', '-', '-']);
    expect(waitingRows(ms, 'db.a')).toHaveLength(1);
  });
});
