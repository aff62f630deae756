import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { KeyRange, RangeVerifier, VerifyRow } from '../../../src/connectors/contract.js';
import { verifyRanges } from '../../../src/verify/ranges.js';

/** Two in-memory "servers" keyed by an integer id; counts every row read, to show equal chunks stay put. */
function fake(source: Map<number, string>, destination: Map<number, string>) {
  const reads = { rows: 0 };
  const inRange = (id: number, r: KeyRange) => (r.after === undefined || id > Number(r.after[0])) && (r.upTo === undefined || id <= Number(r.upTo[0]));
  const side = (s: 'source' | 'destination') => [...(s === 'source' ? source : destination).entries()].sort((a, b) => a[0] - b[0]);
  const v: RangeVerifier = {
    mode: 'ranges',
    boundaries: async (r, every) => side('source').filter(([id]) => inRange(id, r)).filter((_, i) => (i + 1) % every === 0).map(([id]) => [String(id)]),
    checksum: async (s, r) => {
      const rows = side(s).filter(([id]) => inRange(id, r));
      let x = 0n;
      for (const [id, v] of rows) x ^= BigInt('0x' + createHash('md5').update(`${id}#${v}`).digest('hex').slice(0, 16));
      return { rows: rows.length, sum: x.toString() };
    },
    rows: async (s, r): Promise<VerifyRow[]> => {
      const rows = side(s).filter(([id]) => inRange(id, r));
      reads.rows += rows.length;
      return rows.map(([id, v]) => ({ key: `["${id}"]`, values: { id: String(id), v } }));
    },
  };
  return { v, reads };
}

describe('verify by key ranges', () => {
  const source = new Map(Array.from({ length: 10_000 }, (_, i) => [i + 1, `v${i}`] as [number, string]));

  it('equal tables: every chunk checksummed, no row read', async () => {
    const { v, reads } = fake(source, new Map(source));
    const r = await verifyRanges(v, { chunkRows: 1000, leafRows: 50, keep: 100 });
    expect(r).toMatchObject({ sourceRows: 10_000, destinationRows: 10_000, chunks: 11, leaves: [] });
    expect(reads.rows).toBe(0);
  });

  it('drills into differing chunks and reads only small pieces around each difference', async () => {
    const dest = new Map(source);
    dest.set(4321, 'changed');
    dest.delete(77);
    dest.set(20_000, 'extra');
    const { v, reads } = fake(source, dest);
    const r = await verifyRanges(v, { chunkRows: 1000, leafRows: 50, keep: 100 });
    expect(r.tally).toMatchObject({ missing: 1, extra: 1, differing: 1 });
    expect(r.tally.differences).toEqual([{ kind: 'missing', key: '["77"]' }, { kind: 'differing', key: '["4321"]', columns: ['v'] }, { kind: 'extra', key: '["20000"]' }]);
    expect(r.leaves).toHaveLength(3);
    expect(reads.rows).toBeLessThan(400);
  });

  it('a keyless table (fallback) is compared row by row, whole', async () => {
    const { v } = fake(new Map([[1, 'a']]), new Map([[1, 'a'], [2, 'b']]));
    const r = await verifyRanges({ ...v, fallback: 'no key' }, { chunkRows: 1000, leafRows: 50, keep: 100 });
    expect(r).toMatchObject({ sourceRows: 1, destinationRows: 2, chunks: 0 });
    expect(r.tally.extra).toBe(1);
  });
});
