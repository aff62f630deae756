// What the runner reports in the state for `mig status`, `mig apply --wait` and /healthz: what it
// is doing, what it reconciles, and its last error. `starting` until the run has opened its
// destination and begun to load or stream, so a waiting apply never takes a run that is about to
// fail for one that works.
import { hostname } from 'node:os';
import type { ApplyHook } from '../model/events.js';
import type { MigrationState, RetryStatus, RunnerStatus } from '../state/model.js';
import type { MigError } from '../util/errors.js';
import type { Checkpointer } from './checkpointer.js';

export function setRunnerStatus(ms: MigrationState, status: RunnerStatus['status'], extra: { error?: MigError; retry?: RetryStatus } = {}): void {
  const prev = ms.runner;
  const next: RunnerStatus = { status, pid: process.pid, host: hostname(), updatedAt: new Date().toISOString() };
  if (status === 'reconciling' && prev?.reconciling) next.reconciling = prev.reconciling;
  if (extra.error) {
    next.lastError = { generation: ms.observedGeneration ?? ms.generation ?? 0, at: next.updatedAt, code: extra.error.code, message: extra.error.message, ...(extra.error.hint ? { fix: extra.error.hint } : {}) };
  } else if (prev?.lastError && status === 'starting') {
    // Kept while the next attempt starts, so a waiting apply still sees why the last one failed.
    next.lastError = prev.lastError;
  }
  // The outage shows while it is retried and while the next attempt gets going.
  const retry = extra.retry ?? (status === 'starting' ? prev?.retry : undefined);
  if (retry) next.retry = retry;
  ms.runner = next;
}

/** Follows the run's events into the migration's runner status; every event goes on to `next`. */
export function runnerStatusHook(ms: MigrationState, cp: Checkpointer, next: ApplyHook): ApplyHook {
  const backfills = new Map<string, string>();
  const update = (status: RunnerStatus['status']) => {
    const was = ms.runner?.status;
    setRunnerStatus(ms, status);
    if (backfills.size > 0) ms.runner!.reconciling = [...backfills.values()];
    // The first sign of a working run is saved at once: an apply may be waiting for it.
    if (was === 'starting' || was === 'failed' || was === 'retrying' || was === undefined) void cp.save().catch(() => undefined);
  };
  const steady = (): RunnerStatus['status'] => (backfills.size > 0 ? 'reconciling' : ms.runner?.status === 'loading' ? 'loading' : 'streaming');
  return (e) => {
    switch (e.type) {
      case 'table-start':
        update('loading');
        break;
      case 'stream-start':
      case 'feed-start':
        update(backfills.size > 0 ? 'reconciling' : 'streaming');
        break;
      case 'backfill-start':
        backfills.set(e.table, `${e.table}: backfill while streaming${e.resumeFrom > 0 ? `, resuming after ${e.resumeFrom} rows` : ''} (~${e.estimatedRows} rows)`);
        update('reconciling');
        break;
      case 'backfill-chunk':
        backfills.set(e.table, `${e.table}: backfill while streaming, ${e.total} rows copied, ${e.superseded} superseded by newer changes`);
        update('reconciling');
        break;
      case 'backfill-done':
        backfills.delete(e.table);
        update(backfills.size > 0 ? 'reconciling' : 'streaming');
        break;
      case 'handoff':
        update('stopped');
        break;
      default:
        if (ms.runner?.status === 'starting' && e.type === 'snapshot-opened') update(steady());
        break;
    }
    next(e);
  };
}
