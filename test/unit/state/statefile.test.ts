import { afterEach, describe, expect, it } from 'vitest';
import type { State } from '../../../src/state/model.js';
import {
  CURRENT_STATE_VERSION,
  decodeState,
  encodeState,
  registerStateUpgrade,
} from '../../../src/state/statefile.js';
import { MigError } from '../../../src/util/errors.js';
import { sampleState } from './sample-state.js';

const where = { location: '/p/.mig/state.json', backupPath: '/p/.mig/state.json.backup' };

function catchMigError(fn: () => unknown): MigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof MigError) return err;
    throw err;
  }
  throw new Error('expected a MigError');
}

describe('state file format', () => {
  it('round-trips a state', () => {
    const state = sampleState();
    expect(decodeState(encodeState(state), where)).toEqual(state);
  });

  it('pretty-prints with the header keys first, sorted keys below and a trailing newline', () => {
    const text = encodeState(sampleState());
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.startsWith('{\n  "version": 2,\n  "serial": 3,\n  "lineage": ')).toBe(true);
    const top = Object.keys(JSON.parse(text) as object);
    expect(top).toEqual(['version', 'serial', 'lineage', 'migrations']);

    // The same content built in another key order serialises to the same bytes.
    const state = sampleState();
    const m = state.migrations.orders;
    const reordered: State = {
      migrations: {
        orders: {
          topics: m.topics,
          tables: m.tables,
          spec: m.spec,
          name: m.name,
          digest: m.digest,
          appliedAt: m.appliedAt,
          snapshot: m.snapshot,
          checkpoint: m.checkpoint,
        },
      },
      lineage: state.lineage,
      serial: state.serial,
      version: state.version,
    };
    expect(encodeState(reordered)).toBe(text);
  });

  it('keeps array order', () => {
    const state = sampleState();
    state.migrations.orders.tables['shop.orders'].keyColumns = ['b', 'a'];
    const back = decodeState(encodeState(state), where);
    expect(back.migrations.orders.tables['shop.orders'].keyColumns).toEqual(['b', 'a']);
  });

  it('refuses to encode a state that would not read back', () => {
    const state = sampleState();
    state.migrations.orders.tables['shop.orders'].rowsCopied = Number.NaN;
    expect(catchMigError(() => encodeState(state)).code).toBe('state-invalid');
  });

  it('names the file and the backup when the JSON is corrupt', () => {
    const err = catchMigError(() => decodeState('{"version":1,"serial":', where));
    expect(err.code).toBe('state-corrupt');
    expect(err.message).toContain('/p/.mig/state.json');
    expect(err.hint).toContain('/p/.mig/state.json.backup');
  });

  it('explains where the shape is wrong', () => {
    type Doc = { migrations: { orders: { tables: Record<string, { phase: string }> } } };
    const doc = JSON.parse(encodeState(sampleState())) as Doc;
    doc.migrations.orders.tables['shop.orders'].phase = 'halfway';
    const err = catchMigError(() => decodeState(JSON.stringify(doc), where));
    expect(err.code).toBe('state-corrupt');
    expect(err.message).toContain('migrations.orders.tables.shop.orders.phase');
    expect(err.hint).toContain('state.json.backup');
  });

  it('rejects unknown fields rather than dropping them', () => {
    const doc = { ...(JSON.parse(encodeState(sampleState())) as object), extra: true };
    expect(catchMigError(() => decodeState(JSON.stringify(doc), where)).code).toBe('state-corrupt');
  });

  it('rejects a document without a version', () => {
    const err = catchMigError(() => decodeState('{"serial":1}', where));
    expect(err.code).toBe('state-corrupt');
    expect(err.message).toContain('version');
  });

  it('refuses a version newer than it knows, telling the user to upgrade mig', () => {
    const doc = { ...(JSON.parse(encodeState(sampleState())) as object), version: CURRENT_STATE_VERSION + 1 };
    const err = catchMigError(() => decodeState(JSON.stringify(doc), where));
    expect(err.code).toBe('state-too-new');
    expect(err.message).toContain(`version ${CURRENT_STATE_VERSION + 1}`);
    expect(err.hint).toMatch(/upgrade mig/);
  });

  describe('upgrade path', () => {
    let unregister: (() => void) | undefined;
    afterEach(() => {
      unregister?.();
      unregister = undefined;
    });

    it('reads a version 1 file: each table\'s topic becomes its target, nothing else changes', () => {
      // A state as mig wrote it before version 2: the destination object was called `topic`.
      const current = JSON.parse(encodeState(sampleState())) as { migrations: Record<string, { tables: Record<string, Record<string, unknown>> }> };
      const v1 = structuredClone(current) as typeof current & { version: number };
      v1.version = 1;
      let renamed = 0;
      for (const m of Object.values(v1.migrations)) {
        for (const t of Object.values(m.tables)) {
          t.topic = t.target;
          delete t.target;
          renamed++;
        }
      }
      expect(renamed).toBeGreaterThan(0);
      const state = decodeState(JSON.stringify(v1), where);
      expect(state).toEqual(sampleState());
      expect(state.version).toBe(2);
      // Written back in the current format, with `target` and no `topic`.
      const again = JSON.parse(encodeState(state)) as typeof current & { version: number };
      expect(again.version).toBe(2);
      for (const m of Object.values(again.migrations)) for (const t of Object.values(m.tables)) expect(Object.keys(t)).not.toContain('topic');
    });

    it('refuses an old version with no registered upgrade', () => {
      const err = catchMigError(() => decodeState('{"version":0,"serial":1,"lineage":"l","runs":{}}', where));
      expect(err.code).toBe('state-too-old');
    });

    it('applies a registered upgrade from v0 on read, then the built-in ones', () => {
      // A made-up v0 that called the map "runs".
      unregister = registerStateUpgrade(0, (doc) => {
        const { runs, ...rest } = doc;
        return { ...rest, migrations: runs };
      });
      const current = JSON.parse(encodeState(sampleState())) as { migrations: unknown };
      const v0 = { version: 0, serial: 3, lineage: sampleState().lineage, runs: current.migrations };
      const state = decodeState(JSON.stringify(v0), where);
      expect(state).toEqual(sampleState());
      expect(state.version).toBe(CURRENT_STATE_VERSION);
    });

    it('still validates what an upgrade produced', () => {
      unregister = registerStateUpgrade(0, (doc) => doc);
      const err = catchMigError(() => decodeState('{"version":0,"serial":1,"lineage":"l","runs":{}}', where));
      expect(err.code).toBe('state-corrupt');
      expect(err.message).toContain('migrations');
    });

    it('refuses duplicate or out-of-range registrations', () => {
      unregister = registerStateUpgrade(0, (doc) => doc);
      expect(() => registerStateUpgrade(0, (doc) => doc)).toThrow(/already registered/);
      expect(() => registerStateUpgrade(CURRENT_STATE_VERSION, (doc) => doc)).toThrow(/below version/);
    });
  });
});
