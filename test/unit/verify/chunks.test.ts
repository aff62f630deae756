import { describe, expect, it } from 'vitest';
import { isLeaf, rangeText, rangesBetween, splitEvery } from '../../../src/verify/chunks.js';
import { checksumSql, keyBound, rangeWhere } from '../../../src/connectors/sinks/mysql/verify-sql.js';

describe('verify chunk planning', () => {
  it('cuts the whole key space into contiguous ranges, open at both ends', () => {
    expect(rangesBetween([['10'], ['20']])).toEqual([{ upTo: ['10'] }, { after: ['10'], upTo: ['20'] }, { after: ['20'] }]);
    expect(rangesBetween([])).toEqual([{}]);
  });

  it('cuts a range inside its own bounds, so pieces of a differing chunk cover exactly that chunk', () => {
    const outer = { after: ['10'], upTo: ['20'] };
    expect(rangesBetween([['15']], outer)).toEqual([{ after: ['10'], upTo: ['15'] }, { after: ['15'], upTo: ['20'] }]);
    expect(rangeText({ after: ['10'], upTo: ['15'] })).toBe('(10, 15]');
    expect(rangeText({ upTo: [Buffer.from([0, 255])] })).toBe('(…, 0x00ff]');
  });

  it('splits a differing chunk into about eight pieces, never below a leaf, and compares small ones row by row', () => {
    expect(splitEvery(10_000, 200)).toBe(1250);
    expect(splitEvery(900, 200)).toBe(200);
    expect(isLeaf(150, 200, 200)).toBe(true);
    // An empty source range with many rows at the destination is still cut by the destination's count.
    expect(isLeaf(0, 5000, 200)).toBe(false);
  });

  it('writes key bounds as expanded comparisons with their parameters (index ranges on every server)', () => {
    expect(keyBound(['a', 'b'], ['1', '2'], '>')).toEqual({ sql: '((`a` > ?) OR (`a` = ? AND `b` > ?))', params: ['1', '1', '2'] });
    expect(keyBound(['a', 'b'], ['1', '2'], '<=')).toEqual({ sql: '((`a` < ?) OR (`a` = ? AND `b` < ?) OR (`a` = ? AND `b` = ?))', params: ['1', '1', '2', '1', '2'] });
    const t = { from: '`d`.`t`', columns: [], key: ['id'], filter: "status = 'paid'" };
    expect(rangeWhere(t, { after: ['5'], upTo: ['9'] })).toEqual({ sql: " WHERE ((`id` > ?)) AND ((`id` < ?) OR (`id` = ?)) AND (status = 'paid')", params: ['5', '9', '9'] });
    expect(rangeWhere({ ...t, filter: undefined }, {})).toEqual({ sql: '', params: [] });
  });

  it('checksums every carried column as normalised text, NULLs marked, with CRC32 and CRC32C or MD5 halves', () => {
    const col = (name: string, dataType: string, extra = {}) => ({ info: { name, dataType, columnType: dataType, unsigned: false, nullable: true, binary: false, ...extra }, name });
    const t = { from: '`d`.`t`', columns: [col('id', 'int'), col('f', 'float'), col('b', 'varbinary', { binary: true }), col('s', 'varchar', { charset: 'latin1' })], key: ['id'] };
    const crc = checksumSql(t, { after: ['1'] }, 'crc').sql;
    expect(crc).toContain("CONCAT_WS('#', `id`, CAST(`f` AS DOUBLE), HEX(`b`), CONVERT(`s` USING utf8mb4), CONCAT(ISNULL(`id`), ISNULL(`f`), ISNULL(`b`), ISNULL(`s`)))");
    expect(crc).toContain('BIT_XOR(CRC32(h))');
    expect(crc).toContain('BIT_XOR(CRC32C(h))');
    expect(checksumSql(t, {}, 'md5').sql).toContain('CONV(LEFT(MD5(h), 16), 16, 10)');
  });
});
