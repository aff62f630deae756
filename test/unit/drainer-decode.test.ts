// Drainer protobuf → canonical change events: every value placement gives the text (or bytes) the
// snapshot SELECT of the same value gives, for every column type.
import { describe, expect, it } from 'vitest';
import { decodeDrainer, type DrainerContext } from '../../src/connectors/sources/tidb/drainer-decode.js';
import { DEFAULT_VALUE_OPTIONS } from '../../src/connectors/sources/mysql/type-map.js';
import { MigError } from '../../src/util/errors.js';
import type { ChangeEvent, ColumnInfo } from '../../src/model/source-data.js';
import { bytes, dbl, ddl, dml, i64, str, tso, u64, type Cell, type ColSpec } from '../support/drainer.js';

const MS = 1_700_000_000_123;
const LABELS: Record<string, string[]> = { e: ['small', 'large, xl'], s: ['a', 'b c', 'd'] };
const ctx: DrainerContext = { offset: '42', labelsOf: (_d, _t, c) => LABELS[c] };

// [column, Drainer placement, canonical value]: one entry per type and edge.
const CASES: [ColSpec, Cell, string | Buffer | null][] = [
  [{ name: 'id', type: 'int', pk: true }, i64(1), '1'],
  [{ name: 'ti', type: 'tinyint' }, i64(-128), '-128'],
  [{ name: 'tiu', type: 'tinyint' }, u64(255), '255'],
  [{ name: 'si', type: 'smallint' }, i64(-32768), '-32768'],
  [{ name: 'mi', type: 'mediumint' }, i64(-8388608), '-8388608'],
  [{ name: 'iu', type: 'int' }, u64(4294967295), '4294967295'],
  [{ name: 'bi', type: 'bigint' }, i64(-9223372036854775808n), '-9223372036854775808'],
  [{ name: 'biu', type: 'bigint' }, u64(18446744073709551615n), '18446744073709551615'],
  [{ name: 'd', type: 'decimal', flen: 65, decimal: 30 }, str('-12345678901234567890123456789012345.123456789012345678901234567890'), '-12345678901234567890123456789012345.123456789012345678901234567890'],
  [{ name: 'd2', type: 'decimal', flen: 10, decimal: 2 }, str('5.00'), '5.00'],
  [{ name: 'd3', type: 'decimal', flen: 10, decimal: 2 }, str('-0.5'), '-0.50'],
  [{ name: 'f', type: 'float' }, dbl(Math.fround(3.14159)), '3.14159'],
  [{ name: 'f2', type: 'float' }, dbl(Math.fround(-1.5e-7)), '-1.5e-7'],
  [{ name: 'db', type: 'double' }, dbl(1.7976931348623157e308), '1.7976931348623157e+308'],
  [{ name: 'db2', type: 'double' }, dbl(0.1), '0.1'],
  [{ name: 'b1', type: 'bit', flen: 1 }, bytes(Buffer.from([1])), Buffer.from([1])],
  [{ name: 'b64', type: 'bit', flen: 64 }, bytes(Buffer.from([5])), Buffer.from([0, 0, 0, 0, 0, 0, 0, 5])],
  [{ name: 'b12', type: 'bit' }, bytes(Buffer.from([0x0f, 0xff])), Buffer.from([0x0f, 0xff])],
  [{ name: 'dt', type: 'date' }, str('0000-00-00'), '0000-00-00'],
  [{ name: 'dtm', type: 'datetime', decimal: 6 }, str('2024-02-29 23:59:59.123456'), '2024-02-29 23:59:59.123456'],
  [{ name: 'dtm3', type: 'datetime', decimal: 3 }, str('2024-02-29 23:59:59.5'), '2024-02-29 23:59:59.500'],
  [{ name: 'dtm0', type: 'datetime' }, str('1000-01-01 00:00:00'), '1000-01-01 00:00:00'],
  [{ name: 'ts', type: 'timestamp', decimal: 6 }, str('2038-01-19 03:14:07.999999'), '2038-01-19 03:14:07.999999'],
  [{ name: 'tm', type: 'time', decimal: 6 }, str('-838:59:59.000000'), '-838:59:59.000000'],
  [{ name: 'y', type: 'year' }, str('2155'), '2155'],
  [{ name: 'y0', type: 'year' }, str('0'), '0000'],
  [{ name: 'ch', type: 'char', flen: 10 }, str('abc'), 'abc'],
  [{ name: 'vc', type: 'varchar', flen: 40 }, str('emoji 😀 "q" \\ \t tab'), 'emoji 😀 "q" \\ \t tab'],
  [{ name: 'tx', type: 'text' }, str('多字节 text'), '多字节 text'],
  [{ name: 'lt', type: 'longtext' }, str('m'.repeat(70000)), 'm'.repeat(70000)],
  [{ name: 'bin', type: 'binary', flen: 4 }, bytes(Buffer.from([1, 2, 0, 0])), Buffer.from([1, 2, 0, 0])],
  [{ name: 'vb', type: 'varbinary', flen: 10 }, bytes(Buffer.alloc(0)), Buffer.alloc(0)],
  [{ name: 'bl', type: 'blob' }, bytes(Buffer.from([0, 0xff])), Buffer.from([0, 0xff])],
  [{ name: 'lb', type: 'longblob' }, bytes(Buffer.from([0xde, 0xad, 0xbe, 0xef])), Buffer.from([0xde, 0xad, 0xbe, 0xef])],
  [{ name: 'e', type: 'enum' }, u64(2), 'large, xl'],
  [{ name: 's', type: 'set' }, u64(3), 'a,b c'],
  [{ name: 's0', type: 'set' }, u64(0), ''],
  [{ name: 'j', type: 'json' }, bytes('{"a": 12345678901234567890, "b": [1, 2.5, null]}'), '{"a": 12345678901234567890, "b": [1, 2.5, null]}'],
  [{ name: 'n', type: 'varchar' }, null, null],
];

