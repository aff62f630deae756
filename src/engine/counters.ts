// The one place the engine moves a migration's change-event counters (model/progress.ts defines
// them): the deliveries count what they read, leave out and make durable, the recording hook what a
// sink skipped. Everything that shows them (apply, status, --json, /metrics) reads these.
import type { ChangeEvent } from '../model/source-data.js';
import { countersOf, type EventCounters } from '../model/progress.js';
import type { MigrationState, TableState } from '../state/model.js';

/** The migration's counters, started from what an older state recorded. */
export function countersFor(ms: MigrationState): EventCounters {
  ms.counters ??= countersOf(ms);
  return ms.counters;
}

/**
 * Whether a change the reader handed on counts as read: a row of a migrated table, or a DDL (the
 * reader hands on only DDL of the migration's databases). Rows of other tables in those databases
 * are the reader's business, not the migration's.
 */
export function isMigrated(ev: ChangeEvent, shapes: ReadonlyMap<string, unknown>): boolean {
  return ev.kind === 'ddl' || shapes.has(`${ev.database}.${ev.table}`);
}

/**
 * Counts a flush's `changes` as written once the destination made them durable, less the ones the
 * sink skipped meanwhile (it counted those as skipped through the recording hook).
 */
export function countWritten(ms: MigrationState, changes: number, skippedBefore: number): void {
  const c = countersFor(ms);
  c.written += Math.max(0, changes - (c.skipped - skippedBefore));
  ms.lastStreamedAt = new Date().toISOString();
}

/** Records the source's row estimate as a table's copy starts (progress and ETA). */
export function noteEstimate(ts: TableState, estimatedRows: number): void {
  // A resumed copy keeps its first estimate: the percentage does not jump back.
  if (ts.estimatedRows === undefined || ts.rowsCopied === 0) ts.estimatedRows = Math.max(0, Math.round(estimatedRows));
}
