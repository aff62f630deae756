// The type-parity table (test/integration/source/type-parity.it.test.ts) without the types TiDB
// lacks (GEOMETRY, POINT, UUID, INET6): every column type a TiDB source can hold, as SQL.
export const TYPE_COLUMNS = `id INT PRIMARY KEY,
  ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED,
  i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
  d DECIMAL(65,30), d2 DECIMAL(10,2), f FLOAT, db DOUBLE, b1 BIT(1), b64 BIT(64),
  dt DATE, dtm DATETIME(6), dtm0 DATETIME, ts TIMESTAMP(6) NULL, tm TIME(6), y YEAR,
  ch CHAR(10), vc VARCHAR(40), l1 VARCHAR(20) CHARACTER SET latin1,
  bin BINARY(4), vb VARBINARY(10), tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, lb LONGBLOB,
  tt TINYTEXT, tx TEXT, mt MEDIUMTEXT, lt LONGTEXT,
  e ENUM('small','large, xl'), s SET('a','b c','d'), j JSON`;

/** One row at the limits, one of ordinary values, one all NULL (needs sql_mode ALLOW_INVALID_DATES, time_zone UTC). */
export const TYPE_ROWS = [
  `(1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295, -9223372036854775808, 18446744073709551615,
    '-12345678901234567890123456789012345.123456789012345678901234567890', 5, 3.14159, 1.7976931348623157e308, b'1', b'1111111111111111111111111111111111111111111111111111111111111111',
    '0000-00-00', '2024-02-29 23:59:59.123456', '1000-01-01 00:00:00', '2038-01-19 03:14:07.999999', '-838:59:59.000000', 2155,
    'abc', 'emoji 😀 "q" \\\\ \\t tab', 'café',
    x'01020000', x'', x'00', x'00ff', x'deadbeef', x'',
    'tiny', '多字节 text', REPEAT('m', 70000), 'long',
    'large, xl', 'a,b c', '{"a": 12345678901234567890, "b": [1, 2.5, null]}')`,
  `(2, 0, 0, 1, 2, 3, 4, 5, 6, 9007199254740993, 9223372036854775808, 0.000000000000000000000000000001, -0.5, -1.5e-7, 0.1, b'0', b'101',
    '2024-01-01', '1970-01-01 00:00:01.000001', '9999-12-31 23:59:59', '1970-01-01 00:00:01.000000', '838:59:59.999999', 1901,
    '', '', '', x'ff', x'00', x'', x'', x'', x'00',
    '', '', '', '', 'small', '', '[]')`,
  `(3${', NULL'.repeat(38)})`,
];
