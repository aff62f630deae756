// The type-parity table (test/integration/source/type-parity.it.test.ts) as SQL for tests that copy it
// somewhere: every column type at its limits, ordinary values and NULL. `mariadbTypes` adds the
// columns TiDB lacks (GEOMETRY, POINT, UUID, INET6); `invalidDate` makes row 2's DATE one only
// ALLOW_INVALID_DATES accepts (both need sql_mode ALLOW_INVALID_DATES and time_zone UTC).
const COLUMNS = `id INT PRIMARY KEY,
  ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED,
  i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
  d DECIMAL(65,30), d2 DECIMAL(10,2), f FLOAT, db DOUBLE, b1 BIT(1), b64 BIT(64),
  dt DATE, dtm DATETIME(6), dtm0 DATETIME, ts TIMESTAMP(6) NULL, tm TIME(6), y YEAR,
  ch CHAR(10), vc VARCHAR(40), l1 VARCHAR(20) CHARACTER SET latin1,
  bin BINARY(4), vb VARBINARY(10), tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, lb LONGBLOB,
  tt TINYTEXT, tx TEXT, mt MEDIUMTEXT, lt LONGTEXT,
  e ENUM('small','large, xl'), s SET('a','b c','d'), j JSON`;
const MARIADB_COLUMNS = ', g GEOMETRY, p POINT, u UUID, i6 INET6';

const ROW1 = `1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295, -9223372036854775808, 18446744073709551615,
    '-12345678901234567890123456789012345.123456789012345678901234567890', 5, 3.14159, 1.7976931348623157e308, b'1', b'1111111111111111111111111111111111111111111111111111111111111111',
    '0000-00-00', '2024-02-29 23:59:59.123456', '1000-01-01 00:00:00', '2038-01-19 03:14:07.999999', '-838:59:59.000000', 2155,
    'abc', 'emoji 😀 "q" \\\\ \\t tab', 'café',
    x'01020000', x'', x'00', x'00ff', x'deadbeef', x'',
    'tiny', '多字节 text', REPEAT('m', 70000), 'long',
    'large, xl', 'a,b c', '{"a": 12345678901234567890, "b": [1, 2.5, null]}'`;
const ROW1_MARIADB = `, ST_GeomFromText('POINT(1 2)'), ST_GeomFromText('POINT(3.5 -4)'),
    '123e4567-e89b-12d3-a456-426614174000', '::ffff:1.2.3.4'`;

const row2 = (date: string) => `2, 0, 0, 1, 2, 3, 4, 5, 6, 9007199254740993, 9223372036854775808, 0.000000000000000000000000000001, -0.5, -1.5e-7, 0.1, b'0', b'101',
    '${date}', '1970-01-01 00:00:01.000001', '9999-12-31 23:59:59', '1970-01-01 00:00:01.000000', '838:59:59.999999', 1901,
    '', '', '', x'ff', x'00', x'', x'', x'', x'00',
    '', '', '', '', 'small', '', '[]'`;
const ROW2_MARIADB = `, ST_GeomFromText('LINESTRING(0 0,1 1,2 3)'), ST_GeomFromText('POINT(0 0)'),
    '6ccd780c-baba-4026-9564-5b8c656024db', '2001:db8::1'`;

/** Columns besides id: 38, and 42 with the MariaDB-only ones. */
const VALUE_COLUMNS = 38;

export function typeTableSql(o: { mariadbTypes: boolean; invalidDate?: boolean }): { columns: string; rows: string[] } {
  const extra = (s: string) => (o.mariadbTypes ? s : '');
  return {
    columns: COLUMNS + extra(MARIADB_COLUMNS),
    rows: [
      `(${ROW1}${extra(ROW1_MARIADB)})`,
      `(${row2(o.invalidDate ? '2024-02-30' : '2024-01-01')}${extra(ROW2_MARIADB)})`,
      `(3${', NULL'.repeat(VALUE_COLUMNS + (o.mariadbTypes ? 4 : 0))})`,
    ],
  };
}
