// DTS Avro messages decoded with the committed schema, parsed here on its own (not the encoder's
// Type), so a consumer compiling schemas/dts-avro/Record.avsc reads exactly what is checked below.
import { readFileSync } from 'node:fs';
import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import { encodeDtsAvro, objectName, sourcePosition } from '../../../src/connectors/sinks/kafka/formats/dts-avro.js';
import { formatFor } from '../../../src/connectors/sinks/kafka/formats/index.js';
import { tableCodec } from '../../../src/connectors/sinks/kafka/codec.js';
import type { ChangeEvent, ColumnInfo, Row, TableInfo } from '../../../src/model/source-data.js';

const schemaJson = JSON.parse(readFileSync(new URL('../../../schemas/dts-avro/Record.avsc', import.meta.url), 'utf8'));
const Record = avsc.Type.forSchema(schemaJson, { wrapUnions: 'auto' });
const decode = (b: Buffer) => Record.fromBuffer(b); // throws on trailing bytes, so lengths are pinned too

const NS = 'com.alibaba.dts.formats.avro.';
const ctx = { now: 1_700_000_000_999, source: { type: 'MySQL' as const, version: '10.11.6-MariaDB' } };

const col = (name: string, dataType: string, columnType: string, extra: Partial<ColumnInfo> = {}): ColumnInfo => ({
  name, dataType, columnType, unsigned: /unsigned/.test(columnType), nullable: true, binary: false, ...extra,
});
const bin = (name: string, dataType: string, columnType: string) => col(name, dataType, columnType, { binary: true });
const txt = (name: string, dataType: string, columnType: string, charset = 'utf8mb4') => col(name, dataType, columnType, { charset });

const columns: ColumnInfo[] = [
  col('id', 'int', 'int(11)', { nullable: false }),
  col('ti', 'tinyint', 'tinyint(4)'), col('tiu', 'tinyint', 'tinyint(3) unsigned'),
  col('si', 'smallint', 'smallint(6)'), col('siu', 'smallint', 'smallint(5) unsigned'),
  col('mi', 'mediumint', 'mediumint(9)'), col('miu', 'mediumint', 'mediumint(8) unsigned'),
  col('i', 'int', 'int(11)'), col('iu', 'int', 'int(10) unsigned'),
  col('bi', 'bigint', 'bigint(20)'), col('biu', 'bigint', 'bigint(20) unsigned'),
  col('d', 'decimal', 'decimal(65,30)'), col('d2', 'decimal', 'decimal(10,2)'),
  col('f', 'float', 'float'), col('f73', 'float', 'float(7,3)'), col('db', 'double', 'double'),
  bin('b64', 'bit', 'bit(64)'), bin('b1', 'bit', 'bit(1)'), bin('b10', 'bit', 'bit(10)'),
  col('dt', 'date', 'date'), col('dz', 'date', 'date'),
  col('dtm', 'datetime', 'datetime(6)', { fsp: 6 }), col('dtm0', 'datetime', 'datetime'), col('dtz', 'datetime', 'datetime'),
  col('ts', 'timestamp', 'timestamp(6)', { fsp: 6 }), col('ts0', 'timestamp', 'timestamp'),
  col('tm', 'time', 'time(6)', { fsp: 6 }), col('tm2', 'time', 'time(6)', { fsp: 6 }), col('tm3', 'time', 'time'),
  col('y', 'year', 'year(4)'),
  txt('ch', 'char', 'char(10)'), txt('l1', 'varchar', 'varchar(20)', 'latin1'), txt('tx', 'text', 'text', 'utf8mb3'),
  bin('bn', 'binary', 'binary(4)'), bin('vb', 'varbinary', 'varbinary(10)'), bin('bl', 'blob', 'blob'),
  txt('e', 'enum', "enum('small','large, xl')"), txt('s', 'set', "set('a','b c','d')"), col('j', 'json', 'json'),
  col('g', 'geometry', 'geometry'), col('u', 'uuid', 'uuid'), col('i6', 'inet6', 'inet6'),
  txt('n', 'varchar', 'varchar(5)'),
];

