import { describe, expect, it } from 'vitest';
import { ConversionError, DEFAULT_TYPE_MAP, defaultAttributeType, defaultKeyType, toCell, toKeyCell } from '../../src/connectors/sinks/tablestore/type-map.js';
import { isSdkLong, type SdkCellValue } from '../../src/connectors/sinks/tablestore/sdk.js';
import { MigError } from '../../src/util/errors.js';
import { col } from './tablestore-helpers.js';

function thrown(fn: () => unknown): MigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof MigError) return e;
    throw e;
  }
  throw new Error('expected a MigError');
}

const text = (v: SdkCellValue | null) => (isSdkLong(v) ? `long:${v.toString(10)}` : v);

describe('default Tablestore type per MySQL type', () => {
  const cases: Array<[string, string, string | null]> = [
    ['tinyint(1)', 'INTEGER', 'INTEGER'],
    ['tinyint(4)', 'INTEGER', 'INTEGER'],
    ['tinyint(3) unsigned', 'INTEGER', 'INTEGER'],
    ['smallint(6)', 'INTEGER', 'INTEGER'],
    ['mediumint(9)', 'INTEGER', 'INTEGER'],
    ['int(11)', 'INTEGER', 'INTEGER'],
    ['int(10) unsigned', 'INTEGER', 'INTEGER'],
    ['bigint(20)', 'INTEGER', 'INTEGER'],
    ['bigint(20) unsigned', 'INTEGER', 'INTEGER'],
    ['bit(1)', 'INTEGER', 'INTEGER'],
    ['bit(63)', 'INTEGER', 'INTEGER'],
    ['bit(64)', 'BINARY', 'BINARY'],
    ['decimal(10,2)', 'STRING', null],
    ['numeric(5,0)', 'STRING', null],
    ['float', 'DOUBLE', null],
    ['double', 'DOUBLE', null],
    ['date', 'STRING', null],
    ['datetime(3)', 'STRING', null],
    ['timestamp', 'STRING', null],
    ['time', 'STRING', null],
    ['year', 'STRING', null],
    ['char(10)', 'STRING', 'STRING'],
    ['varchar(255)', 'STRING', 'STRING'],
    ['tinytext', 'STRING', 'STRING'],
    ['text', 'STRING', 'STRING'],
    ['mediumtext', 'STRING', 'STRING'],
    ['longtext', 'STRING', 'STRING'],
    ["enum('a','b')", 'STRING', 'STRING'],
    ["set('x','y')", 'STRING', 'STRING'],
    ['json', 'STRING', null],
    ['binary(16)', 'BINARY', 'BINARY'],
    ['varbinary(64)', 'BINARY', 'BINARY'],
    ['tinyblob', 'BINARY', null],
    ['blob', 'BINARY', null],
    ['mediumblob', 'BINARY', null],
    ['longblob', 'BINARY', null],
    ['geometry', 'STRING', null],
    ['point', 'STRING', null],
    ['polygon', 'STRING', null],
    ['uuid', 'STRING', 'STRING'],
    ['inet6', 'STRING', 'STRING'],
    ['vector(4)', 'BINARY', null],
  ];
  it.each(cases)('%s → attribute %s, key %s', (type, attr, key) => {
    const c = col('c', type);
    expect(defaultAttributeType(c)).toBe(attr);
    if (key) expect(defaultKeyType(c, 'shop.t')).toBe(key);
    else {
      const e = thrown(() => defaultKeyType(c, 'shop.t'));
      expect(e.message).toMatch(/no default Tablestore key type/);
      expect(e.hint).toMatch(/primaryKey: \[\{ column: c, type: STRING \}\]/);
    }
  });

  it('the exported table documents every rule', () => {
    for (const r of DEFAULT_TYPE_MAP) {
      expect(r.mysql.length).toBeGreaterThan(0);
      expect(r.note.length).toBeGreaterThan(0);
    }
    expect(DEFAULT_TYPE_MAP.at(-1)!.matches(col('x', 'whatever'))).toBe(true);
  });
});

