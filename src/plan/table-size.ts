// How big a table's copy is, for the plan's `[long-running]` label: the source's row estimate
// (information_schema.TABLES.TABLE_ROWS, read by the live inspection) against a threshold, and a
// time when the state shows how fast earlier full loads here went.
import type { DesiredTable } from '../model/targets.js';
import type { Migration } from '../spec/schema.js';
import type { State } from '../state/model.js';
import type { CopyEstimate, Risk } from './change.js';

/**
 * A copy of this many rows or more is labelled long-running. Below it a copy takes seconds at the
 * rates full loads reach (tens of thousands of rows a second to Kafka on one machine, a few
 * thousand over a slow link: 100,000 rows is then half a minute), so a reviewer has nothing to plan
 * around; above it the load on the source and the time to a caught-up destination are worth a look.
 * A table whose size the plan could not read (offline, source not inspected) keeps the label.
 */
export const LONG_RUNNING_ROWS = 100_000;

/** Loads smaller than this say more about start-up than about throughput: they give no rate. */
const RATE_SAMPLE_ROWS = 10_000;

/** Rows a second earlier full loads recorded in the state reached; undefined when none tells. */
export type LoadRate = number | undefined;

/**
 * The rate of this migration's earlier full loads, else of other migrations' to the same kind of
 * destination. A table that resumed (rows read twice) is left out: its start time counts the pause.
 */
export function loadRate(state: State, m: Migration): LoadRate {
  const name = m.metadata.name;
  const own = rateOf(Object.values(state.migrations).filter((ms) => ms.name === name));
  if (own !== undefined) return own;
  return rateOf(Object.values(state.migrations).filter((ms) => ms.name !== name && ms.spec.spec.destination.type === m.spec.destination.type));
}

function rateOf(migrations: State['migrations'][string][]): LoadRate {
  let rows = 0;
  let ms = 0;
  for (const t of migrations.flatMap((m) => Object.values(m.tables))) {
    if (!t.fullStartedAt || !t.fullDoneAt || t.rowsCopied < RATE_SAMPLE_ROWS || (t.rowsReread ?? 0) > 0) continue;
    const took = Date.parse(t.fullDoneAt) - Date.parse(t.fullStartedAt);
    if (!(took > 0)) continue;
    rows += t.rowsCopied;
    ms += took;
  }
  return ms > 0 ? (rows * 1000) / ms : undefined;
}

/**
 * The risks of copying a table (`extra` first, e.g. re-snapshot) and its size: long-running when the
 * rows left to copy reach LONG_RUNNING_ROWS or are unknown. `done`: rows already copied (a resume).
 */
export function copyRisks(t: DesiredTable, rate: LoadRate, extra: Risk[] = [], done = 0): { risks: Risk[]; estimate?: CopyEstimate } {
  if (!t.live) return { risks: [...extra, 'long-running'] };
  const rows = Math.max(0, t.live.estimatedRows - done);
  const estimate: CopyEstimate = rate !== undefined ? { rows, seconds: rows / rate, rowsPerSecond: rate } : { rows };
  return { risks: rows >= LONG_RUNNING_ROWS ? [...extra, 'long-running'] : extra, estimate };
}