const table: TableInfo = {
  database: 'shop', table: 'all_types', columns, primaryKey: ['id'], chunkKey: ['id'], keyKind: 'primary',
  uniqueKeys: { uk_ch: ['ch', 'l1'], PRIMARY: ['id'] }, estimatedRows: 0,
};
const codec = tableCodec(table);

const row: Row = {
  id: '1', ti: '-128', tiu: '255', si: '-32768', siu: '65535', mi: '-8388608', miu: '16777215',
  i: '-2147483648', iu: '4294967295', bi: '-9223372036854775808', biu: '18446744073709551615',
  d: '-12345678901234567890123456789012345.123456789012345678901234567890', d2: '5.00',
  f: '3.14159', f73: '-1.5', db: '1.7976931348623157e+308', b64: Buffer.alloc(8, 0xff),
  b1: Buffer.from([1]), b10: Buffer.from([0x02, 0x01]),
  dt: '2024-02-29', dz: '0000-00-00', dtm: '2024-02-29 23:59:59.123456', dtm0: '1000-01-01 00:00:00', dtz: '0000-00-00 00:00:00',
  ts: '2038-01-19 03:14:07.999999', ts0: '0000-00-00 00:00:00',
  tm: '-838:59:59.000000', tm2: '838:59:59.999999', tm3: '-00:30:05',
  y: '2155', ch: 'emoji 😀', l1: 'café €', tx: '多字节 text',
  bn: Buffer.from([1, 2, 0, 0]), vb: Buffer.alloc(0), bl: Buffer.from([0, 0xff]),
  e: 'large, xl', s: 'a,b c', j: '{"a": 12345678901234567890, "b": [1, 2.5, null]}', g: 'POINT(1 2)',
  u: '123e4567-e89b-12d3-a456-426614174000', i6: '::ffff:1.2.3.4', n: null,
};

const int = (precision: number, value: string) => ({ [`${NS}Integer`]: { precision, value } });
const dt = (y: number | null, mo: number | null, d: number | null, h: number | null, mi: number | null, s: number | null, us: number | null) =>
  ({ [`${NS}DateTime`]: { year: y, month: mo, day: d, hour: h, minute: mi, second: s, millis: us } });
const chr = (charset: string, value: Buffer) => ({ [`${NS}Character`]: { charset, value } });
const obj = (branch: string, type: string, value: Buffer | string) => ({ [`${NS}${branch}`]: { type, value } });