describe('toCell', () => {
  it('INTEGER: SDK Long, exact at the int64 edges', () => {
    const c = col('n', 'bigint(20)');
    expect(text(toCell('9223372036854775807', 'INTEGER', c))).toBe('long:9223372036854775807');
    expect(text(toCell('-9223372036854775808', 'INTEGER', c))).toBe('long:-9223372036854775808');
    expect(text(toCell('9007199254740993', 'INTEGER', c))).toBe('long:9007199254740993');
    expect(text(toCell('0', 'INTEGER', c))).toBe('long:0');
  });

  it('BIGINT UNSIGNED above 2^63-1 is a conversion error pointing at STRING', () => {
    const c = col('n', 'bigint(20) unsigned');
    expect(text(toCell('9223372036854775807', 'INTEGER', c))).toBe('long:9223372036854775807');
    const err = thrown(() => toCell('18446744073709551615', 'INTEGER', c));
    expect(err).toBeInstanceOf(ConversionError);
    expect(err.message).toMatch(/outside the signed 64-bit range/);
    expect(err.hint).toMatch(/STRING/);
    expect(toCell('18446744073709551615', 'STRING', c)).toBe('18446744073709551615');
  });

  it('BIT: unsigned value of the bytes; BIT(64) stays bytes', () => {
    expect(text(toCell(Buffer.from([0x01, 0x02]), 'INTEGER', col('b', 'bit(16)')))).toBe('long:258');
    expect(toCell(Buffer.from([1]), 'BOOLEAN', col('b', 'bit(1)'))).toBe(true);
    expect(toCell(Buffer.from([0]), 'BOOLEAN', col('b', 'bit(1)'))).toBe(false);
    const b64 = Buffer.from('ffffffffffffffff', 'hex');
    expect(toCell(b64, 'BINARY', col('b', 'bit(64)'))).toEqual(b64);
    expect(() => toCell(b64, 'INTEGER', col('b', 'bit(64)'))).toThrow(ConversionError);
    expect(toCell(b64, 'STRING', col('b', 'bit(64)'))).toBe('18446744073709551615');
  });

  it('TINYINT(1): integer by default, BOOLEAN on request', () => {
    const c = col('flag', 'tinyint(1)');
    expect(text(toCell('1', 'INTEGER', c))).toBe('long:1');
    expect(toCell('1', 'BOOLEAN', c)).toBe(true);
    expect(toCell('0', 'BOOLEAN', c)).toBe(false);
    expect(toCell('-3', 'BOOLEAN', c)).toBe(true);
  });

  it('DECIMAL: exact text; DOUBLE on request; INTEGER only for whole values', () => {
    const c = col('price', 'decimal(30,10)');
    expect(toCell('12345678901234567890.0123456789', 'STRING', c)).toBe('12345678901234567890.0123456789');
    expect(toCell('12.50', 'DOUBLE', c)).toBe(12.5);
    expect(text(toCell('12.000', 'INTEGER', c))).toBe('long:12');
    expect(() => toCell('12.5', 'INTEGER', c)).toThrow(/not a whole number/);
  });

  it('FLOAT/DOUBLE → number', () => {
    expect(toCell('3.14', 'DOUBLE', col('f', 'float'))).toBe(3.14);
    expect(toCell('-1e+300', 'DOUBLE', col('d', 'double'))).toBe(-1e300);
    expect(toCell('0', 'DOUBLE', col('d', 'double'))).toBe(0);
    expect(typeof toCell('2', 'DOUBLE', col('d', 'double'))).toBe('number');
  });

  it('temporal: text by default; INTEGER as epoch milliseconds (UTC); TIME has no such form', () => {
    expect(toCell('2024-05-01 12:00:00.250', 'STRING', col('t', 'datetime(3)'))).toBe('2024-05-01 12:00:00.250');
    expect(text(toCell('1970-01-01 00:00:01.250999', 'INTEGER', col('t', 'datetime(6)')))).toBe('long:1250');
    expect(text(toCell('2024-05-01', 'INTEGER', col('d', 'date')))).toBe(`long:${Date.UTC(2024, 4, 1)}`);
    expect(text(toCell('2024-05-01 12:00:00', 'INTEGER', col('ts', 'timestamp')))).toBe(`long:${Date.UTC(2024, 4, 1, 12)}`);
    expect(text(toCell('2024', 'INTEGER', col('y', 'year')))).toBe('long:2024');
    expect(() => toCell('0000-00-00 00:00:00', 'INTEGER', col('t', 'datetime'))).toThrow(ConversionError);
    expect(() => toCell('838:59:59', 'INTEGER', col('t', 'time'))).toThrow(ConversionError);
    expect(() => toCell('2024-05-01', 'DOUBLE', col('d', 'date'))).toThrow(/not a number/);
  });

  it('text, enum, set, json, geometry → string; BINARY on request gives the UTF-8 bytes', () => {
    expect(toCell('héllo', 'STRING', col('s', 'varchar(10)'))).toBe('héllo');
    expect(toCell('a,b', 'STRING', col('s', "set('a','b')"))).toBe('a,b');
    expect(toCell('{"a":1}', 'STRING', col('j', 'json'))).toBe('{"a":1}');
    expect(toCell('POINT(1 2)', 'STRING', col('g', 'point'))).toBe('POINT(1 2)');
    expect(toCell('é', 'BINARY', col('s', 'varchar(10)'))).toEqual(Buffer.from('é', 'utf8'));
    expect(() => toCell('abc', 'INTEGER', col('s', 'varchar(10)'))).toThrow(ConversionError);
    expect(() => toCell('', 'DOUBLE', col('s', 'varchar(10)'))).toThrow(ConversionError);
    expect(() => toCell('0x10', 'DOUBLE', col('s', 'varchar(10)'))).toThrow(ConversionError);
    expect(toCell('TRUE', 'BOOLEAN', col('s', 'varchar(10)'))).toBe(true);
    expect(() => toCell('maybe', 'BOOLEAN', col('s', 'varchar(10)'))).toThrow(ConversionError);
  });

  it('binary → Buffer; STRING only for valid UTF-8', () => {
    const c = col('b', 'varbinary(10)');
    const bytes = Buffer.from([0xde, 0xad, 0xbe, 0xef]);
    expect(toCell(bytes, 'BINARY', c)).toBe(bytes);
    expect(toCell(Buffer.from('ok'), 'STRING', c)).toBe('ok');
    expect(() => toCell(bytes, 'STRING', c)).toThrow(/not valid UTF-8/);
    expect(() => toCell(bytes, 'INTEGER', c)).toThrow(ConversionError);
    expect(() => toCell(bytes, 'DOUBLE', c)).toThrow(ConversionError);
  });

  it('NULL stays null for attributes and is an error for keys', () => {
    expect(toCell(null, 'STRING', col('s', 'text'))).toBeNull();
    expect(() => toKeyCell(null, 'STRING', col('s', 'varchar(5)'))).toThrow(/needs a value/);
  });

  it('key cells', () => {
    expect(text(toKeyCell('42', 'INTEGER', col('id', 'int(11)')))).toBe('long:42');
    expect(toKeyCell('42', 'STRING', col('id', 'int(11)'))).toBe('42');
    expect(toKeyCell('2024-05-01', 'STRING', col('d', 'date'))).toBe('2024-05-01');
    expect(toKeyCell(Buffer.from([1, 2]), 'BINARY', col('b', 'binary(2)'))).toEqual(Buffer.from([1, 2]));
    expect(() => toKeyCell('x', 'INTEGER', col('id', 'varchar(5)'))).toThrow(ConversionError);
  });
});
