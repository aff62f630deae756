import { describe, expect, it } from 'vitest';
import { mergedTargets, tableMapping } from '../../src/connectors/sinks/tablestore/mapping.js';
import type { TableSpec } from '../../src/spec/schema.js';
import { MigError } from '../../src/util/errors.js';
import { col, table } from './tablestore-helpers.js';

const dest = { writeMode: 'update' as const, mergeColumn: '__dts_data_source' };
const orders = table('orders', [col('id', 'bigint(20)', false), col('code', 'varchar(20)'), col('total', 'decimal(10,2)'), col('note', 'text'), col('at', 'datetime')], ['id']);
const spec = (s: Partial<TableSpec>): TableSpec => ({ name: 'orders', ...s }) as TableSpec;

function mappingError(fn: () => unknown): MigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof MigError) return e;
    throw e;
  }
  throw new Error('expected a MigError');
}

describe('tableMapping', () => {
  it('defaults: source name, source key, every other column with its default type', () => {
    const m = tableMapping({ info: orders, destination: dest });
    expect(m.table).toBe('orders');
    expect(m.primaryKey.map((k) => [k.name, k.type])).toEqual([['id', 'INTEGER']]);
    expect(m.attributes.map((a) => [a.name, a.type])).toEqual([
      ['code', 'STRING'],
      ['total', 'STRING'],
      ['note', 'STRING'],
      ['at', 'STRING'],
    ]);
    expect(m.merge).toBeUndefined();
    expect(m.writeMode).toBe('update');
  });

  it('target, primaryKey with types, columnTypes, rename, include', () => {
    const m = tableMapping({
      info: orders,
      spec: spec({
        target: 'orders_v2',
        primaryKey: [{ column: 'code' }, { column: 'at', type: 'STRING' }],
        columnTypes: { total: 'DOUBLE' },
        rename: { total: 'amount', code: 'order_code' },
        columns: { include: ['total'] },
      }),
      destination: { ...dest, writeMode: 'overwrite' },
    });
    expect(m.table).toBe('orders_v2');
    expect(m.primaryKey.map((k) => [k.name, k.type, k.source?.name])).toEqual([
      ['order_code', 'STRING', 'code'],
      ['at', 'STRING', 'at'],
    ]);
    expect(m.attributes.map((a) => [a.name, a.type])).toEqual([['amount', 'DOUBLE']]);
    expect(m.writeMode).toBe('overwrite');
  });

  it('exclude drops columns but never a key column', () => {
    const m = tableMapping({ info: orders, spec: spec({ columns: { exclude: ['note'] } }), destination: dest });
    expect(m.attributes.map((a) => a.name)).toEqual(['code', 'total', 'at']);
    expect(mappingError(() => tableMapping({ info: orders, spec: spec({ columns: { exclude: ['id'] } }), destination: dest })).message).toMatch(/primary-key column/);
  });

  it('merged tables get the merge column as the last STRING key column', () => {
    const m = tableMapping({ info: orders, destination: dest, merged: true });
    expect(m.primaryKey.map((k) => [k.name, k.type])).toEqual([
      ['id', 'INTEGER'],
      ['__dts_data_source', 'STRING'],
    ]);
    expect(m.merge).toEqual({ column: '__dts_data_source', value: 'shop.orders' });
    const custom = tableMapping({ info: orders, destination: { ...dest, mergeColumn: 'src' }, merged: true });
    expect(custom.primaryKey.at(-1)!.name).toBe('src');
  });

  it('mergedTargets finds targets with several source tables', () => {
    const a = table('orders', [], [], 'shop1');
    const b = table('orders', [], [], 'shop2');
    const c = table('items', [], [], 'shop1');
    expect([...mergedTargets([{ info: a }, { info: b }, { info: c }])]).toEqual(['orders']);
    expect([...mergedTargets([{ info: a, spec: { target: 'x' } }, { info: c, spec: { target: 'x' } }, { info: b }])]).toEqual(['x']);
  });

  it('errors say what to change', () => {
    const noKey = table('logs', [col('msg', 'text')], []);
    let e = mappingError(() => tableMapping({ info: noKey, destination: dest }));
    expect(e.message).toMatch(/no primary key/);
    expect(e.hint).toMatch(/primaryKey/);

    const wide = table('w', ['a', 'b', 'c', 'd', 'e'].map((n) => col(n, 'int(11)')), ['a', 'b', 'c', 'd', 'e']);
    e = mappingError(() => tableMapping({ info: wide, destination: dest }));
    expect(e.message).toMatch(/5 primary-key columns.*allows 4/);

    const four = table('f', ['a', 'b', 'c', 'd'].map((n) => col(n, 'int(11)')), ['a', 'b', 'c', 'd']);
    expect(tableMapping({ info: four, destination: dest }).primaryKey).toHaveLength(4);
    e = mappingError(() => tableMapping({ info: four, destination: dest, merged: true }));
    expect(e.message).toMatch(/merge column/);
    expect(e.hint).toMatch(/at most 3/);

    e = mappingError(() => tableMapping({ info: orders, spec: spec({ primaryKey: [{ column: 'total' }] }), destination: dest }));
    expect(e.message).toMatch(/decimal\(10,2\).*no default Tablestore key type/);
    expect(e.hint).toMatch(/type: STRING/);

    e = mappingError(() => tableMapping({ info: orders, spec: spec({ primaryKey: [{ column: 'nope' }] }), destination: dest }));
    expect(e.message).toMatch(/primaryKey names column nope/);

    e = mappingError(() => tableMapping({ info: orders, spec: spec({ columnTypes: { id: 'STRING' } }), destination: dest }));
    expect(e.hint).toMatch(/primaryKey\[\]\.type/);

    e = mappingError(() => tableMapping({ info: orders, spec: spec({ rename: { code: 'note' } }), destination: dest }));
    expect(e.message).toMatch(/both be named note/);

    e = mappingError(() => tableMapping({ info: orders, spec: spec({ rename: { note: 'заметка' } }), destination: dest }));
    expect(e.message).toMatch(/not a valid column name/);

    e = mappingError(() => tableMapping({ info: orders, spec: spec({ target: '9bad' }), destination: dest }));
    expect(e.message).toMatch(/table name/);

    const withTs = table('t', [col('id', 'int(11)'), col('timestamp', 'datetime')], ['id']);
    e = mappingError(() => tableMapping({ info: withTs, destination: dest }));
    expect(e.hint).toMatch(/rename/);
    expect(tableMapping({ info: withTs, spec: { name: 't', rename: { timestamp: 'ts' } } as TableSpec, destination: dest }).attributes[0]!.name).toBe('ts');

    const clash = table('orders', [col('id', 'int(11)'), col('__dts_data_source', 'text')], ['id']);
    e = mappingError(() => tableMapping({ info: clash, destination: dest, merged: true }));
    expect(e.hint).toMatch(/mergeColumn/);
  });

  it('a unique NOT NULL key stands in for a missing primary key', () => {
    const t = { ...table('u', [col('email', 'varchar(100)', false), col('n', 'int(11)')], []), chunkKey: ['email'], keyKind: 'unique' as const };
    expect(tableMapping({ info: t, destination: dest }).primaryKey.map((k) => k.name)).toEqual(['email']);
  });
});
