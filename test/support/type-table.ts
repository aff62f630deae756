// The columns and canonical values of the type-parity table (test/integration/source/type-parity),
// as a table description: for round trips through the feed decoders without a database.
import type { ColumnInfo, Row, TableInfo } from '../../src/model/source-data.js';

export const col = (name: string, columnType: string, extra: Partial<ColumnInfo> = {}): ColumnInfo => {
  const dataType = columnType.split(/[ (]/)[0]!;
  return {
    name, dataType, columnType, unsigned: /unsigned/.test(columnType), nullable: true,
    binary: ['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob', 'bit'].includes(dataType), ...extra,
  };
};

// The columns of test/integration/source/type-parity.it.test.ts, as information_schema describes them.
export const COLUMNS: ColumnInfo[] = [
  col('id', 'int(11)'), col('ti', 'tinyint(4)'), col('tiu', 'tinyint(3) unsigned'), col('si', 'smallint(6)'), col('siu', 'smallint(5) unsigned'),
  col('mi', 'mediumint(9)'), col('miu', 'mediumint(8) unsigned'), col('i', 'int(11)'), col('iu', 'int(10) unsigned'), col('bi', 'bigint(20)'),
  col('biu', 'bigint(20) unsigned'), col('d', 'decimal(65,30)'), col('d2', 'decimal(10,2)'), col('f', 'float'), col('db', 'double'),
  col('b1', 'bit(1)'), col('b64', 'bit(64)'), col('dt', 'date'), col('dtm', 'datetime(6)', { fsp: 6 }), col('dtm0', 'datetime', { fsp: 0 }),
  col('ts', 'timestamp(6)', { fsp: 6 }), col('tm', 'time(6)', { fsp: 6 }), col('y', 'year(4)'), col('ch', 'char(10)', { charset: 'utf8mb4' }),
  col('vc', 'varchar(40)', { charset: 'utf8mb4' }), col('l1', 'varchar(20)', { charset: 'latin1' }), col('bin', 'binary(4)'), col('vb', 'varbinary(10)'),
  col('tb', 'tinyblob'), col('bl', 'blob'), col('mb', 'mediumblob'), col('lb', 'longblob'), col('tt', 'tinytext'), col('tx', 'text'),
  col('mt', 'mediumtext'), col('lt', 'longtext'), col('e', "enum('small','large, xl')"), col('s', "set('a','b c','d')"), col('j', 'longtext'),
  col('g', 'geometry'), col('p', 'point'), col('u', 'uuid'), col('i6', 'inet6'),
];
export const TABLE: TableInfo = { database: 'shop', table: 'types', columns: COLUMNS, primaryKey: ['id'], chunkKey: ['id'], keyKind: 'primary', estimatedRows: 0 };
export const B = (...b: number[]) => Buffer.from(b);

// Canonical rows (what the snapshot reader gives): the type-parity table's values.
export const ROWS: Row[] = [
  {
    id: '1', ti: '-128', tiu: '255', si: '-32768', siu: '65535', mi: '-8388608', miu: '16777215', i: '-2147483648', iu: '4294967295',
    bi: '-9223372036854775808', biu: '18446744073709551615', d: '-12345678901234567890123456789012345.123456789012345678901234567890',
    d2: '5.00', f: '3.14159', db: '1.7976931348623157e+308', b1: B(1), b64: Buffer.alloc(8, 0xff),
    dt: '0000-00-00', dtm: '2024-02-29 23:59:59.123456', dtm0: '1000-01-01 00:00:00', ts: '2038-01-19 03:14:07.999999', tm: '-838:59:59.000000', y: '2155',
    ch: 'abc', vc: 'emoji 😀 "q" \\ \t tab', l1: 'café', bin: B(1, 2, 0, 0), vb: B(), tb: B(0), bl: B(0, 0xff), mb: B(0xde, 0xad, 0xbe, 0xef), lb: B(),
    tt: 'tiny', tx: '多字节 text', mt: 'm'.repeat(70000), lt: 'long', e: 'large, xl', s: 'a,b c', j: '{"a": 12345678901234567890, "b": [1, 2.5, null]}',
    g: 'POINT(1 2)', p: 'POINT(3.5 -4)', u: '123e4567-e89b-12d3-a456-426614174000', i6: '::ffff:1.2.3.4',
  },
  {
    id: '2', ti: '0', tiu: '0', si: '1', siu: '2', mi: '3', miu: '4', i: '5', iu: '6', bi: '9007199254740993', biu: '9223372036854775808',
    d: '0.000000000000000000000000000001', d2: '-0.50', f: '-1.5e-7', db: '0.1', b1: B(0), b64: B(0, 0, 0, 0, 0, 0, 0, 5),
    dt: '2024-01-01', dtm: '1970-01-01 00:00:01.000001', dtm0: '9999-12-31 23:59:59', ts: '1970-01-01 00:00:01.000000', tm: '838:59:59.999999', y: '1901',
    ch: '', vc: '', l1: '', bin: B(0xff, 0, 0, 0), vb: B(0), tb: B(), bl: B(), mb: B(), lb: B(0), tt: '', tx: '', mt: '', lt: '', e: 'small', s: '', j: '[]',
    g: 'LINESTRING(0 0,1 1,2 3)', p: 'POINT(0 0)', u: '6ccd780c-baba-4026-9564-5b8c656024db', i6: '2001:db8::1',
  },
  Object.fromEntries(COLUMNS.map((c) => [c.name, c.name === 'id' ? '3' : null])),
];

