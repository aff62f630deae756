import { describe, expect, it } from 'vitest';
import { MigrationDoc, type LoadedMigration, type Migration, normalizedText, specDigest } from '../../../src/spec/index.js';
import { buildPlan, type LiveView } from '../../../src/plan/build.js';
import { checkReplaceTargeted, checkTableTargets, limitPlan, parseTargets, targetedMigrations, withTablesOnly } from '../../../src/plan/target.js';
import { snapshotDigest } from '../../../src/model/targets.js';
import type { State, TableState } from '../../../src/state/model.js';
import type { TableInfo } from '../../../src/model/source-data.js';
import { MigError } from '../../../src/util/errors.js';

function spec(name: string, tables: { name: string; filter?: string }[]): Migration {
  return MigrationDoc.parse({
    apiVersion: 'mig/v1', kind: 'Migration', metadata: { name },
    spec: {
      source: { type: 'mysql', host: '127.0.0.1', port: 3307, user: 'root' },
      destination: { type: 'kafka', brokers: ['127.0.0.1:19092'], topic: name, format: 'canal-json' },
      objects: [{ database: 'shop', tables }],
    },
  });
}
const loadedOf = (m: Migration): LoadedMigration => ({ file: `migrations.d/${m.metadata.name}.yaml`, docIndex: 0, line: 1, migration: m, locate: () => ({ line: 1, col: 1 }) });

const c = (name: string) => ({ name, dataType: 'int', columnType: 'int(11)', unsigned: false, nullable: false, binary: false });
const info = (t: string): TableInfo => ({ database: 'shop', table: t, columns: [c('id'), c('grp')], primaryKey: ['id'], chunkKey: ['id'], keyKind: 'primary', estimatedRows: 10 });
const live: LiveView = {
  source: { ok: true, databases: new Set(['shop']), tables: new Map(['orders', 'customers', 'items'].map((t) => [`shop.${t}`, info(t)])) },
  topics: { ok: true, topics: new Map([['a', 1], ['b', 1]]) },
};

function applied(ms: Migration[]): State {
  const t = (id: string, topic: string, filter?: string): TableState => ({ id, phase: 'incremental', target: topic, snapshotDigest: snapshotDigest(topic, filter), keyColumns: ['id'], rowsCopied: 10, fullDoneAt: '2026-01-01T00:00:00.000Z' });
  return {
    version: 2, serial: 3, lineage: 'L',
    migrations: Object.fromEntries(ms.map((m) => [m.metadata.name, {
      name: m.metadata.name, spec: m, digest: specDigest(m), appliedAt: '2026-01-01T00:00:00.000Z',
      tables: Object.fromEntries(m.spec.objects[0]!.tables!.map((x) => [`shop.${x.name}`, t(`shop.${x.name}`, m.metadata.name, x.filter)])),
      topics: { [m.metadata.name]: { partitions: 1 } },
      snapshot: { position: { file: 'mariadb-bin.000001', pos: 4 }, takenAt: '2026-01-01T00:00:00.000Z' },
    }])),
  };
}

function planOf(loaded: LoadedMigration[], state: State) {
  return buildPlan({
    migrations: loaded.map((l) => ({ file: l.file, migration: l.migration, digest: specDigest(l.migration) })),
    state, live: new Map(loaded.map((l) => [l.migration.metadata.name, live])), specDigest: 'sha256:x', normalizedText,
  });
}

const changed = (p: ReturnType<typeof planOf>) => p.migrations.flatMap((m) => m.changes.map((x) => `${x.action} ${m.name}${x.kind === 'table' ? `/${x.table}` : ` ${x.kind}`}`));