function one(cols: ColSpec[], row: Cell[], c: DrainerContext = ctx, opts: { timeZone?: string } = {}) {
  const buf = dml(tso(MS, 3), [{ schema: 'shop', table: 'types', columns: cols, mutations: [{ type: 'insert', row }] }], opts);
  return decodeDrainer(buf, DEFAULT_VALUE_OPTIONS, c);
}

const rowOf = (ev: ChangeEvent) => (ev.kind === 'row' ? (ev.after ?? ev.before)! : {});

describe('decodeDrainer values', () => {
  it('gives the canonical value of every type and placement', () => {
    const txn = one(CASES.map((c) => c[0]), CASES.map((c) => c[1]));
    const got = rowOf(txn.events[0]!);
    for (const [col, , want] of CASES) expect(got[col.name], col.name).toEqual(want);
    expect(Object.keys(got)).toEqual(CASES.map((c) => c[0].name));
  });

  it('describes the columns: unsigned from the placement, scale, fsp, binary, rebuilt type text', () => {
    const txn = one(CASES.map((c) => c[0]), CASES.map((c) => c[1]));
    const ev = txn.events[0]!;
    const cols = new Map((ev.kind === 'row' ? ev.columns! : []).map((c) => [c.name, c]));
    expect(cols.get('biu')).toMatchObject({ dataType: 'bigint', unsigned: true, columnType: 'bigint unsigned', binary: false });
    expect(cols.get('bi')).toMatchObject({ unsigned: false, columnType: 'bigint' });
    expect(cols.get('d2')).toMatchObject({ dataType: 'decimal', columnType: 'decimal(10,2)' });
    expect(cols.get('dtm')).toMatchObject({ dataType: 'datetime', fsp: 6, columnType: 'datetime(6)' });
    expect(cols.get('dtm0')).toMatchObject({ fsp: 0, columnType: 'datetime' });
    expect(cols.get('b64')).toMatchObject({ binary: true, columnType: 'bit(64)' });
    expect(cols.get('vb')).toMatchObject({ binary: true, columnType: 'varbinary(10)' });
    expect(cols.get('e')).toMatchObject({ dataType: 'enum', binary: false });
  });

  it('prefers the schema lookup when it knows the column with the same type', () => {
    const known: ColumnInfo = { name: 'e', dataType: 'enum', columnType: "enum('x','y')", unsigned: false, nullable: false, binary: false };
    const txn = one([{ name: 'e', type: 'enum' }], [u64(2)], { offset: '1', columnOf: (_d, _t, c) => (c === 'e' ? known : undefined) });
    const ev = txn.events[0]!;
    expect(ev.kind === 'row' && ev.columns![0]).toBe(known);
    // Labels come from the known column's type when there is no label lookup.
    expect(rowOf(ev).e).toBe('y');
  });

  it('applies the ROUND rule to FLOAT and DOUBLE', () => {
    const buf = dml(tso(MS), [{ schema: 's', table: 't', columns: [{ name: 'f', type: 'float' }, { name: 'd', type: 'double' }], mutations: [{ type: 'insert', row: [dbl(Math.fround(3.14159)), dbl(2.675)] }] }]);
    const txn = decodeDrainer(buf, { floatPrecision: 2, doublePrecision: 1 }, ctx);
    expect(rowOf(txn.events[0]!)).toEqual({ f: '3.14', d: '2.7' });
  });

  it('converts TIMESTAMP from the zone Drainer printed it in to UTC (DATETIME unchanged)', () => {
    const cols = [{ name: 'ts', type: 'timestamp' }, { name: 'dt', type: 'datetime' }];
    const row = [str('2024-01-01 08:00:00'), str('2024-01-01 08:00:00')];
    expect(rowOf(one(cols, row, ctx, { timeZone: 'Asia/Shanghai' }).events[0]!)).toEqual({ ts: '2024-01-01 00:00:00', dt: '2024-01-01 08:00:00' });
    expect(rowOf(one(cols, row, ctx, { timeZone: 'UTC' }).events[0]!).ts).toBe('2024-01-01 08:00:00');
    expect(rowOf(one(cols, row, { ...ctx, timeZone: '+02:00' }).events[0]!).ts).toBe('2024-01-01 06:00:00');
    expect(() => one(cols, row, ctx, { timeZone: 'Local' })).toThrow(/time zone "Local"/);
  });

  it('fails clearly when ENUM/SET labels are unknown or out of range', () => {
    const noLabels = { offset: '9' };
    expect(() => one([{ name: 'e', type: 'enum' }], [u64(1)], noLabels)).toThrowError(expect.objectContaining({ code: 'feed-enum-labels', message: expect.stringMatching(/shop\.types\.e .*offset 9/) }));
    expect(() => one([{ name: 's', type: 'set' }], [u64(8)])).toThrowError(expect.objectContaining({ code: 'feed-enum-labels' }));
    expect(() => one([{ name: 'e', type: 'enum' }], [u64(3)])).toThrow(/beyond its 2 labels/);
    // The invalid-value index 0 needs no labels: it is ''.
    expect(rowOf(one([{ name: 'e', type: 'enum' }], [u64(0)], noLabels).events[0]!).e).toBe('');
  });
});

