// One reading of a running migration: the counters and the lag that apply's output, mig status,
// --json, /metrics and alerts all show. It is computed from the migration's state alone
// (progressOf), so the runner that writes the state and a later `mig status` read the same numbers.
import type { BinlogPosition, MigrationState, RetryStatus, RunnerStatus, TablePhase } from '../state/model.js';
import { formatPosition } from './position-text.js';
import type { Throttle } from '../spec/schema-operations.js';

/**
 * Change events, counted once in the engine. read = written + filtered + skipped + in flight:
 * read are the changes to migrated tables the source handed on (rows and DDL); filtered the ones
 * the operation selection, a row filter or the mapping left out; skipped the ones the destination
 * refused and a policy skipped; written the ones the destination made durable.
 */
export interface EventCounters {
  read: number;
  written: number;
  filtered: number;
  skipped: number;
}

export const ZERO_COUNTERS: Readonly<EventCounters> = { read: 0, written: 0, filtered: 0, skipped: 0 };

export interface TableProgress {
  table: string;
  /** Where its rows go: a topic, or a destination table. */
  target: string;
  phase: TablePhase | 'backfill';
  rowsCopied: number;
  /** The source's estimate when the copy started (information_schema); null before. */
  estimatedRows: number | null;
}

/**
 * How lag is measured: from heartbeat rows the migration writes on the source (true on a quiet
 * source), or from the source's own last change (grows while the source is quiet).
 */
export type LagBasis = 'heartbeat' | 'last-event';

export interface LagReading {
  /** Source time now − commit time of the newest change the destination made durable; null before any. */
  seconds: number | null;
  basis: LagBasis;
  /** That commit time (source clock), ISO. */
  newestDurableCommit?: string;
}

export interface MigrationProgress {
  migration: string;
  labels: Record<string, string>;
  /** What the runner last reported; not-running when no runner has. */
  runner: RunnerStatus['status'] | 'not-running';
  tables: TableProgress[];
  /** Totals over the tables (estimated counts only the tables whose copy started). */
  rows: { copied: number; estimated: number };
  events: EventCounters;
  lag: LagReading;
  checkpoint?: string;
  retry?: RetryStatus;
  /** The throttles the run applies (the running generation's spec.throttle; live edits included), for /metrics. */
  throttle?: Throttle;
  /** When this reading was taken. */
  at: string;
}

/** The migration's reading at `now` (ms). */
export function progressOf(ms: MigrationState, now: number): MigrationProgress {
  const tables: TableProgress[] = Object.values(ms.tables).map((t) => ({
    table: t.id,
    target: t.target,
    phase: t.backfill && !t.backfill.doneAt ? 'backfill' : t.phase,
    rowsCopied: t.rowsCopied,
    estimatedRows: t.estimatedRows ?? null,
  }));
  const heartbeat = ms.spec.spec.heartbeat?.enabled === true;
  return {
    migration: ms.name,
    labels: { ...(ms.spec.metadata.labels ?? {}) },
    runner: ms.runner?.status ?? 'not-running',
    tables,
    rows: {
      copied: tables.reduce((n, t) => n + t.rowsCopied, 0),
      estimated: tables.reduce((n, t) => n + (t.estimatedRows ?? 0), 0),
    },
    events: countersOf(ms),
    lag: lagOf(ms, now, heartbeat ? 'heartbeat' : 'last-event'),
    ...(checkpointText(ms) ? { checkpoint: checkpointText(ms) } : {}),
    ...(ms.runner?.retry ? { retry: ms.runner.retry } : {}),
    ...(ms.spec.spec.throttle ? { throttle: ms.spec.spec.throttle } : {}),
    at: new Date(now).toISOString(),
  };
}

/** The migration's counters; a state written before they existed has only the written count. */
export function countersOf(ms: MigrationState): EventCounters {
  return ms.counters ? { ...ms.counters } : { ...ZERO_COUNTERS, written: ms.eventsStreamed ?? 0 };
}

/** Source time now − the newest durable commit time; the source's clock is this one plus the offset measured when the stream started. */
function lagOf(ms: MigrationState, now: number, basis: LagBasis): LagReading {
  const commit = newestDurableCommit(ms);
  if (commit === undefined) return { seconds: null, basis };
  const sourceNow = now + (ms.sourceClock?.offsetMs ?? 0);
  return { seconds: Math.max(0, Math.round((sourceNow - commit) / 100) / 10), basis, newestDurableCommit: new Date(commit).toISOString() };
}

/** Commit time (ms, source clock) of the newest change the destination holds: the binlog checkpoint's, or the newest TiDB commit ts applied. */
export function newestDurableCommit(ms: MigrationState): number | undefined {
  if (ms.checkpoint?.timestamp !== undefined) return ms.checkpoint.timestamp;
  if (ms.feed) {
    let newest: bigint | undefined;
    for (const p of Object.values(ms.feed.positions)) {
      if (p.commitTs === undefined) continue;
      const ts = BigInt(p.commitTs);
      if (newest === undefined || ts > newest) newest = ts;
    }
    // A TiDB TSO's upper bits are its physical time in ms.
    if (newest !== undefined) return Number(newest >> 18n);
  }
  return undefined;
}

function checkpointText(ms: MigrationState): string | undefined {
  if (ms.checkpoint) return formatPosition(ms.checkpoint as BinlogPosition);
  if (ms.feed) {
    const parts = Object.entries(ms.feed.positions).map(([feed, p]) => `${feed} offset ${p.offset}`);
    return parts.length > 0 ? parts.join(', ') : undefined;
  }
  return undefined;
}
