// Sinks announce what the state must remember (a topic's partitions, a skipped row, whether mig
// created a destination table); this hook folds those events into the migration's state, so the
// engine stays the only writer of migration state. Every event goes on to the caller's hook.
import type { ApplyHook } from '../model/events.js';
import type { MigrationState } from '../state/model.js';
import { countersFor } from './counters.js';

export function recordingHook(mstate: MigrationState, next: ApplyHook): ApplyHook {
  return (e) => {
    switch (e.type) {
      case 'topic-created':
        mstate.topics[e.topic] = { partitions: e.partitions, created: true };
        break;
      case 'topic-known':
        mstate.topics[e.topic] = { ...mstate.topics[e.topic], partitions: e.partitions };
        break;
      case 'row-skipped': {
        // A row skipped before its table's full load finished belongs to the full phase.
        const phase = mstate.tables[e.row.table]?.fullDoneAt ? 'incremental' : 'full';
        (mstate.skippedRows ??= []).push({ ...e.row, at: new Date().toISOString(), phase });
        if (phase === 'incremental') countersFor(mstate).skipped++;
        break;
      }
      case 'target-origin': {
        const ts = mstate.tables[e.table];
        if (ts) ts.targetOrigin = e.origin;
        break;
      }
      default:
        break;
    }
    next(e);
  };
}