/** Each column: expected image item and binlog type code. */
const expected: Record<string, [unknown, number]> = {
  id: [int(4, '1'), 3],
  ti: [int(1, '-128'), 1], tiu: [int(1, '255'), 1], si: [int(2, '-32768'), 2], siu: [int(2, '65535'), 2],
  mi: [int(3, '-8388608'), 9], miu: [int(3, '16777215'), 9], i: [int(4, '-2147483648'), 3], iu: [int(4, '4294967295'), 3],
  bi: [int(8, '-9223372036854775808'), 8], biu: [int(8, '18446744073709551615'), 8],
  d: [{ [`${NS}Decimal`]: { value: row.d, precision: 65, scale: 30 } }, 246],
  d2: [{ [`${NS}Decimal`]: { value: '5.00', precision: 10, scale: 2 } }, 246],
  f: [{ [`${NS}Float`]: { value: 3.14159, precision: 7, scale: 38 } }, 4],
  f73: [{ [`${NS}Float`]: { value: -1.5, precision: 7, scale: 3 } }, 4],
  db: [{ [`${NS}Float`]: { value: 1.7976931348623157e308, precision: 15, scale: 308 } }, 5],
  // BIT: the Integer branch with the unsigned value in decimal, type 16 (the demo's number adapter).
  b64: [int(8, '18446744073709551615'), 16], b1: [int(1, '1'), 16], b10: [int(2, '513'), 16],
  dt: [dt(2024, 2, 29, null, null, null, null), 10],
  dz: [dt(0, 0, 0, null, null, null, null), 10],
  dtm: [dt(2024, 2, 29, 23, 59, 59, 123456), 12],
  dtm0: [dt(1000, 1, 1, 0, 0, 0, null), 12],
  dtz: [dt(0, 0, 0, 0, 0, 0, null), 12],
  ts: [{ [`${NS}Timestamp`]: { timestamp: 2147483647, millis: 999999 } }, 7],
  ts0: [{ [`${NS}Timestamp`]: { timestamp: 0, millis: 0 } }, 7],
  tm: [dt(null, null, null, -838, -59, -59, 0), 11],
  tm2: [dt(null, null, null, 838, 59, 59, 999999), 11],
  tm3: [dt(null, null, null, 0, -30, -5, null), 11],
  y: [dt(2155, null, null, null, null, null, null), 13],
  ch: [chr('utf8mb4', Buffer.from('emoji 😀', 'utf8')), 254],
  l1: [chr('latin1', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x80])), 15],
  tx: [chr('utf8mb3', Buffer.from('多字节 text', 'utf8')), 252],
  bn: [obj('BinaryObject', 'BINARY', Buffer.from([1, 2, 0, 0])), 254],
  vb: [obj('BinaryObject', 'BINARY', Buffer.alloc(0)), 15],
  bl: [obj('BinaryObject', 'BLOB', Buffer.from([0, 0xff])), 252],
  e: [obj('TextObject', 'ENUM', 'large, xl'), 247],
  s: [obj('TextObject', 'SET', 'a,b c'), 248],
  j: [obj('TextObject', 'JSON', row.j as string), 245],
  g: [obj('TextGeometry', 'WKT', 'POINT(1 2)'), 255],
  u: [chr('ascii', Buffer.from('123e4567-e89b-12d3-a456-426614174000')), 254],
  i6: [chr('ascii', Buffer.from('::ffff:1.2.3.4')), 254],
  n: [null, 15],
};

const ev = (e: Partial<Extract<ChangeEvent, { kind: 'row' }>>): ChangeEvent =>
  ({ kind: 'row', op: 'insert', database: 'shop', table: 'all_types', timestamp: 1_712_905_965_123, id: 143 * 2 ** 32 + 2924526, ...e });

describe('DTS Avro schema file', () => {
  it('has the Record fields and the image union in DTS order', () => {
    expect(schemaJson.name).toBe('Record');
    expect(schemaJson.namespace).toBe('com.alibaba.dts.formats.avro');
    expect(schemaJson.fields.map((f: { name: string }) => f.name)).toEqual([
      'version', 'id', 'sourceTimestamp', 'sourcePosition', 'safeSourcePosition', 'sourceTxid', 'source', 'operation',
      'objectName', 'processTimestamps', 'tags', 'fields', 'beforeImages', 'afterImages', 'bornTimestamp',
    ]);
    const branches = ['null', 'Integer', 'Character', 'Decimal', 'Float', 'Timestamp', 'DateTime', 'TimestampWithTimeZone',
      'BinaryGeometry', 'TextGeometry', 'BinaryObject', 'TextObject', 'EmptyObject'].map((n) => (n === 'null' ? n : NS + n));
    type Branch = string | { name: string };
    const union = (field: string): Branch[] => schemaJson.fields.find((f: { name: string }) => f.name === field).type;
    for (const field of ['beforeImages', 'afterImages']) {
      const [nul, str, arr] = union(field) as [string, string, { type: string; items: Branch[] }];
      expect([nul, str, arr.type]).toEqual(['null', 'string', 'array']);
      expect(arr.items.map((t) => (typeof t === 'string' ? (t === 'null' ? t : t.includes('.') ? t : NS + t) : NS + t.name))).toEqual(branches);
    }
  });
});

