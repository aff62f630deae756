// Filter cases with the answers MariaDB 10.11 gives, shared by the unit tests (mig's evaluator) and
// an integration test that runs the same filters on a real server to prove the two agree. Where
// MySQL differs (a string compared with an integer), the answers are MariaDB's.
//
// To replay a case on a server: CREATE TABLE t (<columns>) <FILTER_CASE_TABLE_OPTIONS>, then for
// each row insert it alone (values in column order, NULL for null) and check whether
// `SELECT COUNT(*) FROM t WHERE <filter>` is 1. The connection uses SET NAMES utf8mb4 (mysql2's
// default collation utf8mb4_unicode_ci) and the server's default sql_mode.
import type { ColumnInfo, Row } from '../../../src/model/source-data.js';

export interface FilterCase {
  filter: string;
  /** Column definitions as written inside CREATE TABLE ( … ). */
  columns: string;
  /** Row values in column order, in mig's canonical text form; null is SQL NULL. */
  rows: (string | null)[][];
  /** Whether `WHERE <filter>` selects each row. */
  expected: boolean[];
}

export const FILTER_CASE_TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci';

const STATUS_AMOUNT = 'status VARCHAR(20), amount DECIMAL(10,2)';
const AB = 'a INT, b INT';
const T = true;
const F = false;

