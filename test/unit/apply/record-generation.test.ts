// mig apply's one write: an approved plan becomes each changed migration's next desired generation,
// with the tables the runner drops and starts, and what apply's own schema steps created.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { FileStateStore } from '../../../src/state/file-store.js';
import { recordGenerations } from '../../../src/engine/record-generation.js';
import type { Change, Plan } from '../../../src/plan/change.js';
import type { LiveView } from '../../../src/plan/build.js';
import type { TableInfo } from '../../../src/model/source-data.js';
import type { LoadedMigration } from '../../../src/spec/index.js';
import { sampleState } from '../state/sample-state.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mig-record-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const shape = (table: string): TableInfo => ({
  database: 'shop', table, primaryKey: ['id'], chunkKey: ['id'], keyKind: 'primary', estimatedRows: 10,
  columns: [{ name: 'id', dataType: 'int', columnType: 'int(11)', unsigned: false, nullable: false, binary: false }],
});

function setup() {
  const state = sampleState();
  const base = state.migrations.orders!;
  const spec = structuredClone(base.spec);
  spec.spec.objects = [{ database: 'shop', tables: [{ name: 'orders' }, { name: 'items' }] }] as typeof spec.spec.objects;
  const loaded = [{ file: 'migrations.d/orders.yaml', migration: spec }] as unknown as LoadedMigration[];
  const live: LiveView = {
    source: { ok: true, tables: new Map([['shop.orders', shape('orders')], ['shop.items', shape('items')]]), databases: new Set(['shop']) },
    topics: { ok: true, topics: new Map() },
  };
  return { state, loaded, live: new Map([['orders', live]]) };
}

const plan = (changes: Change[]): Plan => ({
  formatVersion: 1, createdAt: '', specDigest: 'x', stateSerial: 0, stateLineage: '', notes: [], partial: false,
  migrations: [{ name: 'orders', changes, specDiff: '', digest: 'sha256:next' }],
});
const table = (action: Change['action'], id: string): Change => ({ kind: 'table', action, migration: 'orders', table: id, topic: id, reason: '', risks: [] });

it('records added, re-copied and removed tables as the next generation, and nothing else', async () => {
  const { state, loaded, live } = setup();
  const store = new FileStateStore(join(dir, 'state.json'));
  await store.write({ ...state, serial: 0 });
  const { recorded, state: written } = await recordGenerations(store, plan([table('create', 'shop.items'), table('replace', 'shop.orders')]), loaded, live);
  expect(recorded).toEqual([{ migration: 'orders', generation: 1, removed: false }]);
  const ms = written.migrations.orders!;
  expect(ms.generation).toBe(1);
  expect(ms.desired?.dropTables).toEqual(['shop.orders']);
  // A table copied again has its destination object already: no schema phase, emptied first when mig's own.
  expect(ms.desired?.addTables.map((t) => [t.id, t.phase, t.recopy ?? false])).toEqual([['shop.items', 'pending', false], ['shop.orders', 'schema', true]]);
  // What the runner owns is left as it was.
  expect(ms.tables['shop.orders']!.rowsCopied).toBe(state.migrations.orders!.tables['shop.orders']!.rowsCopied);
  expect(ms.digest).toBe(state.migrations.orders!.digest);
});

it('a second plan before the runner took the first keeps the first one\'s table changes', async () => {
  const { state, loaded, live } = setup();
  const store = new FileStateStore(join(dir, 'state.json'));
  await store.write({ ...state, serial: 0 });
  await recordGenerations(store, plan([table('create', 'shop.items')]), loaded, live);
  const { state: written } = await recordGenerations(store, plan([{ kind: 'setting', action: 'update', migration: 'orders', field: 'spec', reason: '', risks: [] }]), loaded, live);
  expect(written.migrations.orders!.desired?.generation).toBe(2);
  expect(written.migrations.orders!.desired?.addTables.map((t) => t.id)).toEqual(['shop.items']);
});

it('tables apply created itself start past their schema phase; a removed migration is recorded as such', async () => {
  const { state, loaded, live } = setup();
  const store = new FileStateStore(join(dir, 'state.json'));
  await store.write({ ...state, serial: 0 });
  const { state: written } = await recordGenerations(store, plan([table('create', 'shop.items')]), loaded, live, {
    prepare: async (_m, draft) => {
      expect(draft.desired?.addTables.map((t) => t.id)).toEqual(['shop.items']);
      return { tables: new Map([['shop.items', { phase: 'schema' as const, targetOrigin: 'created' as const }]]), createdTopics: { 'shop.items': 2 } };
    },
  });
  expect(written.migrations.orders!.desired?.addTables[0]).toMatchObject({ id: 'shop.items', phase: 'schema', targetOrigin: 'created' });
  // Topics apply created go with the generation: the runner records them as mig's when it takes it up.
  expect(written.migrations.orders!.desired?.createdTopics).toEqual({ 'shop.items': 2 });
  const { recorded } = await recordGenerations(store, plan([{ kind: 'migration', action: 'delete', migration: 'orders', reason: '', risks: [] }]), [], live);
  expect(recorded).toEqual([{ migration: 'orders', generation: 2, removed: true }]);
});
