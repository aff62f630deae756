import { describe, expect, it } from 'vitest';
import { tableMapping } from '../../src/connectors/sinks/tablestore/mapping.js';
import { loadOp, rowOps, type RowOp } from '../../src/connectors/sinks/tablestore/row-ops.js';
import { isSdkLong, type SdkCellValue } from '../../src/connectors/sinks/tablestore/sdk.js';
import type { ChangeEvent, Row } from '../../src/model/source-data.js';
import { col, table } from './tablestore-helpers.js';

const info = table('orders', [col('id', 'bigint(20)', false), col('code', 'varchar(20)'), col('qty', 'int(11)')], ['id']);
const update = tableMapping({ info, destination: { writeMode: 'update', mergeColumn: '__dts_data_source' } });
const overwrite = tableMapping({ info, destination: { writeMode: 'overwrite', mergeColumn: '__dts_data_source' } });

const ev = (op: 'insert' | 'update' | 'delete', before?: Row, after?: Row): ChangeEvent => ({ kind: 'row', op, database: 'shop', table: 'orders', before, after, timestamp: 0, id: 1 });
const plain = (v: SdkCellValue): unknown => (isSdkLong(v) ? BigInt(v.toString(10)) : v);
const cells = (cols: Array<Record<string, SdkCellValue>>) => cols.map((c) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, plain(v)])));
const summary = (op: RowOp) => ({
  type: op.type,
  key: cells(op.primaryKey),
  keyText: op.keyText,
  ...(op.type === 'put' ? { columns: cells(op.columns) } : {}),
  ...(op.type === 'update' ? { put: cells(op.put), deleteAll: op.deleteAll } : {}),
});

describe('rowOps', () => {
  it('insert: UpdateRow with every column in update mode, NULL deleted', () => {
    const ops = rowOps(update, ev('insert', undefined, { id: '1', code: 'A', qty: null }));
    expect(ops.map(summary)).toEqual([{ type: 'update', key: [{ id: 1n }], keyText: 'id=1', put: [{ code: 'A' }], deleteAll: ['qty'] }]);
  });

  it('insert: PutRow without NULL columns in overwrite mode', () => {
    const ops = rowOps(overwrite, ev('insert', undefined, { id: '1', code: 'A', qty: null }));
    expect(ops.map(summary)).toEqual([{ type: 'put', key: [{ id: 1n }], keyText: 'id=1', columns: [{ code: 'A' }] }]);
  });

  it('a row whose mapped attributes are all NULL is a PutRow even in update mode (UpdateRow would not create it)', () => {
    const ops = rowOps(update, ev('insert', undefined, { id: '1', code: null, qty: null }));
    expect(ops.map((o) => o.type)).toEqual(['put']);
  });

  it('update with the same key: one write of the after image', () => {
    const ops = rowOps(update, ev('update', { id: '1', code: 'A', qty: '1' }, { id: '1', code: 'B', qty: '2' }));
    expect(ops.map(summary)).toEqual([{ type: 'update', key: [{ id: 1n }], keyText: 'id=1', put: [{ code: 'B' }, { qty: 2n }], deleteAll: [] }]);
  });

  it('update that changes the key: DeleteRow of the old key first', () => {
    const ops = rowOps(overwrite, ev('update', { id: '1', code: 'A', qty: '1' }, { id: '2', code: 'A', qty: '1' }));
    expect(ops.map((o) => [o.type, o.keyText])).toEqual([
      ['delete', 'id=1'],
      ['put', 'id=2'],
    ]);
  });

  it('delete: DeleteRow of the before image', () => {
    expect(rowOps(update, ev('delete', { id: '7', code: 'A', qty: '1' })).map(summary)).toEqual([{ type: 'delete', key: [{ id: 7n }], keyText: 'id=7' }]);
  });

  it('DDL gives no ops; full-load rows are written like inserts', () => {
    expect(rowOps(update, { kind: 'ddl', database: 'shop', sql: 'ALTER TABLE orders ADD x INT', timestamp: 0, id: 2 })).toEqual([]);
    expect(summary(loadOp(overwrite, { id: '3', code: 'C', qty: '4' }))).toEqual({ type: 'put', key: [{ id: 3n }], keyText: 'id=3', columns: [{ code: 'C' }, { qty: 4n }] });
  });

  it('columns missing from the image are left alone', () => {
    const ops = rowOps(update, ev('insert', undefined, { id: '1', code: 'A' }));
    expect(ops.map(summary)).toEqual([{ type: 'update', key: [{ id: 1n }], keyText: 'id=1', put: [{ code: 'A' }], deleteAll: [] }]);
  });

  it('merged tables carry the merge column value in the key', () => {
    const m = tableMapping({ info, destination: { writeMode: 'update', mergeColumn: 'src' }, merged: true });
    const [op] = rowOps(m, ev('delete', { id: '1', code: 'A', qty: '1' }));
    expect(cells(op!.primaryKey)).toEqual([{ id: 1n }, { src: 'shop.orders' }]);
    expect(op!.keyText).toBe('id=1, src="shop.orders"');
  });

  it('values that cannot be converted mark the op invalid instead of throwing', () => {
    const big = table('b', [col('id', 'bigint(20) unsigned', false), col('n', 'bigint(20) unsigned')], ['id']);
    const m = tableMapping({ info: big, destination: { writeMode: 'update', mergeColumn: 'x' } });
    const [bad] = rowOps(m, ev('insert', undefined, { id: '18446744073709551615', n: '1' }));
    expect(bad!.invalid?.code).toBe('tablestore-conversion');
    expect(bad!.keyText).toBe('id=18446744073709551615');
    const [badAttr] = rowOps(m, ev('insert', undefined, { id: '1', n: '18446744073709551615' }));
    expect(badAttr!.invalid?.message).toMatch(/column n .*outside the signed 64-bit range/);
  });

  it('binary keys show as hex in the key text; sizes grow with the data', () => {
    const bin = table('b', [col('k', 'varbinary(16)', false), col('v', 'blob')], ['k']);
    const m = tableMapping({ info: bin, destination: { writeMode: 'overwrite', mergeColumn: 'x' } });
    const [small] = rowOps(m, ev('insert', undefined, { k: Buffer.from([0xab]), v: Buffer.alloc(10) }));
    const [large] = rowOps(m, ev('insert', undefined, { k: Buffer.from([0xab]), v: Buffer.alloc(10_000) }));
    expect(small!.keyText).toBe('k=0xab');
    expect(large!.bytes - small!.bytes).toBe(9990);
  });
});
