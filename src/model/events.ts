// Progress the engine reports; commands render it. The engine itself never prints.
import type { BinlogPosition, SkippedRow } from '../state/model.js';
import type { RunnerLease } from '../state/store.js';
import type { MigrationProgress } from './progress.js';

export type ApplyEvent =
  | { type: 'migration-start'; migration: string }
  | { type: 'change-applied'; migration: string; summary: string }
  | { type: 'topic-created'; migration: string; topic: string; partitions: number }
  | { type: 'topic-partitions'; migration: string; topic: string; from: number; to: number }
  | { type: 'snapshot-opened'; migration: string; /** Where incremental starts, as text (binlog file:pos, or a TiDB commit ts). */ at: string; reused: boolean }
  | { type: 'table-start'; migration: string; table: string; resumeFrom: number; estimatedRows: number }
  | { type: 'table-warning'; migration: string; table: string; message: string }
  | { type: 'chunk'; migration: string; table: string; rows: number; total: number }
  | { type: 'table-done'; migration: string; table: string; rows: number; seconds: number }
  | { type: 'handoff'; migration: string; /** Where incremental will start, as text. */ at: string }
  | { type: 'stream-start'; migration: string; from: BinlogPosition; until?: { file: string; pos: number } }
  | { type: 'stream-progress'; migration: string; events: number; checkpoint: BinlogPosition }
  | { type: 'stream-stop'; migration: string; events: number; checkpoint?: BinlogPosition; reason: 'caught-up' | 'signal' }
  | { type: 'feed-start'; migration: string; topic: string; from: string; afterTs: string; untilCaughtUp: boolean }
  | { type: 'feed-progress'; migration: string; transactions: number; position: string }
  | { type: 'feed-stop'; migration: string; transactions: number; skipped: number; position: string; reason: 'caught-up' | 'signal' }
  | { type: 'migration-done'; migration: string }
  // The migration's counters and lag (model/progress.ts), every second while it runs and once as it ends.
  | { type: 'progress'; migration: string; progress: MigrationProgress; final: boolean }
  // The runner: its lease, the generations it takes up, tables copied while the stream runs.
  | { type: 'lease'; migration: string; event: 'taken' | 'took-over' | 'standby' | 'lost' | 'released'; holder?: RunnerLease }
  | { type: 'generation'; migration: string; generation: number; event: 'taken-up' | 'observed' | 'removed' }
  | { type: 'backfill-start'; migration: string; table: string; estimatedRows: number; resumeFrom: number }
  | { type: 'backfill-chunk'; migration: string; table: string; rows: number; superseded: number; total: number }
  | { type: 'backfill-done'; migration: string; table: string; rows: number; superseded: number; chunks: number; seconds: number }
  // mig redrive: a table's set-aside changes settled by writing their keys' current source rows
  // again (rows), keys gone from the source or outside the filter (gone), keys the stream wrote
  // newer changes of meanwhile (superseded).
  | { type: 'redrive-done'; migration: string; table: string; changes: number; rows: number; gone: number; superseded: number; seconds: number }
  | { type: 'runner-error'; migration: string; code: string; message: string; fix?: string; retryInSeconds?: number }
  | { type: 'runner-retry'; migration: string; code: string; message: string; window: 'connection' | 'other'; attempt: number; since: string; until: string; retryInSeconds: number }
  | { type: 'runner-recovered'; migration: string; attempts: number; seconds: number }
  // A run failed for good: a failure no retry window covers, or a window that ran out. A standing
  // runner (mig run) waits for a fix and tries again (willRetry); apply exits with it.
  | { type: 'run-failed'; migration: string; code: string; message: string; fix?: string; windowExhausted: boolean; willRetry: boolean }
  // spec.alerts: a webhook took an alert, or did not after its retries. `to` is the webhook's scheme
  // and host only: the URL is a secret.
  | { type: 'alert-sent'; migration: string; alert: string; on: 'failure' | 'lag'; status: 'firing' | 'resolved'; to: string; attempts: number }
  | { type: 'alert-failed'; migration: string; alert: string; on: 'failure' | 'lag'; status: 'firing' | 'resolved'; to?: string; message: string }
  // What a sink found or did that the state must remember; the engine records these, views skip them.
  | { type: 'topic-known'; migration: string; topic: string; partitions: number }
  | { type: 'row-skipped'; migration: string; row: Omit<SkippedRow, 'at' | 'phase'> }
  | { type: 'target-origin'; migration: string; table: string; origin: 'created' | 'kept' };

export type ApplyHook = (e: ApplyEvent) => void;
