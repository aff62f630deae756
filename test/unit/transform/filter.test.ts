import { describe, expect, it } from 'vitest';
import { MigError } from '../../../src/util/errors.js';
import { compareDecimal, decimalDivide, doubleToText, stringToDecimal } from '../../../src/transform/filter-decimal.js';
import { compileFilter, compileFilterText, type FilterOptions } from '../../../src/transform/filter-eval.js';
import { parseFilter } from '../../../src/transform/filter-parse.js';
import { parseDatetime } from '../../../src/transform/filter-temporal.js';
import { FILTER_CASES, columnInfos, rowOf } from './filter-cases.js';

function filterOn(columns: string, filter: string, options?: FilterOptions): (values: (string | null)[]) => boolean {
  const infos = columnInfos(columns);
  const predicate = compileFilterText(filter, infos, options);
  return (values) => predicate(rowOf(infos, values));
}

describe('parseFilter errors', () => {
  const cases: [string, string, number][] = [
    ['a IN (1, 2', "expected ')' after IN list", 10],
    ['a IN 1', "expected '(' after IN", 5],
    ['a IN ()', 'the IN list must not be empty', 6],
    ['a BETWEEN 1 OR 2', 'expected AND in BETWEEN', 12],
    ["a LIKE 'x' ESCAPE 'ab'", 'ESCAPE must be followed by a one-character string literal', 18],
    ['FOO(a) = 1', 'unknown function FOO: supported are ABS, CHARACTER_LENGTH, CHAR_LENGTH', 0],
    ['LOWER(a, b) = 1', 'LOWER takes 1 argument, got 2', 0],
    ['IFNULL(a) = 1', 'IFNULL takes 2 arguments, got 1', 0],
    ["status = 'open", 'unterminated string starting here', 9],
    ['a = ', 'expected an expression, found end of filter', 4],
    ['a = 1)', "unexpected ')' after the end of the condition", 5],
    ['(a = 1', "expected ')', found end of filter", 6],
    ['a IS 5', 'expected NULL, TRUE, FALSE or UNKNOWN after IS', 5],
    ['a = 0x1F', 'hexadecimal and bit literals (0x1F) are not supported', 4],
    ["a = X'1F'", 'are not supported', 4],
    ['a := 1', 'operator := is not supported', 2],
    ['a REGEXP 1', 'REGEXP is not supported in filters; use LIKE', 2],
    ['a IN (SELECT b FROM t)', 'subqueries are not supported in filters', 6],
    ['a COLLATE utf8mb4_bin = 1', 'COLLATE is not supported', 2],
    ['(a, b) = (1, 2)', 'row constructors (a, b) are not supported', 2],
    ['a = 1 AND', 'expected an expression, found end of filter', 9],
    ['AND = 1', 'expected an expression, found AND', 0],
    ['`a = 1', 'unterminated `quoted identifier` starting here', 0],
    ['a = 1 /*! AND b = 2 */', 'executable comments', 6],
    ['a = 1.5e', 'malformed number', 4],
    ['t.', "expected a column name after '.', found end of filter", 2],
  ];
  it.each(cases)('%s', (text, message, offset) => {
    const r = parseFilter(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toContain(message);
    expect(r.offset).toBe(offset);
  });
});

describe('parseFilter trees', () => {
  it('lists each referenced column once, in order of appearance', () => {
    const r = parseFilter("status <> 'draft' AND (amount >= 10 OR `Status` IS NULL) AND t.`order` > 1");
    expect(r.ok && r.columns).toEqual(['status', 'amount', 'order']);
  });

  it('binds NOT looser than comparison and ! tighter', () => {
    const loose = parseFilter('NOT a = 1');
    const tight = parseFilter('!a = 1');
    expect(loose.ok && loose.expr.kind).toBe('not');
    expect(tight.ok && tight.expr.kind).toBe('compare');
  });

  it('reads keywords case-insensitively and keeps table qualifiers', () => {
    const r = parseFilter('t.a between 1 and 2 and b not like "x%" escape "!"');
    expect(r.ok).toBe(true);
    if (!r.ok || r.expr.kind !== 'logic') throw new Error('expected AND');
    expect(r.expr.left).toMatchObject({ kind: 'between', negated: false, arg: { kind: 'column', name: 'a', table: 't' } });
    expect(r.expr.right).toMatchObject({ kind: 'like', negated: true, escape: '!' });
  });

  it('reads MySQL string escapes and keeps \\% and \\_ for LIKE', () => {
    const r = parseFilter("a = 'it''s\\n\\%\\_\\x' 'y'");
    expect(r.ok && r.expr.kind === 'compare' && r.expr.right).toMatchObject({ value: "it's\n\\%\\_xy" });
  });

  it('types numeric literals as MySQL does', () => {
    const kinds = ['1', '1.5', '1e3', '18446744073709551615', '18446744073709551616'].map((n) => {
      const r = parseFilter(`a = ${n}`);
      return r.ok && r.expr.kind === 'compare' && r.expr.right.kind === 'number' ? r.expr.right.numberKind : '?';
    });
    expect(kinds).toEqual(['int', 'decimal', 'real', 'int', 'decimal']);
  });

  it('skips comments', () => {
    const r = parseFilter('a = 1 -- trailing\n AND b = 2 # more\n /* and */');
    expect(r.ok && r.columns).toEqual(['a', 'b']);
  });
});

describe('shared cases (also checked against MariaDB by the integration test)', () => {
  it.each(FILTER_CASES.map((c) => [c.filter, c] as const))('%s', (_f, c) => {
    const check = filterOn(c.columns, c.filter, { now: () => Date.UTC(2025, 0, 1) });
    expect(c.rows.map(check)).toEqual(c.expected);
  });
});

describe('compileFilter', () => {
  const cols = columnInfos('id INT, name VARCHAR(20)');

  it('names the table and its columns for an unknown column', () => {
    const parsed = parseFilter('nmae = 1');
    if (!parsed.ok) throw new Error(parsed.message);
    let error: unknown;
    try {
      compileFilter(parsed.expr, cols, { table: 'orders' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MigError);
    expect((error as MigError).message).toContain('column nmae, which table orders does not have');
    expect((error as MigError).hint).toContain('id, name');
  });

  it('rejects a qualifier naming another table', () => {
    expect(() => compileFilterText('other.id = 1', cols, { table: 'orders' })).toThrow(/other\.id/);
    expect(compileFilterText('ORDERS.id = 1', cols, { table: 'orders' })({ id: '1', name: null })).toBe(true);
  });

  it('turns syntax errors into a MigError pointing at the spot', () => {
    expect(() => compileFilterText('id IN (1', cols)).toThrow(/offset 8: expected '\)' after IN list/);
  });

  it('reads a column missing from a partial row image as NULL', () => {
    const p = compileFilterText('name IS NULL AND id = 1', cols);
    expect(p({ id: '1' })).toBe(true);
  });

  it('matches column names case-insensitively', () => {
    expect(compileFilterText('ID = 1 AND Name = "x"', cols)({ id: '1', name: 'X' })).toBe(true);
  });

  it('computes constant conditions once', () => {
    expect(compileFilterText('1 = 1', cols)({})).toBe(true);
    expect(compileFilterText('NULL', cols)({})).toBe(false);
    expect(compileFilterText("'abc'", cols)({})).toBe(false);
  });

  it('refuses to compare TIME with a date', () => {
    expect(() => filterOn('t TIME, d DATE', 't < d')).toThrow(MigError);
  });
});

describe('semantics beyond the shared cases', () => {
  it('evaluates NOW() when the row is evaluated, in the source time zone', () => {
    let clock = Date.UTC(2024, 5, 1, 12, 0, 0);
    const check = filterOn('dt DATETIME', 'dt < NOW()', { now: () => clock, utcOffsetMinutes: 120 });
    expect(check(['2024-06-01 13:59:59'])).toBe(true);
    expect(check(['2024-06-01 14:00:00'])).toBe(false);
    clock += 2000;
    expect(check(['2024-06-01 14:00:01'])).toBe(true);
  });

  it('reads BIT columns as unsigned integers', () => {
    const infos = columnInfos('flags BIT(16)');
    const p = compileFilterText('flags = 258 AND flags > 1', infos);
    expect(p({ flags: Buffer.from([1, 2]) })).toBe(true);
    expect(p({ flags: Buffer.from([0, 1]) })).toBe(false);
  });

  it('compares binary strings bytewise, without padding', () => {
    const check = filterOn('b BINARY(4)', "b = 'ab'");
    expect(check(['ab\0\0'])).toBe(false);
    expect(filterOn('b VARBINARY(4)', "b < 'b'")(['a\xff'])).toBe(true);
  });

  it("compares strings with integers exactly on MariaDB, as doubles on MySQL", () => {
    const row: (string | null)[] = ['9007199254740992'];
    expect(filterOn('s VARCHAR(30)', 's = 9007199254740993')(row)).toBe(false);
    expect(filterOn('s VARCHAR(30)', 's = 9007199254740993', { flavor: 'mysql' })(row)).toBe(true);
  });

  it('uses a LIKE pattern from a column, recompiling only when it changes', () => {
    const check = filterOn('s VARCHAR(20), p VARCHAR(20)', 's LIKE p');
    expect(check(['abc', 'a%'])).toBe(true);
    expect(check(['abc', 'a%'])).toBe(true);
    expect(check(['abc', 'b%'])).toBe(false);
    expect(check(['abc', null])).toBe(false);
  });

  it('matches long IN lists through a set, NULL items included', () => {
    const list = Array.from({ length: 20 }, (_, i) => `'v${i}'`).join(', ');
    const check = filterOn('s VARCHAR(20)', `s IN (${list}, NULL)`);
    expect(check(['V7 '])).toBe(true);
    expect(check(['x'])).toBe(false);
    expect(filterOn('s VARCHAR(20)', `s NOT IN (${list})`)(['x'])).toBe(true);
  });

  it('follows unicode_ci expansions and accents', () => {
    const check = filterOn('s VARCHAR(20) COLLATE utf8mb4_unicode_ci', "s = 'strasse'");
    expect(check(['Straße'])).toBe(true);
    expect(filterOn('s VARCHAR(20) COLLATE utf8mb4_unicode_ci', "s LIKE 'stra_e'")(['straße'])).toBe(true);
  });

  it('orders latin1_swedish_ci like the server: å, ä, ö after z', () => {
    const check = filterOn('s VARCHAR(20) CHARACTER SET latin1', "s > 'z'");
    expect(check(['ä'])).toBe(true);
    expect(check(['é'])).toBe(false);
  });
});

describe('value helpers', () => {
  it('compares decimal text exactly', () => {
    expect(compareDecimal('0.30000000000000002', '0.30000000000000001')).toBe(1);
    expect(compareDecimal('-0.00', '0')).toBe(0);
    expect(compareDecimal('007.50', '7.5')).toBe(0);
    expect(compareDecimal('-10', '-9.999')).toBe(-1);
    expect(compareDecimal('18446744073709551615', '18446744073709551614')).toBe(1);
  });

  it('divides with four more digits, rounding half away from zero', () => {
    expect(decimalDivide('2', '3')).toBe('0.6667');
    expect(decimalDivide('-1.00', '3')).toBe('-0.333333');
    expect(decimalDivide('1', '0')).toBeNull();
  });

  it('reads strings as numbers like MySQL', () => {
    expect(stringToDecimal('  12.5abc')).toBe('12.5');
    expect(stringToDecimal('1e3')).toBe('1000');
    expect(stringToDecimal('2.5e-2')).toBe('0.025');
    expect(stringToDecimal('abc')).toBe('0');
  });

  it('prints doubles as MariaDB does', () => {
    expect([0.1, -1e-10, 1e15, 123456789012345680, 100, 1.5e-15, 1e-16].map(doubleToText)).toEqual([
      '0.1', '-0.0000000001', '1e15', '1.2345678901234568e17', '100', '0.0000000000000015', '1e-16',
    ]);
  });

  it('reads date strings leniently', () => {
    expect(parseDatetime('2024-1-2 3:4:5.5', false)).toBe('2024-01-02 03:04:05.500000');
    expect(parseDatetime('24-01-02', false)).toBe('2024-01-02 00:00:00.000000');
    expect(parseDatetime('00-00-00', false)).toBe('0000-00-00 00:00:00.000000');
    expect(parseDatetime('20240102', false)).toBe('2024-01-02 00:00:00.000000');
    expect(parseDatetime('2024-02-30', false)).toBe('2024-02-30 00:00:00.000000');
    expect(parseDatetime('2024-02-30', true)).toBeNull();
    expect(parseDatetime('2024-13-01', false)).toBeNull();
  });
});