describe('--target', () => {
  const a0 = spec('a', [{ name: 'orders' }]);
  const b0 = spec('b', [{ name: 'orders' }]);
  // Both edited: a gains customers, b gains items and filters orders.
  const a1 = spec('a', [{ name: 'orders' }, { name: 'customers' }]);
  const b1 = spec('b', [{ name: 'orders', filter: 'grp > 1' }, { name: 'items' }]);
  const state = applied([a0, b0]);
  const loaded = [loadedOf(a1), loadedOf(b1)];

  it('refuses an unknown migration with a did-you-mean, and a malformed table', () => {
    const err = (() => {
      try {
        parseTargets(['bb'], loaded, state);
      } catch (e) {
        return e as MigError;
      }
      throw new Error('expected an error');
    })();
    expect(err.code).toBe('target-unknown');
    expect(err.message).toBe('--target bb: no migration is named bb; did you mean b?');
    expect(err.hint).toContain('(a, b)');
    expect(() => parseTargets(['a/orders'], loaded, state)).toThrow(/a\/orders: orders is not a table as DATABASE.TABLE/);
  });

  it('a migration target plans that migration alone and says the plan is partial', () => {
    const by = parseTargets(['b'], loaded, state);
    const full = planOf(loaded, state);
    expect(changed(full).some((x) => x.includes(' a/'))).toBe(true);
    const p = limitPlan(planOf(targetedMigrations(loaded, state, by), state), by, ['b'], new Map([['b', live]]));
    expect(p.migrations.map((m) => m.name)).toEqual(['b']);
    expect(changed(p)).toEqual(expect.arrayContaining(['replace b/shop.orders', 'create b/shop.items']));
    expect(p.targets).toEqual(['b']);
    expect(p.notes[0]).toMatchObject({ severity: 'warning', message: expect.stringContaining('limited to --target b') });
  });

  it('a migration left out is not planned for deletion', () => {
    const by = parseTargets(['b'], [loadedOf(b1)], state);
    const p = limitPlan(planOf(targetedMigrations([loadedOf(b1)], state, by), state), by, ['b'], new Map());
    expect(p.migrations.map((m) => m.name)).toEqual(['b']);
  });

  it('a table target plans only that table, from the applied spec changed for it alone', () => {
    const by = parseTargets(['b/shop.items'], loaded, state);
    const t = targetedMigrations(loaded, state, by);
    expect(t.map((l) => l.migration.metadata.name)).toEqual(['b']);
    expect(t[0]!.migration.spec.objects[0]!.tables).toEqual([{ name: 'orders' }, { name: 'items' }]);
    const p = limitPlan(planOf(t, state), by, ['b/shop.items'], new Map([['b', live]]));
    expect(changed(p)).toEqual(['create b/shop.items']);
  });

  it('a table removed from the spec, targeted, is the only table dropped', () => {
    const b2 = spec('b', [{ name: 'items' }]);
    const s = applied([spec('b', [{ name: 'orders' }, { name: 'customers' }])]);
    const only = withTablesOnly(s.migrations.b!.spec, b2, new Set(['shop.orders']));
    expect(only.spec.objects[0]!.tables).toEqual([{ name: 'customers' }]);
  });

  it('a new migration targeted at one table is planned with that table only', () => {
    const only = withTablesOnly(undefined, b1, new Set(['shop.items']));
    expect(only.spec.objects).toEqual([{ database: 'shop', tables: [{ name: 'items' }] }]);
  });

  it('refuses --replace of a migration the targets leave out', () => {
    const by = parseTargets(['b'], loaded, state);
    expect(() => checkReplaceTargeted(['b/shop.orders'], by, ['b'])).not.toThrow();
    expect(() => checkReplaceTargeted(['a'], by, ['b'])).toThrow('--replace a: a is not among the targets (--target b)');
  });

  it('refuses a table the migration does not have, suggesting the nearest', () => {
    const by = parseTargets(['b/shop.iterns'], loaded, state);
    expect(() => checkTableTargets(by, loaded, state, new Map([['b', live]]))).toThrow(/migration b has no table shop.iterns; did you mean shop.items\?/);
  });
});