describe('DTS Avro encoding', () => {
  it('encodes an INSERT of every column type family', () => {
    const r = decode(encodeDtsAvro(ev({ after: row }), codec, ctx));
    expect(r.version).toBe(0);
    expect(r.id).toBe(143 * 2 ** 32 + 2924526);
    expect(r.sourceTimestamp).toBe(1_712_905_965);
    expect(r.sourcePosition).toBe('2924526@143');
    expect(r.safeSourcePosition).toBe('');
    expect(r.sourceTxid).toBe('0');
    expect(r.source).toEqual({ sourceType: 'MySQL', version: '10.11.6-MariaDB' });
    expect(r.operation).toBe('INSERT');
    expect(r.objectName).toBe('shop.all_types');
    expect(r.processTimestamps).toBeNull();
    expect(r.tags).toEqual({ pk_uk_info: '{"PRIMARY":["id"],"uk_ch":["ch","l1"]}' });
    expect(r.fields).toEqual(columns.map((c) => ({ name: c.name, dataTypeNumber: expected[c.name]![1] })));
    expect(r.beforeImages).toBeNull();
    expect(r.afterImages).toHaveLength(columns.length);
    columns.forEach((c, i) => expect([c.name, r.afterImages[i]]).toEqual([c.name, expected[c.name]![0]]));
    expect(r.bornTimestamp).toBe(1_712_905_965_123);
  });

  it('keeps the float32 value recoverable and latin1 text as latin1 bytes', () => {
    const r = decode(encodeDtsAvro(ev({ after: { ...row, l1: 'café' } }), codec, ctx));
    const idx = (name: string) => columns.findIndex((c) => c.name === name);
    expect(Math.fround(r.afterImages[idx('f')][`${NS}Float`].value)).toBe(Math.fround(3.14159));
    expect(r.afterImages[idx('l1')][`${NS}Character`].value.toString('hex')).toBe('636166e9');
  });

  it('encodes an UPDATE with both full images', () => {
    const after = { ...row, ti: '5', n: 'x', b64: Buffer.from([0, 0, 0, 0, 0, 0, 0, 5]) };
    const r = decode(encodeDtsAvro(ev({ op: 'update', before: row, after }), codec, ctx));
    expect(r.operation).toBe('UPDATE');
    expect(r.beforeImages).toHaveLength(columns.length);
    columns.forEach((c, i) => expect([c.name, r.beforeImages[i]]).toEqual([c.name, expected[c.name]![0]]));
    const ti = columns.findIndex((c) => c.name === 'ti');
    const n = columns.findIndex((c) => c.name === 'n');
    const b64 = columns.findIndex((c) => c.name === 'b64');
    expect(r.afterImages[ti]).toEqual(int(1, '5'));
    expect(r.afterImages[n]).toEqual(chr('utf8mb4', Buffer.from('x')));
    expect(r.afterImages[b64]).toEqual(int(8, '5'));
    expect(r.afterImages.filter((_: unknown, i: number) => ![ti, n, b64].includes(i))).toEqual(
      r.beforeImages.filter((_: unknown, i: number) => ![ti, n, b64].includes(i)));
  });

  it('uses only the value classes and BinaryObject types the DTS subscription SDK can read', () => {
    // The SDK reads BinaryObject.type with ObjectType.valueOf; these are its constants (consumers facts).
    const objectTypes = new Set(['BINARY', 'BOOL', 'BLOB', 'XML', 'JSON', 'TEXT', 'BFILE', 'RAW', 'LONG_RAW', 'ROWID',
      'UROWID', 'ENUM', 'SET', 'BYTEA', 'GEOMETRY', 'XTYPE', 'UUID']);
    const r = decode(encodeDtsAvro(ev({ after: row }), codec, ctx));
    for (const [i, item] of (r.afterImages as (Record<string, { type?: string }> | null)[]).entries()) {
      if (item === null) continue;
      const [branch, value] = Object.entries(item)[0]!;
      if (branch === `${NS}BinaryObject` || branch === `${NS}TextObject`) expect([columns[i]!.name, objectTypes.has(value.type!)]).toEqual([columns[i]!.name, true]);
    }
    // Unknown binary types fall back to BINARY as well.
    const odd = tableCodec({ ...table, columns: [bin('v', 'vector', 'vector(2)')], primaryKey: [], chunkKey: [], uniqueKeys: {} });
    const o = decode(encodeDtsAvro(ev({ after: { v: Buffer.from([1]) } }), odd, ctx));
    expect(o.afterImages[0]).toEqual(obj('BinaryObject', 'BINARY', Buffer.from([1])));
  });

  it('encodes a DELETE with the before image only', () => {
    const r = decode(encodeDtsAvro(ev({ op: 'delete', before: row }), codec, ctx));
    expect(r.operation).toBe('DELETE');
    expect(r.afterImages).toBeNull();
    columns.forEach((c, i) => expect([c.name, r.beforeImages[i]]).toEqual([c.name, expected[c.name]![0]]));
  });

  it('encodes DDL as the string branch of afterImages, without fields or tags', () => {
    const sql = 'ALTER TABLE all_types ADD COLUMN z INT';
    const r = decode(encodeDtsAvro({ kind: 'ddl', database: 'shop', table: 'all_types', sql, timestamp: 1_712_905_965_000, id: 7 }, undefined, ctx));
    expect(r.operation).toBe('DDL');
    expect(r.objectName).toBe('shop.all_types');
    expect(r.fields).toBeNull();
    expect(r.beforeImages).toBeNull();
    expect(r.afterImages).toBe(sql);
    expect(r.tags).toEqual({});
    expect(r.sourcePosition).toBe('7@0');
    const dbOnly = decode(encodeDtsAvro({ kind: 'ddl', database: 'shop', sql: 'CREATE DATABASE shop', timestamp: 0, id: 8 }, undefined, ctx));
    expect(dbOnly.objectName).toBe('shop');
  });

  it('writes every field in schema order, byte for byte', () => {
    const small: TableInfo = { ...table, columns: [columns[0]!], uniqueKeys: {}, primaryKey: [], chunkKey: [], keyKind: 'none' };
    const b = encodeDtsAvro(ev({ id: 1, timestamp: 2000, after: { id: '1' } }), tableCodec(small), ctx);
    const hex = (s: string) => Buffer.from(s).toString('hex');
    expect(b.toString('hex')).toBe([
      '00', // version 0 (ints and longs are zigzag varints)
      '02', // id 1
      '04', // sourceTimestamp 2 (seconds)
      '06', hex('1@0'), // sourcePosition: length 3, then the bytes
      '00', // safeSourcePosition ""
      '02', hex('0'), // sourceTxid "0"
      '00', // source.sourceType MySQL (enum index 0)
      '1e', hex('10.11.6-MariaDB'), // source.version, length 15
      '00', // operation INSERT (enum index 0)
      '02', '1c', hex('shop.all_types'), // objectName: union branch 1, string of 14
      '00', // processTimestamps: branch 0, null
      '00', // tags: empty map
      '04', '02', '04', hex('id'), '06', '00', // fields: branch 2, block of 1 Field {"id", 3}, end of array
      '00', // beforeImages: null
      '04', '02', '02', '08', '02', hex('1'), '00', // afterImages: branch 2, block of 1, item branch 1 Integer {4, "1"}, end
      'a01f', // bornTimestamp 2000 ms
    ].join(''));
  });

  it('escapes dots inside names and splits the change id into offset@file', () => {
    expect(objectName('my.db', 't.1')).toBe('my\\u002Edb.t\\u002E1');
    expect(sourcePosition(3 * 2 ** 32 + 120)).toBe('120@3');
  });

  it('is the format registered as dts-avro', () => {
    expect(formatFor('dts-avro').name).toBe('dts-avro');
    const a = formatFor('dts-avro').encode(ev({ after: row }), codec, ctx);
    expect(a.equals(encodeDtsAvro(ev({ after: row }), codec, ctx))).toBe(true);
  });
});
