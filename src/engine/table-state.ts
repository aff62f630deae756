// A table's first recorded state, before its schema phase: pending, no rows copied yet. Without a
// full load in spec.types it has no full phase to wait for.
import type { DesiredTable } from '../model/targets.js';
import type { TableState } from '../state/model.js';

export function newTableState(t: DesiredTable, full: boolean): TableState {
  return { id: t.id, phase: 'pending', target: t.target, snapshotDigest: t.snapshotDigest, keyColumns: [], rowsCopied: 0, ...(full ? {} : { fullDoneAt: undefined }) };
}