describe('decodeDrainer transactions', () => {
  const cols: ColSpec[] = [{ name: 'id', type: 'bigint', pk: true }, { name: 'v', type: 'varchar' }];
  const buf = dml(tso(MS, 7), [
    { schema: 'shop', table: 'a', columns: cols, uniqueKeys: { PRIMARY: ['id'], uk_v: ['v'] }, mutations: [
      { type: 'insert', row: [i64(1), str('x')] },
      { type: 'update', row: [i64(1), str('y')], before: [i64(1), str('x')] },
      { type: 'delete', row: [i64(1), null] },
    ] },
    { schema: 'crm', table: 'b', columns: [{ name: 'k', type: 'int', pk: true }], mutations: [{ type: 'insert', row: [i64(5)] }] },
  ]);
  const txn = decodeDrainer(buf, DEFAULT_VALUE_OPTIONS, { offset: '1000' });

  it('turns each mutation into a row event with its images, in order, across tables', () => {
    expect(txn.kind).toBe('dml');
    expect(txn.commitTs).toBe(tso(MS, 7));
    expect(txn.events.map((e) => e.kind === 'row' && [e.database, e.table, e.op, e.before, e.after])).toEqual([
      ['shop', 'a', 'insert', undefined, { id: '1', v: 'x' }],
      ['shop', 'a', 'update', { id: '1', v: 'x' }, { id: '1', v: 'y' }],
      ['shop', 'a', 'delete', { id: '1', v: null }, undefined],
      ['crm', 'b', 'insert', undefined, { k: '5' }],
    ]);
  });

  it('stamps the commit time in ms and ids unique within the feed, stable per offset', () => {
    expect(txn.events.every((e) => e.timestamp === MS)).toBe(true);
    const ids = txn.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(4);
    const other = decodeDrainer(buf, DEFAULT_VALUE_OPTIONS, { offset: '1001' });
    expect(other.events.some((e) => ids.includes(e.id))).toBe(false);
    expect(decodeDrainer(buf, DEFAULT_VALUE_OPTIONS, { offset: '1000' }).events.map((e) => e.id)).toEqual(ids);
  });

  it('reports the tables and their keys', () => {
    expect(txn.tables).toEqual([
      { database: 'shop', table: 'a', primaryKey: ['id'], uniqueKeys: { PRIMARY: ['id'], uk_v: ['v'] } },
      { database: 'crm', table: 'b', primaryKey: ['k'], uniqueKeys: {} },
    ]);
  });

  it('decodes DDL', () => {
    const d = decodeDrainer(ddl(tso(MS, 1), 'shop', 'a', 'ALTER TABLE a ADD COLUMN c INT'), DEFAULT_VALUE_OPTIONS, { offset: '3' });
    expect(d).toMatchObject({ kind: 'ddl', commitTs: tso(MS, 1), tables: [] });
    expect(d.events).toEqual([{ kind: 'ddl', database: 'shop', table: 'a', sql: 'ALTER TABLE a ADD COLUMN c INT', timestamp: MS, id: expect.any(Number) }]);
    const db = decodeDrainer(ddl(tso(MS), 'shop', '', 'CREATE DATABASE shop'), DEFAULT_VALUE_OPTIONS, { offset: '4' });
    expect(db.events[0]).not.toHaveProperty('table');
  });
});

