// Plans for table destinations (Tablestore, MySQL): the tables to create, drift when one is gone,
// and what a reviewer must know (DDL is not replicated to Tablestore).
import { describe, expect, it } from 'vitest';
import { MigrationDoc, type Migration, normalizedText, specDigest } from '../../../src/spec/index.js';
import { buildPlan, type LiveView } from '../../../src/plan/build.js';
import { snapshotDigest } from '../../../src/model/targets.js';
import { renderPlanHuman } from '../../../src/cli/views/plan-human.js';
import type { State } from '../../../src/state/model.js';
import type { ColumnInfo, TableInfo } from '../../../src/model/source-data.js';

function tablestoreSpec(): Migration {
  return MigrationDoc.parse({
    apiVersion: 'mig/v1', kind: 'Migration', metadata: { name: 'shop-to-ots' },
    spec: {
      source: { type: 'mysql', host: '127.0.0.1', user: 'root' },
      destination: { type: 'tablestore', endpoint: 'http://127.0.0.1:1', instance: 'shop', accessKeyId: '${env:AK}', accessKeySecret: '${env:SK}' },
      objects: [{ database: 'shop', tables: [{ name: 'orders', target: 'orders_v2' }, { name: 'customers' }] }],
    },
  });
}

const col = (name: string): ColumnInfo => ({ name, dataType: 'int', columnType: 'int(11)', unsigned: false, nullable: false, binary: false });
const info = (t: string): TableInfo => ({ database: 'shop', table: t, columns: [col('id'), col('n')], primaryKey: ['id'], chunkKey: ['id'], keyKind: 'primary', estimatedRows: 10 });

function live(targets: string[]): LiveView {
  return {
    source: { ok: true, databases: new Set(['shop']), tables: new Map(['orders', 'customers'].map((t) => [`shop.${t}`, info(t)])) },
    topics: { ok: true, topics: new Map() },
    targets: { ok: true, names: new Set(targets) },
  };
}

function plan(m: Migration, state: State, view: LiveView) {
  return buildPlan({ migrations: [{ file: 'x.yaml', migration: m, digest: specDigest(m) }], state, live: new Map([[m.metadata.name, view]]), specDigest: 'd', normalizedText, now: new Date('2026-01-01T00:00:00Z') });
}

const empty: State = { version: 1, serial: 0, lineage: 'L', migrations: {} };

describe('plans for table destinations', () => {
  it('a new Tablestore migration creates its tables and says DDL is not replicated', () => {
    const m = tablestoreSpec();
    const p = plan(m, empty, live([]));
    const changes = p.migrations[0]!.changes;
    expect(changes.filter((c) => c.kind === 'target').map((c) => c.kind === 'target' && `${c.into} ${c.target} ${c.reason}`)).toEqual([
      'tablestore-table orders_v2 new table (key id INTEGER)',
      'tablestore-table customers new table (key id INTEGER)',
    ]);
    expect(changes.find((c) => c.kind === 'migration')!.reason).toContain('Tablestore shop, write mode update (UpdateRow)');
    expect(p.notes.map((n) => n.message)).toContainEqual(expect.stringContaining('DDL is not replicated to Tablestore'));
    const text = renderPlanHuman(p);
    expect(text).toContain('table shop.orders → Tablestore table orders_v2');
    expect(text).toContain('Tablestore table customers');
  });

  it('a destination table deleted outside mig is drift: created again, and its rows copied again', () => {
    const m = tablestoreSpec();
    // Digests as apply records them, so nothing but the missing table differs.
    const t = (id: string, target: string) => ({ id, phase: 'incremental' as const, target, snapshotDigest: digestOf(m, id), keyColumns: ['id'], rowsCopied: 10, fullDoneAt: '2026-01-01T00:00:00.000Z' });
    const state: State = {
      version: 1, serial: 3, lineage: 'L',
      migrations: { [m.metadata.name]: { name: m.metadata.name, spec: m, digest: specDigest(m), appliedAt: '2026-01-01T00:00:00.000Z', tables: { 'shop.orders': t('shop.orders', 'orders_v2'), 'shop.customers': t('shop.customers', 'customers') }, topics: {} } },
    };
    expect(plan(m, state, live(['orders_v2', 'customers'])).migrations[0]!.changes).toEqual([]);
    const p = plan(m, state, live(['customers']));
    const changes = p.migrations[0]!.changes;
    const drift = changes.find((c) => c.kind === 'target');
    expect(drift).toMatchObject({ action: 'create', target: 'orders_v2', into: 'tablestore-table', risks: ['re-snapshot', 'long-running'] });
    expect(drift!.reason).toContain('drift: the table was deleted outside mig');
    expect(changes).toContainEqual(expect.objectContaining({ kind: 'table', action: 'replace', table: 'shop.orders', into: 'tablestore-table' }));
    expect(changes.some((c) => c.kind === 'table' && c.table === 'shop.customers')).toBe(false);
  });

  it('MySQL destination targets are database.table, with the database mapping', () => {
    const m = MigrationDoc.parse({
      apiVersion: 'mig/v1', kind: 'Migration', metadata: { name: 'tidb-to-rds' },
      spec: {
        source: { type: 'tidb', host: '127.0.0.1', user: 'root', binlogKafka: { brokers: ['127.0.0.1:9092'], topic: 'obinlog' } },
        destination: { type: 'mysql', host: '127.0.0.1', user: 'root' },
        objects: [{ database: 'shop', target: 'shop_copy', tables: [{ name: 'orders', target: 'orders_v2' }, { name: 'customers' }] }],
      },
    });
    const p = plan(m, empty, live(['shop_copy.customers']));
    expect(p.migrations[0]!.changes.filter((c) => c.kind === 'target').map((c) => c.kind === 'target' && c.target)).toEqual(['shop_copy.orders_v2']);
    expect(renderPlanHuman(p)).toContain('table shop.orders → MySQL table shop_copy.orders_v2');
  });
});

function digestOf(m: Migration, id: string): string {
  const t = m.spec.objects[0]!.tables!.find((x) => `shop.${x.name}` === id)!;
  const d = m.spec.destination;
  if (d.type !== 'tablestore') throw new Error('tablestore spec expected');
  return snapshotDigest(t.target ?? t.name, t.filter, { primaryKey: t.primaryKey ?? null, columnTypes: t.columnTypes ?? null, columns: t.columns ?? null, rename: t.rename ?? null, writeMode: d.writeMode });
}
