// `mig redrive` in the control plane: a request recorded as the migration's next generation (the
// same spec, with `redrive`), so the runner streaming it takes it up at a checkpoint as it takes up
// any approved plan, and re-drives while it streams (redrive.ts). Apply's lock guards the write.
import type { StateStore } from '../state/store.js';
import type { State } from '../state/model.js';
import { waitingRows } from '../state/redrive.js';
import { sourceByChanges } from '../connectors/registry.js';
import { MigError } from '../util/errors.js';

export interface RedriveRecorded {
  /** The generation that carries the request; undefined when nothing was waiting. */
  generation?: number;
  /** Set-aside changes the request covers. */
  waiting: number;
  /** Of those, changes of tables without a key, which cannot be read again by key. */
  keyless: number;
  state: State;
}

export async function recordRedrive(store: StateStore, name: string, table?: string): Promise<RedriveRecorded> {
  for (let attempt = 1; ; attempt++) {
    const state = await store.read();
    const ms = state.migrations[name];
    if (!ms) {
      const known = Object.keys(state.migrations);
      throw new MigError('migration-unknown', `no migration named ${name} in the state`, known.length > 0 ? `name one of: ${known.join(', ')}` : 'apply a migration first (mig apply)');
    }
    if (table !== undefined && !ms.tables[table]) throw new MigError('table-unknown', `${name} has no table ${table}`, `name one of: ${Object.keys(ms.tables).join(', ')}`);
    const spec = ms.spec.spec;
    if (!spec.types.includes('incremental') || sourceByChanges(spec.source).changes !== 'binlog') {
      throw new MigError('redrive-unsupported', `${name}: mig redrive reads set-aside rows again while the binary log streams, and this migration ${spec.types.includes('incremental') ? 'reads a TiDB feed' : 'has no incremental phase'}`, `copy the affected tables again instead: mig apply --replace ${name}/DB.TABLE`);
    }
    const waiting = waitingRows(ms, table);
    const keyless = waiting.filter((r) => !r.keyValues).length;
    if (waiting.length === keyless) return { waiting: waiting.length, keyless, state };
    const requestedAt = new Date().toISOString();
    let generation: number;
    if (ms.desired) {
      // A generation already waits for the runner: the request rides along with it.
      ms.desired.redrive = { requestedAt, ...(table ? { table } : {}) };
      generation = ms.desired.generation;
    } else {
      generation = Math.max(ms.generation ?? 0, ms.observedGeneration ?? 0) + 1;
      ms.generation = generation;
      ms.desired = { generation, recordedAt: requestedAt, spec: ms.spec, digest: ms.digest, dropTables: [], addTables: [], redrive: { requestedAt, ...(table ? { table } : {}) } };
    }
    try {
      return { generation, waiting: waiting.length, keyless, state: await store.write(state) };
    } catch (e) {
      // A runner checkpointed between our read and write: read its progress and record again.
      if (!(e instanceof MigError && e.code === 'state-conflict') || attempt >= 20) throw e;
    }
  }
}