describe('decodeDrainer bad input', () => {
  const fail = (buf: Buffer) => {
    try {
      decodeDrainer(buf, DEFAULT_VALUE_OPTIONS, { offset: '77', topic: 'feed' });
    } catch (e) {
      return e as MigError;
    }
    throw new Error('no error');
  };

  it('names the offset for bytes that are not a Drainer message', () => {
    for (const b of [Buffer.from([0xff, 0xff, 0xff]), Buffer.from('{"data":[{"id":"1"}],"type":"INSERT"}'), Buffer.alloc(0)]) {
      const e = fail(b);
      expect(e).toBeInstanceOf(MigError);
      expect(e.code).toBe('feed-bad-message');
      expect(e.message).toMatch(/feed offset 77/);
      expect(e.hint).toMatch(/format/);
    }
  });

  it('rejects rows that do not match column_info and updates without a before image', () => {
    const cols: ColSpec[] = [{ name: 'a', type: 'int' }, { name: 'b', type: 'int' }];
    expect(fail(dml(tso(MS), [{ schema: 's', table: 't', columns: cols, mutations: [{ type: 'insert', row: [i64(1)] }] }])).message).toMatch(/1 values for 2 columns/);
    expect(fail(dml(tso(MS), [{ schema: 's', table: 't', columns: cols, mutations: [{ type: 'update', row: [i64(1), i64(2)] }] }])).message).toMatch(/no before image/);
  });
});
