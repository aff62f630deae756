import { describe, expect, it } from 'vitest';
import type { RangeVerifier, VerifyRow } from '../../../src/connectors/contract.js';
import type { TableInfo } from '../../../src/model/source-data.js';
import type { DesiredTable } from '../../../src/model/targets.js';
import type { TableReport } from '../../../src/verify/report.js';
import { verifyTable } from '../../../src/verify/table.js';

/** A destination that lags: key 2 arrives (and key 3's new value) only after `catchUp` was awaited `lagRounds` times. */
function lagging(lagRounds: number, stuck: string[] = []) {
  let caughtUp = 0;
  const source: VerifyRow[] = [{ key: '[1]', values: { v: 'a' } }, { key: '[2]', values: { v: 'b' } }, { key: '[3]', values: { v: 'new' } }, { key: '[4]', values: { v: 'd' } }];
  const destination = (): VerifyRow[] => {
    const arrived = caughtUp >= lagRounds;
    return [
      { key: '[1]', values: { v: 'a' } },
      ...(arrived ? [{ key: '[2]', values: { v: 'b' } }] : []),
      { key: '[3]', values: { v: arrived ? 'new' : 'old' } },
      { key: '[4]', values: { v: stuck.includes('[4]') ? 'wrong' : 'd' } },
    ];
  };
  const v: RangeVerifier = {
    mode: 'ranges',
    boundaries: async () => [],
    checksum: async (side) => ({ rows: side === 'source' ? 4 : destination().length, sum: side === 'source' ? 'x' : `y${caughtUp}` }),
    rows: async (side) => (side === 'source' ? source : destination()),
  };
  const catchUp = async () => {
    caughtUp++;
    return { ok: true as const, seconds: 0, position: 'log.000001:4' };
  };
  return { v, catchUp };
}

const report = (): TableReport => ({ table: 'd.t', target: 'd.t', status: 'equal', method: 'checksum', sourceRows: 0, destinationRows: 0, missing: 0, extra: 0, differing: 0, sample: [], notes: [] });
const run = (v: RangeVerifier) => ({ t: { id: 'd.t' } as DesiredTable, shape: {} as TableInfo, verifier: v, source: () => Promise.reject(new Error('unused')), chunkRows: 100, leafRows: 50, keep: 100, values: { floatPrecision: 38, doublePrecision: 308 } });

describe('verify re-checks differences of a streaming migration once it has caught up', () => {
  it('changes still on their way settle: the table is equal', async () => {
    const { v, catchUp } = lagging(1);
    const r = report();
    await verifyTable(run(v), r, catchUp);
    expect(r).toMatchObject({ status: 'equal', missing: 0, differing: 0, settled: 2 });
  });

  it('a real difference stays after every round; the settled ones are counted', async () => {
    const { v, catchUp } = lagging(2, ['[4]']);
    const r = report();
    await verifyTable(run(v), r, catchUp);
    expect(r).toMatchObject({ status: 'different', differing: 1, missing: 0, settled: 2, sample: [{ kind: 'differing', key: '[4]', columns: ['v'] }] });
  });

  it('without a stream (no catch-up) the first pass stands; a catch-up that fails says so', async () => {
    const first = lagging(1);
    const r = report();
    await verifyTable(run(first.v), r, undefined);
    expect(r).toMatchObject({ status: 'different', missing: 1, differing: 1 });
    const r2 = report();
    await verifyTable(run(lagging(1).v), r2, async () => ({ ok: false, reason: 'not caught up' }));
    expect(r2).toMatchObject({ status: 'different', missing: 1, differing: 1, notes: ['not caught up: the differences are as first seen'] });
  });
});