export const FILTER_CASES: FilterCase[] = [
  // The DTS-style filter from the spec docs.
  {
    filter: "status <> 'draft' AND amount >= 10",
    columns: STATUS_AMOUNT,
    rows: [['paid', '10.00'], ['draft', '50.00'], ['Draft', '50.00'], ['paid', '9.99'], [null, '20.00'], ['paid', null], ['DRAFT ', '11.00']],
    expected: [T, F, F, F, F, F, F],
  },
  // Case-, accent- and trailing-space-insensitive comparison under utf8mb4_general_ci.
  { filter: "status = 'draft'", columns: STATUS_AMOUNT, rows: [['Draft', '1.00'], ['DRAFT', '1.00'], ['draft  ', '1.00'], ['draf', '1.00'], ['dräft', '1.00']], expected: [T, T, T, F, T] },
  { filter: "status = 'ÉTÉ'", columns: STATUS_AMOUNT, rows: [['été', '1.00'], ['ete', '1.00'], ['etes', '1.00']], expected: [T, T, F] },
  { filter: "status < 'b'", columns: STATUS_AMOUNT, rows: [['A', '1.00'], ['a', '1.00'], ['B', '1.00'], ['b ', '1.00'], ['ab', '1.00']], expected: [T, T, F, F, T] },
  { filter: "status IN ('paid', 'shipped')", columns: STATUS_AMOUNT, rows: [['PAID', '1.00'], ['Shipped ', '1.00'], ['draft', '1.00'], [null, '1.00']], expected: [T, T, F, F] },
  { filter: 'status = "paid"', columns: STATUS_AMOUNT, rows: [['paid', '1.00'], ['unpaid', '1.00']], expected: [T, F] },
  { filter: "status = 'it''s' OR status = 'it\\'s ok'", columns: STATUS_AMOUNT, rows: [["it's", '1.00'], ["it's ok", '1.00'], ['its', '1.00']], expected: [T, T, F] },
  // _bin collations compare exactly but still ignore trailing spaces; binary strings do neither.
  { filter: "code = 'abc'", columns: 'code VARCHAR(10) COLLATE utf8mb4_bin', rows: [['abc'], ['ABC'], ['abc '], ['ab']], expected: [T, F, T, F] },
  { filter: "UPPER(code) = 'ABC'", columns: 'code VARCHAR(10) COLLATE utf8mb4_bin', rows: [['abc'], ['aBc'], ['abd']], expected: [T, T, F] },
  { filter: "b = 'abc'", columns: 'b VARBINARY(10)', rows: [['abc'], ['ABC'], ['abc ']], expected: [T, F, F] },
  { filter: "b LIKE 'a%'", columns: 'b VARBINARY(10)', rows: [['abc'], ['ABC']], expected: [T, F] },
  // Three-valued logic: WHERE keeps only TRUE.
  { filter: 'a = 1 OR b = 1', columns: AB, rows: [['1', null], [null, '1'], [null, '0'], ['0', '0']], expected: [T, T, F, F] },
  { filter: 'a = 1 AND b = 1', columns: AB, rows: [['1', null], ['0', null], ['1', '1']], expected: [F, F, T] },
  { filter: 'NOT (a = 1)', columns: AB, rows: [[null, null], ['0', null], ['1', null]], expected: [F, T, F] },
  { filter: 'a XOR b', columns: AB, rows: [['1', '0'], ['1', '1'], [null, '1'], ['0', '0']], expected: [T, F, F, F] },
  { filter: 'a <=> b', columns: AB, rows: [[null, null], ['1', null], ['1', '1'], ['1', '2']], expected: [T, F, T, F] },
  { filter: 'a IS NULL', columns: AB, rows: [[null, '1'], ['0', '1']], expected: [T, F] },
  { filter: 'a IS NOT NULL AND b IS NULL', columns: AB, rows: [['1', null], ['1', '1'], [null, null]], expected: [T, F, F] },
  { filter: 'a IN (1, NULL)', columns: AB, rows: [['1', null], ['2', null], [null, null]], expected: [T, F, F] },
  { filter: 'a NOT IN (1, NULL)', columns: AB, rows: [['1', null], ['2', null]], expected: [F, F] },
  { filter: 'a NOT IN (1, 2)', columns: AB, rows: [['1', null], ['3', null], [null, null]], expected: [F, T, F] },
  { filter: 'a + NULL IS NULL', columns: AB, rows: [['1', null]], expected: [T] },
  { filter: 'a IS TRUE', columns: AB, rows: [['2', null], ['0', null], [null, null]], expected: [T, F, F] },
  { filter: 'a IS NOT FALSE', columns: AB, rows: [['2', null], ['0', null], [null, null]], expected: [T, F, T] },
  // Precedence: NOT binds looser than =, ! tighter; AND before OR.
  { filter: 'NOT a = 1', columns: AB, rows: [['0', null], ['1', null], ['2', null]], expected: [T, F, T] },
  { filter: '!a = 1', columns: AB, rows: [['0', null], ['1', null], ['2', null]], expected: [T, F, F] },
  { filter: 'a = 1 OR b = 1 AND a = 2', columns: AB, rows: [['1', '0'], ['0', '1'], ['2', '1']], expected: [T, F, T] },
  { filter: '(a = 1 OR b = 1) AND a = 2', columns: AB, rows: [['1', '0'], ['2', '1']], expected: [F, T] },
  { filter: 'a && b || NOT a', columns: AB, rows: [['1', '1'], ['1', '0'], ['0', '0']], expected: [T, F, T] },
  // A bare column is true when non-zero; strings by their numeric prefix.
  { filter: 'a', columns: AB, rows: [['0', null], ['1', null], ['-2', null], [null, null]], expected: [F, T, T, F] },
  { filter: 'code', columns: 'code VARCHAR(10)', rows: [['1abc'], ['abc'], ['0.0'], ['0.5']], expected: [T, F, F, T] },
  // Strings against numbers compare as numbers: the leading numeric prefix, else 0.
  {
    filter: 'code = 10',
    columns: 'code VARCHAR(10)',
    rows: [['10'], ['10abc'], [' 10'], ['1e1'], ['abc'], ['010'], ['10.0'], ['9']],
    expected: [T, T, T, T, F, T, T, F],
  },
  { filter: 'code = 0', columns: 'code VARCHAR(10)', rows: [['abc'], [''], ['0x5'], ['5']], expected: [T, T, T, F] },
  { filter: 'code = 1.0', columns: 'code VARCHAR(10)', rows: [['1'], ['1.00'], ['1.5']], expected: [T, T, F] },
  { filter: "n = '10abc'", columns: 'n INT', rows: [['10'], ['11']], expected: [T, F] },
  { filter: "n > '9'", columns: 'n INT', rows: [['10'], ['9']], expected: [T, F] },
  // DECIMAL compares exactly, also against a string constant.
  {
    filter: 'amount > 0.30000000000000001',
    columns: 'amount DECIMAL(65,30)',
    rows: [
      ['0.300000000000000000000000000000'],
      ['0.300000000000000010000000000000'],
      ['0.300000000000000020000000000000'],
      ['0.300000000000000009999999999999'],
    ],
    expected: [F, F, T, F],
  },
  {
    filter: "amount = '0.30000000000000001'",
    columns: 'amount DECIMAL(65,30)',
    rows: [['0.300000000000000010000000000000'], ['0.300000000000000000000000000000']],
    expected: [T, F],
  },
  { filter: '0.1 + 0.2 = 0.3', columns: 'amount DECIMAL(10,2)', rows: [['1.00']], expected: [T] },
  { filter: 'amount * 2 > 100', columns: 'amount DECIMAL(10,2)', rows: [['50.01'], ['50.00'], [null]], expected: [T, F, F] },
  { filter: 'amount - 0.005 >= 10', columns: 'amount DECIMAL(10,2)', rows: [['10.01'], ['10.00']], expected: [T, F] },
  { filter: 'amount IN (1, 2.5, 3, 4, 5, 6, 7, 8)', columns: 'amount DECIMAL(10,2)', rows: [['2.50'], ['2.00'], ['8.00']], expected: [T, F, T] },
  // BIGINT beyond 2^53, and BIGINT UNSIGNED at its maximum.
  {
    filter: 'id > 18446744073709551614',
    columns: 'id BIGINT UNSIGNED',
    rows: [['18446744073709551615'], ['18446744073709551614'], ['0']],
    expected: [T, F, F],
  },
  {
    filter: "id = '18446744073709551614'",
    columns: 'id BIGINT UNSIGNED',
    rows: [['18446744073709551615'], ['18446744073709551614']],
    expected: [F, T],
  },
  { filter: 'id = 9007199254740993', columns: 'id BIGINT', rows: [['9007199254740993'], ['9007199254740992']], expected: [T, F] },
  { filter: 'id IN (9007199254740993, 1)', columns: 'id BIGINT', rows: [['9007199254740993'], ['9007199254740992']], expected: [T, F] },
  // FLOAT holds a float32: 1.1 stored is not the double 1.1.
  { filter: 'f = 1.1', columns: 'f FLOAT', rows: [['1.1'], ['1.5']], expected: [F, F] },
  { filter: 'f > 1.1', columns: 'f FLOAT', rows: [['1.1'], ['1']], expected: [T, F] },
  { filter: 'f = 1.5', columns: 'f FLOAT', rows: [['1.5']], expected: [T] },
  { filter: 'd = 1.1', columns: 'd DOUBLE', rows: [['1.1'], ['1.2']], expected: [T, F] },
  { filter: 'd > 0.3', columns: 'd DOUBLE', rows: [['0.30000000000000004'], ['0.3']], expected: [T, F] },
  // Integer arithmetic, DIV, MOD and division to DECIMAL with four more digits.
  { filter: 'n / 3 = 0.3333', columns: 'n INT', rows: [['1'], ['2']], expected: [T, F] },
  { filter: 'n DIV 2 = 3', columns: 'n INT', rows: [['7'], ['6'], ['8'], ['-7']], expected: [T, T, F, F] },
  { filter: 'n % 3 = 1', columns: 'n INT', rows: [['7'], ['-7'], ['3']], expected: [T, F, F] },
  { filter: 'n MOD 3 = -1', columns: 'n INT', rows: [['-7'], ['7']], expected: [T, F] },
  { filter: '-n > 5', columns: 'n INT', rows: [['-6'], ['6']], expected: [T, F] },
  { filter: 'n / 0 IS NULL', columns: 'n INT', rows: [['1']], expected: [T] },
  { filter: 'n IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)', columns: 'n INT', rows: [['5'], ['11'], [null]], expected: [T, F, F] },
  { filter: 'n NOT IN (1, 2, 3, 4, 5, 6, 7, 8, NULL)', columns: 'n INT', rows: [['9'], ['1']], expected: [F, F] },
  { filter: 'n BETWEEN 1 AND 10', columns: 'n INT', rows: [['0'], ['1'], ['10'], ['11'], [null]], expected: [F, T, T, F, F] },
  { filter: 'n NOT BETWEEN 1 AND 10', columns: 'n INT', rows: [['0'], ['5'], [null]], expected: [T, F, F] },
  { filter: "code BETWEEN 'a' AND 'c'", columns: 'code VARCHAR(10)', rows: [['B'], ['c'], ['cz'], ['C ']], expected: [T, T, F, T] },
  // LIKE: wildcards, escapes, collation, trailing spaces count.
  { filter: "code LIKE 'ab%'", columns: 'code VARCHAR(10)', rows: [['abc'], ['ABC'], ['xab'], ['ab'], [null]], expected: [T, T, F, T, F] },
  { filter: "code LIKE 'a_c'", columns: 'code VARCHAR(10)', rows: [['abc'], ['ac'], ['abbc'], ['aéc']], expected: [T, F, F, T] },
  { filter: "code LIKE '%\\%%'", columns: 'code VARCHAR(10)', rows: [['50%'], ['50']], expected: [T, F] },
  { filter: "code LIKE 'a\\_b'", columns: 'code VARCHAR(10)', rows: [['a_b'], ['axb']], expected: [T, F] },
  { filter: "code LIKE 'a|_%' ESCAPE '|'", columns: 'code VARCHAR(10)', rows: [['a_b'], ['ab'], ['a|b']], expected: [T, F, F] },
  { filter: "code NOT LIKE 'a%'", columns: 'code VARCHAR(10)', rows: [['abc'], ['b'], [null]], expected: [F, T, F] },
  { filter: "code LIKE 'a'", columns: 'code VARCHAR(10)', rows: [['a'], ['a '], ['A']], expected: [T, F, T] },
  { filter: "code LIKE 'e%'", columns: 'code VARCHAR(10)', rows: [['été'], ['Ete'], ['ate']], expected: [T, T, F] },
  { filter: "code LIKE 'ab' 'c%'", columns: 'code VARCHAR(10)', rows: [['abcd'], ['abd']], expected: [T, F] },
  { filter: "amount LIKE '10.5%'", columns: 'amount DECIMAL(10,2)', rows: [['10.50'], ['10.05']], expected: [T, F] },
  // Dates and times: strings are read as dates; a DATE equals that day at midnight.
  {
    filter: "d >= '2024-01-01'",
    columns: 'd DATE',
    rows: [['2023-12-31'], ['2024-01-01'], ['2024-06-30'], [null]],
    expected: [F, T, T, F],
  },
  { filter: "d = '2024-01-01 00:00:00'", columns: 'd DATE', rows: [['2024-01-01'], ['2024-01-02']], expected: [T, F] },
  { filter: "d < '2024-01-01 12:00:00'", columns: 'd DATE', rows: [['2024-01-01'], ['2024-01-02']], expected: [T, F] },
  { filter: "d = '2024-1-1'", columns: 'd DATE', rows: [['2024-01-01']], expected: [T] },
  { filter: 'd = 20240101', columns: 'd DATE', rows: [['2024-01-01'], ['2024-01-02']], expected: [T, F] },
  { filter: "d BETWEEN '2024-01-01' AND '2024-01-31'", columns: 'd DATE', rows: [['2024-01-15'], ['2024-02-01']], expected: [T, F] },
  { filter: "d > 'garbage'", columns: 'd DATE', rows: [['2024-01-01']], expected: [T] },
  {
    filter: "d IN ('2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-06', '2024-01-07', '2024-01-08')",
    columns: 'd DATE',
    rows: [['2024-01-02'], ['2024-01-09']],
    expected: [T, F],
  },
  {
    filter: "dt >= '2024-01-01' AND dt < '2024-01-02'",
    columns: 'dt DATETIME',
    rows: [['2024-01-01 00:00:00'], ['2023-12-31 23:59:59'], ['2024-01-01 23:59:59'], ['2024-01-02 00:00:00']],
    expected: [T, F, T, F],
  },
  { filter: "DATE(dt) = '2024-01-01'", columns: 'dt DATETIME', rows: [['2024-01-01 23:59:59'], ['2024-01-02 00:00:00']], expected: [T, F] },
  { filter: 'YEAR(dt) = 2024', columns: 'dt DATETIME', rows: [['2024-12-31 23:59:59'], ['2025-01-01 00:00:00']], expected: [T, F] },
  {
    filter: "dt > '2024-01-01 00:00:00.5'",
    columns: 'dt DATETIME(6)',
    rows: [['2024-01-01 00:00:00.500001'], ['2024-01-01 00:00:00.500000']],
    expected: [T, F],
  },
  { filter: "dt = '2024-01-01T12:00:00'", columns: 'dt DATETIME', rows: [['2024-01-01 12:00:00']], expected: [T] },
  { filter: 'dt < NOW()', columns: 'dt DATETIME', rows: [['2000-01-01 00:00:00'], ['2999-01-01 00:00:00']], expected: [T, F] },
  { filter: "t > '12:00'", columns: 't TIME', rows: [['12:00:01'], ['11:59:59'], ['100:00:00'], ['-01:00:00']], expected: [T, F, T, F] },
  // ENUM and YEAR: numbers mean the ENUM index; YEAR reads two-digit numbers as years.
  { filter: "e = 'b'", columns: "e ENUM('a','b','c')", rows: [['b'], ['a']], expected: [T, F] },
  { filter: 'e = 2', columns: "e ENUM('a','b','c')", rows: [['b'], ['a']], expected: [T, F] },
  { filter: 'y = 24', columns: 'y YEAR', rows: [['2024'], ['1924']], expected: [T, F] },
  { filter: "y > '1999'", columns: 'y YEAR', rows: [['2000'], ['1999']], expected: [T, F] },
  // Other collations: UCA expansions and punctuation order, latin1's Swedish order, strings vs integers.
  { filter: "s = 'strasse'", columns: 's VARCHAR(20) COLLATE utf8mb4_unicode_ci', rows: [['Straße'], ['strase']], expected: [T, F] },
  { filter: "s < '_'", columns: 's VARCHAR(20) COLLATE utf8mb4_unicode_ci', rows: [['-'], ['a'], ['`'], [' ']], expected: [F, F, T, T] },
  { filter: "s > 'z'", columns: 's VARCHAR(20) CHARACTER SET latin1', rows: [['ä'], ['é'], ['Z'], ['å']], expected: [T, F, F, T] },
  { filter: "s LIKE 'e%'", columns: 's VARCHAR(20) CHARACTER SET latin1', rows: [['été'], ['Ete'], ['ä']], expected: [T, T, F] },
  { filter: 's = 9007199254740993', columns: 's VARCHAR(30)', rows: [['9007199254740992'], ['9007199254740993']], expected: [F, T] },
  { filter: "d LIKE '0.3%'", columns: 'd DOUBLE', rows: [['0.30000000000000004'], ['0.4']], expected: [T, F] },
  { filter: "f LIKE '1.1%'", columns: 'f FLOAT', rows: [['1.1'], ['1.5']], expected: [T, F] },
  { filter: "t BETWEEN '09:00' AND '17:30'", columns: 't TIME', rows: [['09:00:00'], ['17:30:01'], ['12:00:00']], expected: [T, F, T] },
  // Functions.
  { filter: "LOWER(code) = 'abc'", columns: 'code VARCHAR(10)', rows: [['ABC'], ['abd']], expected: [T, F] },
  { filter: 'LENGTH(code) > 3', columns: 'code VARCHAR(10)', rows: [['é'], ['éé'], ['abcd']], expected: [F, T, T] },
  { filter: 'CHAR_LENGTH(code) = 2', columns: 'code VARCHAR(10)', rows: [['éé'], ['abc']], expected: [T, F] },
  { filter: 'COALESCE(a, 0) = 0', columns: AB, rows: [[null, null], ['0', null], ['1', null]], expected: [T, T, F] },
  { filter: "IFNULL(code, 'none') = 'none'", columns: 'code VARCHAR(10)', rows: [[null], ['NONE'], ['x']], expected: [T, T, F] },
  { filter: 'ABS(a) > 5', columns: AB, rows: [['-6', null], ['5', null]], expected: [T, F] },
  { filter: "SUBSTRING(code, 1, 3) = 'abc'", columns: 'code VARCHAR(10)', rows: [['abcdef'], ['xabc']], expected: [T, F] },
  { filter: "SUBSTR(code, -2) = 'yz'", columns: 'code VARCHAR(10)', rows: [['wxyz'], ['yzx']], expected: [T, F] },
  { filter: "SUBSTRING(code FROM 2 FOR 2) = 'bc'", columns: 'code VARCHAR(10)', rows: [['abcd'], ['bcd']], expected: [T, F] },
  { filter: "CONCAT(code, '-', a) = 'x-1'", columns: 'code VARCHAR(10), a INT', rows: [['x', '1'], ['x', null], ['X', '1']], expected: [T, F, T] },
  { filter: '`order` > 5', columns: '`order` INT', rows: [['6'], ['5']], expected: [T, F] },
];

