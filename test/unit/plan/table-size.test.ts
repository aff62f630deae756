// [long-running] only above a size: the source's row estimate against LONG_RUNNING_ROWS, with a time
// when earlier full loads recorded in the state show a rate; counts with thousands separators.
import { describe, expect, it } from 'vitest';
import { LONG_RUNNING_ROWS, copyRisks, loadRate } from '../../../src/plan/table-size.js';
import { renderPlanHuman } from '../../../src/cli/views/plan-human.js';
import type { DesiredTable } from '../../../src/model/targets.js';
import type { State } from '../../../src/state/model.js';
import { applied, empty, plan, spec } from '../views/plan-fixtures.js';
import type { LiveView } from '../../../src/plan/build.js';
import type { TableInfo } from '../../../src/model/source-data.js';

const table = (estimatedRows: number | undefined): DesiredTable => ({
  id: 'shop.orders', database: 'shop', table: 'orders', target: 'shop.orders', settings: { name: 'orders' }, operations: ['insert'], ddl: { policy: 'ignore', from: 'spec.objects[0].tables[0].operations' }, snapshotDigest: 'd',
  ...(estimatedRows === undefined ? {} : { live: { key: ['id'], keyKind: 'primary' as const, estimatedRows, columns: 3 } }),
});

const col = (name: string) => ({ name, dataType: 'int', columnType: 'int(11)', unsigned: false, nullable: false, binary: false });
function live(rows: Record<string, number>): LiveView {
  const info = (t: string): TableInfo => ({ database: 'shop', table: t, columns: [col('id')], primaryKey: ['id'], chunkKey: ['id'], keyKind: 'primary', estimatedRows: rows[t] ?? 0 });
  return { source: { ok: true, databases: new Set(['shop']), tables: new Map(Object.keys(rows).map((t) => [`shop.${t}`, info(t)])) }, topics: { ok: true, topics: new Map() } };
}

/** A state whose migration `name` copied `rows` rows of one table in `seconds`. */
function loadedIn(name: string, rows: number, seconds: number, extra: Partial<State['migrations'][string]['tables'][string]> = {}): State {
  const st = applied(spec(() => {}, name));
  const t = st.migrations[name]!.tables['shop.orders']!;
  Object.assign(t, { rowsCopied: rows, fullStartedAt: '2026-01-01T00:00:00.000Z', fullDoneAt: new Date(Date.parse('2026-01-01T00:00:00.000Z') + seconds * 1000).toISOString(), ...extra });
  return st;
}

describe('the long-running threshold', () => {
  it(`labels a copy of ${LONG_RUNNING_ROWS} rows or more, not one below`, () => {
    expect(LONG_RUNNING_ROWS).toBe(100_000);
    expect(copyRisks(table(99_999), undefined)).toEqual({ risks: [], estimate: { rows: 99_999 } });
    expect(copyRisks(table(100_000), undefined)).toEqual({ risks: ['long-running'], estimate: { rows: 100_000 } });
    expect(copyRisks(table(12), undefined, ['re-snapshot'])).toEqual({ risks: ['re-snapshot'], estimate: { rows: 12 } });
  });

  it('keeps the label when the size is unknown (offline, source not read)', () => {
    expect(copyRisks(table(undefined), undefined)).toEqual({ risks: ['long-running'] });
  });

  it('counts only the rows a resume has left to copy', () => {
    expect(copyRisks(table(150_000), undefined, [], 60_000)).toEqual({ risks: [], estimate: { rows: 90_000 } });
  });

  it('a 12-row table is not long-running, a 497,586-row one is, with its rows', () => {
    const text = renderPlanHuman(plan([spec()], empty, live({ orders: 497_586, customers: 12 })));
    expect(text).toContain('+ table shop.orders → topic shop.orders  [long-running: ~497,586 rows]\n        new table (~497,586 rows, 1 column, primary key id, filter status <> \'draft\', DDL replicate)');
    expect(text).toContain('+ table shop.customers → topic shop\n        new table (~12 rows,');
  });
});

describe('the time estimate', () => {
  it("comes from the rate of the migration's own earlier full loads", () => {
    expect(loadRate(loadedIn('shop-to-kafka', 500_000, 10), spec())).toBe(50_000);
  });

  it('else from other migrations to the same kind of destination', () => {
    expect(loadRate(loadedIn('crm', 200_000, 20), spec())).toBe(10_000);
    const tablestore = loadedIn('crm', 200_000, 20);
    (tablestore.migrations.crm!.spec.spec.destination as { type: string }).type = 'tablestore';
    expect(loadRate(tablestore, spec())).toBeUndefined();
  });

  it('is not taken from small loads or from loads that resumed (their start time counts the pause)', () => {
    expect(loadRate(loadedIn('shop-to-kafka', 9_999, 1), spec())).toBeUndefined();
    expect(loadRate(loadedIn('shop-to-kafka', 500_000, 10, { rowsReread: 5000 }), spec())).toBeUndefined();
    expect(loadRate(empty, spec())).toBeUndefined();
  });

  it('is shown beside the label', () => {
    const st = loadedIn('crm', 500_000, 10);
    const text = renderPlanHuman(plan([spec()], st, live({ orders: 497_586, customers: 12 })));
    expect(text).toContain('[long-running: ~497,586 rows, about 10 s at 50,000 rows/s seen here]');
    const c = plan([spec()], st, live({ orders: 2_400_000, customers: 12 })).migrations.find((m) => m.name === 'shop-to-kafka')!.changes.find((x) => x.kind === 'table' && x.table === 'shop.orders');
    expect(c).toMatchObject({ estimate: { rows: 2_400_000, seconds: 48, rowsPerSecond: 50_000 } });
    expect(renderPlanHuman(plan([spec()], st, live({ orders: 2_400_000, customers: 12 })))).toContain('[long-running: ~2,400,000 rows, about 48 s at 50,000 rows/s seen here]');
  });
});
