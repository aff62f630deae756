// The engine's DDL gate: under ignore a statement is taken out, under stop the stream halts before
// it with an error that says where, what and how to go on; DDL naming no migrated table follows spec.ddl.
import { describe, expect, it } from 'vitest';
import { DdlGate } from '../../../src/engine/ddl-gate.js';
import { MigError } from '../../../src/util/errors.js';
import type { ChangeEvent } from '../../../src/model/source-data.js';
import type { DesiredTable } from '../../../src/model/targets.js';
import type { Migration } from '../../../src/spec/schema.js';
import type { DdlPolicy } from '../../../src/spec/schema.js';

function gate(tables: Record<string, DdlPolicy>, specDdl?: DdlPolicy): DdlGate {
  const desired = new Map(Object.entries(tables).map(([id, policy], j) => [id, { id, ddl: { policy, from: `spec.objects[0].tables[${j}].ddl` } } as unknown as DesiredTable]));
  const migration = { metadata: { name: 'shop' }, spec: { ddl: specDdl } } as unknown as Migration;
  return new DdlGate({ migration, desired });
}

const row: ChangeEvent = { kind: 'row', op: 'insert', database: 'shop', table: 'orders', after: { id: '1' }, timestamp: 1, id: 1 };
const ddl = (sql: string, table?: string): ChangeEvent => ({ kind: 'ddl', database: 'shop', table, sql, timestamp: 1, id: 2 });
const where = () => 'binlog mariadb-bin.000003:1234';

describe('DdlGate', () => {
  it('hands rows and replicated DDL on unchanged', () => {
    const events = [row, ddl('ALTER TABLE orders ADD x INT', 'orders')];
    expect(gate({ 'shop.orders': 'replicate' }).pass(events, where)).toBe(events);
  });

  it('takes DDL under ignore out, and counts it', () => {
    const g = gate({ 'shop.orders': 'ignore' });
    expect(g.pass([ddl('ALTER TABLE orders ADD x INT', 'orders')], where)).toEqual([]);
    expect(g.ignored).toBe(1);
  });

  it('stops before DDL under stop, naming the table, the position, the statement and the fix', () => {
    const r = gate({ 'shop.orders': 'stop' }).pass([ddl('ALTER TABLE orders ADD x INT', 'orders')], where);
    expect(r).toBeInstanceOf(MigError);
    const e = r as MigError;
    expect(e.code).toBe('ddl-stop');
    expect(e.message).toBe('shop: the stream stopped before a DDL statement on table shop.orders, as ddl: stop (spec.objects[0].tables[0].ddl) asks, at binlog mariadb-bin.000003:1234; nothing after it was written and the checkpoint stays before it. The statement: ALTER TABLE orders ADD x INT');
    expect(e.hint).toBe('apply the change at the destination yourself, then set spec.objects[0].tables[0].ddl: ignore (or replicate, to have mig apply it) and run mig apply: the stream resumes at this statement');
  });

  it('DDL naming no migrated table follows spec.ddl', () => {
    expect(gate({ 'shop.orders': 'replicate' }, 'ignore').pass([ddl('CREATE TABLE other (id INT)', 'other'), ddl('DROP DATABASE shop')], where)).toEqual([]);
    const stop = gate({ 'shop.orders': 'replicate' }, 'stop').pass([ddl('DROP DATABASE shop')], where) as MigError;
    expect(stop.message).toContain('on database shop (no migrated table named)');
    expect(stop.hint).toContain('set spec.ddl: ignore');
    expect(gate({ 'shop.orders': 'ignore' }).pass([ddl('CREATE TABLE other (id INT)', 'other')], where)).toHaveLength(1);
  });

  it("reads the table from the statement when the event has none (a TiDB feed's DDL)", () => {
    expect(gate({ 'shop.orders': 'stop' }).pass([ddl('ALTER TABLE `orders` ADD x INT')], where)).toBeInstanceOf(MigError);
    expect(gate({ 'shop.orders': 'ignore' }).pass([ddl('ALTER TABLE shop.orders ADD x INT')], where)).toEqual([]);
  });

  it('an online schema change whose ALTER was not seen stops under replicate, passes under ignore', () => {
    const swap: ChangeEvent = { kind: 'ddl', database: 'shop', table: 'orders', sql: 'RENAME TABLE `shop`.`orders` TO `shop`.`_orders_old`, `shop`.`_orders_new` TO `shop`.`orders`', timestamp: 1, id: 3, onlineSchemaChange: { tool: 'pt-online-schema-change', alterSeen: false } };
    const e = gate({ 'shop.orders': 'replicate' }).pass([swap], where) as MigError;
    expect(e.code).toBe('osc-alter-unseen');
    expect(e.message).toContain('pt-online-schema-change swapped a changed copy of shop.orders in at binlog mariadb-bin.000003:1234, but the ALTER it ran on its helper table came before where this stream started');
    expect(e.hint).toContain('make the same change at the destination yourself, then set spec.objects[0].tables[0].ddl: ignore');
    expect(gate({ 'shop.orders': 'ignore' }).pass([swap], where)).toEqual([]);
    const seen = { ...swap, sql: 'ALTER TABLE `shop`.`orders` ADD x INT', onlineSchemaChange: { tool: 'gh-ost' as const, alterSeen: true } };
    expect(gate({ 'shop.orders': 'replicate' }).pass([seen], where)).toEqual([seen]);
  });
});