/** ColumnInfo for a CREATE TABLE column list, with the defaults of FILTER_CASE_TABLE_OPTIONS. */
export function columnInfos(columns: string): ColumnInfo[] {
  return splitTopLevel(columns).map((def) => {
    const m = /^\s*(`(?:[^`]|``)+`|\w+)\s+(\w+)\s*(\((?:[^()']|'(?:[^']|'')*')*\))?(.*)$/s.exec(def);
    if (!m) throw new Error(`cannot read column definition: ${def}`);
    const name = m[1].startsWith('`') ? m[1].slice(1, -1).replace(/``/g, '`') : m[1];
    const dataType = m[2].toLowerCase();
    const rest = m[4];
    const unsigned = /\bunsigned\b/i.test(rest);
    const binary = /^(binary|varbinary|tinyblob|blob|mediumblob|longblob|bit)$/.test(dataType);
    const text = /^(char|varchar|tinytext|text|mediumtext|longtext|enum|set)$/.test(dataType);
    const charset = /\b(?:character\s+set|charset)\s+(\w+)/i.exec(rest)?.[1]?.toLowerCase();
    const defaultCollation = charset === 'latin1' ? 'latin1_swedish_ci' : `${charset ?? 'utf8mb4'}_general_ci`;
    const collation = /\bcollate\s+(\w+)/i.exec(rest)?.[1] ?? (text ? defaultCollation : undefined);
    const args = m[3] ?? '';
    const fsp = /^(datetime|timestamp|time)$/.test(dataType) ? Number(/\d+/.exec(args)?.[0] ?? 0) : undefined;
    const info: ColumnInfo = {
      name,
      dataType,
      columnType: `${dataType}${args}${unsigned ? ' unsigned' : ''}`,
      unsigned,
      nullable: !/\bnot\s+null\b/i.test(rest),
      binary,
    };
    if (text) {
      info.charset = collation?.split('_')[0] ?? 'utf8mb4';
      info.collation = collation;
    }
    if (fsp !== undefined) info.fsp = fsp;
    return info;
  });
}

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

/** A row image as the binlog reader would produce it: Buffers for binary columns. */
export function rowOf(infos: ColumnInfo[], values: (string | null)[]): Row {
  const row: Row = {};
  infos.forEach((c, i) => {
    const v = values[i];
    row[c.name] = v === null ? null : c.binary ? Buffer.from(v, 'utf8') : v;
  });
  return row;
}
