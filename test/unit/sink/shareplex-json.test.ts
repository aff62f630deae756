import { describe, expect, it } from 'vitest';
import { encodeShareplexJson, shareplexTime } from '../../../src/connectors/sinks/kafka/formats/shareplex-json.js';
import { formatFor } from '../../../src/connectors/sinks/kafka/formats/index.js';
import { tableCodec } from '../../../src/connectors/sinks/kafka/codec.js';
import type { ChangeEvent, ColumnInfo, Row, TableInfo } from '../../../src/model/source-data.js';

const col = (name: string, dataType: string, columnType: string, extra: Partial<ColumnInfo> = {}): ColumnInfo => ({
  name, dataType, columnType, unsigned: /unsigned/.test(columnType), nullable: true, binary: false, ...extra,
});

const table: TableInfo = {
  database: 'Shop', table: 'Orders',
  columns: [
    col('id', 'bigint', 'bigint(20)'), col('status', 'varchar', 'varchar(50)'),
    col('flags', 'bit', 'bit(10)', { binary: true }), col('blob', 'blob', 'blob', { binary: true }), col('n', 'int', 'int(11)'),
  ],
  primaryKey: ['id'], chunkKey: ['id'], keyKind: 'primary', estimatedRows: 0,
};
const codec = tableCodec(table);
const ctx = { now: Date.UTC(2017, 5, 16, 14, 24, 35, 900), source: { type: 'MySQL' as const, version: '8.0.34' } };
const es = Date.UTC(2017, 5, 16, 14, 24, 34, 120);

const before: Row = { id: '7', status: 'new', flags: Buffer.from([0x02, 0x01]), blob: Buffer.from([0, 0xff]), n: null };
const after: Row = { ...before, status: 'paid', n: '3' };

const row = (e: Partial<Extract<ChangeEvent, { kind: 'row' }>>): ChangeEvent =>
  ({ kind: 'row', op: 'insert', database: 'Shop', table: 'Orders', timestamp: es, id: 4294967297, ...e });
const decode = (b: Buffer) => JSON.parse(b.toString('utf8'));

const meta = (op: string, table = 'Shop.Orders', scn = '4294967297') => ({
  time: '2017-06-16T14:24:34', userid: 0, op, scn, rowid: '', trans: '', seq: 1, size: 1, table, idx: '1/1', posttime: '2017-06-16T14:24:35',
});

describe('Shareplex JSON', () => {
  it('INSERT: meta, then every column as text in data, empty key', () => {
    const text = encodeShareplexJson(row({ after }), codec, ctx).toString('utf8');
    expect(Object.keys(JSON.parse(text))).toEqual(['meta', 'data', 'key']);
    expect(Object.keys(JSON.parse(text).meta)).toEqual(['time', 'userid', 'op', 'scn', 'rowid', 'trans', 'seq', 'size', 'table', 'idx', 'posttime']);
    expect(JSON.parse(text)).toEqual({
      meta: meta('ins'),
      data: { id: '7', status: 'paid', flags: '513', blob: '\u0000\u00ff', n: '3' },
      key: {},
    });
  });

  // DTS documents key as the before image: the changed columns' old values and the other columns.
  it('UPDATE: changed columns with new values in data, the whole before image in key', () => {
    expect(decode(encodeShareplexJson(row({ op: 'update', before, after }), codec, ctx))).toEqual({
      meta: meta('upd'), data: { status: 'paid', n: '3' },
      key: { id: '7', status: 'new', flags: '513', blob: '\u0000\u00ff', n: null },
    });
    // A changed key column shows its new value in data and its old one in key; NULLs stay null.
    const moved = decode(encodeShareplexJson(row({ op: 'update', before, after: { ...before, id: '8', status: null } }), codec, ctx));
    expect(moved.data).toEqual({ id: '8', status: null });
    expect(moved.key).toEqual({ id: '7', status: 'new', flags: '513', blob: '\u0000\u00ff', n: null });
  });

  it('meta of a change placed in a transaction: trans from its first change, seq, size and "seq/size"', () => {
    // First change id 4294967297 = file index 1, offset 1: trans "1@1" (DTS Avro's sourcePosition form).
    const placed = { ...row({ after, id: 4294967299 }), tx: { first: 4294967297, seq: 3, size: 5 } };
    expect(decode(encodeShareplexJson(placed, codec, ctx)).meta).toEqual({
      ...meta('ins', 'Shop.Orders', '4294967299'), trans: '1@1', seq: 3, size: 5, idx: '3/5',
    });
    // A part of a transaction larger than one part, before its last: the size is not known yet (0).
    const open = { ...row({ after }), tx: { first: 4294967297, seq: 1 } };
    expect(decode(encodeShareplexJson(open, codec, ctx)).meta).toMatchObject({ trans: '1@1', seq: 1, size: 0, idx: '1/0' });
  });

  it('UPDATE without a key: the whole old row is the key', () => {
    const keyless = tableCodec({ ...table, primaryKey: [], chunkKey: [], keyKind: 'none' });
    expect(decode(encodeShareplexJson(row({ op: 'update', before, after }), keyless, ctx)).key).toEqual(
      { id: '7', status: 'new', flags: '513', blob: '\u0000\u00ff', n: null });
  });

  it('DELETE: the deleted row in data', () => {
    expect(decode(encodeShareplexJson(row({ op: 'delete', before }), codec, ctx))).toEqual({
      meta: meta('del'), data: { id: '7', status: 'new', flags: '513', blob: '\u0000\u00ff', n: null }, key: {},
    });
  });

  it('DDL: op ddl with the statement in data', () => {
    const sql = 'ALTER TABLE Orders ADD c INT';
    expect(decode(encodeShareplexJson({ kind: 'ddl', database: 'Shop', table: 'Orders', sql, timestamp: es, id: 12 }, undefined, ctx))).toEqual({
      meta: meta('ddl', 'Shop.Orders', '12'), data: { ddl: sql }, key: {},
    });
    const db = decode(encodeShareplexJson({ kind: 'ddl', database: 'Shop', sql: 'CREATE DATABASE Shop', timestamp: es, id: 13 }, undefined, ctx));
    expect(db.meta.table).toBe('Shop');
  });

  it('formats times as UTC seconds without a zone', () => {
    expect(shareplexTime(0)).toBe('1970-01-01T00:00:00');
    expect(shareplexTime(Date.UTC(2024, 1, 29, 23, 59, 59, 999))).toBe('2024-02-29T23:59:59');
  });

  it('is the format registered as shareplex-json', () => {
    expect(formatFor('shareplex-json').name).toBe('shareplex-json');
  });
});
