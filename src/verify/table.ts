// One table's verification: the first pass by the way its destination compares (ranges or scan),
// then, when it differs and the migration streams, re-checks once the migration has caught up, each
// keeping only the differences seen before (a row changed since the last pass is not a finding).
import type { Connection } from 'mysql2/promise';
import type { TableVerifier } from '../connectors/contract.js';
import type { TableInfo } from '../model/source-data.js';
import type { DesiredTable } from '../model/targets.js';
import type { ValueOptions } from '../connectors/sources/mysql/type-map.js';
import { compareLeaf, verifyRanges } from './ranges.js';
import { verifyScan } from './scan.js';
import { addTally, differenceId, emptyTally, type Tally } from './compare.js';
import type { CatchUp } from './catch-up.js';
import type { TableReport } from './report.js';

export interface TableRun {
  t: DesiredTable;
  shape: TableInfo;
  verifier: TableVerifier;
  source: () => Promise<Connection>;
  chunkRows: number;
  leafRows: number;
  keep: number;
  values: ValueOptions;
}

interface Pass {
  tally: Tally;
  again: () => Promise<Tally>;
}

async function firstPass(r: TableRun, report: TableReport): Promise<Pass> {
  const v = r.verifier;
  if (v.mode === 'ranges') {
    const res = await verifyRanges(v, { chunkRows: r.chunkRows, leafRows: r.leafRows, keep: r.keep });
    Object.assign(report, { sourceRows: res.sourceRows, destinationRows: res.destinationRows });
    if (v.fallback) report.notes.push(v.fallback);
    else report.chunks = res.chunks;
    const again = async () => {
      const t = emptyTally();
      for (const leaf of res.leaves) addTally(t, await compareLeaf(v, leaf, r.keep), r.keep);
      return t;
    };
    return { tally: res.tally, again };
  }
  const scanOnce = async () => {
    const conn = await r.source();
    try {
      return await verifyScan(v, { conn, shape: r.shape, filter: r.t.filter, chunkRows: r.chunkRows, values: r.values }, r.keep);
    } finally {
      await conn.end().catch(() => undefined);
    }
  };
  const res = await scanOnce();
  Object.assign(report, { sourceRows: res.sourceRows, destinationRows: res.destinationRows });
  return { tally: res.tally, again: async () => (await scanOnce()).tally };
}

/** Differences of `now` that `before` also had: counted again from the kept list. */
function still(before: Tally, now: Tally): Tally {
  const seen = new Set(before.differences.map(differenceId));
  const out = emptyTally();
  for (const d of now.differences) {
    if (!seen.has(differenceId(d))) continue;
    out[d.kind]++;
    out.differences.push(d);
  }
  return out;
}

const total = (t: Tally) => t.missing + t.extra + t.differing;

/**
 * Verifies the table; `catchUp` is asked before each re-check (undefined: the migration does not
 * stream, so the first pass stands). Re-checks need the differences listed: beyond `keep` of them
 * the counts of the first pass stand.
 */
export async function verifyTable(r: TableRun, report: TableReport, catchUp: (() => Promise<CatchUp>) | undefined, rounds = 3): Promise<void> {
  const pass = await firstPass(r, report);
  let tally = pass.tally;
  const first = total(tally);
  if (catchUp && first > 0 && first <= r.keep) {
    for (let i = 0; i < rounds && total(tally) > 0; i++) {
      const c = await catchUp();
      if (!c.ok) {
        report.notes.push(`${c.reason}: the differences are as first seen`);
        break;
      }
      tally = still(tally, await pass.again());
    }
    if (total(tally) < first) report.settled = first - total(tally);
  } else if (catchUp && first > r.keep) {
    report.notes.push(`${first} differences: more than the ${r.keep} re-checked after catching up, so they are as first seen`);
  }
  Object.assign(report, { missing: tally.missing, extra: tally.extra, differing: tally.differing, status: total(tally) > 0 ? 'different' : 'equal' });
  report.sample = tally.differences;
}
