// Specs, states and live views for rendering tests: one shop migration, applied or not.
import { MigrationDoc, type Migration, normalizedText, specDigest } from '../../../src/spec/index.js';
import { buildPlan, type LiveView } from '../../../src/plan/build.js';
import { snapshotDigest } from '../../../src/model/targets.js';
import type { Plan } from '../../../src/plan/change.js';
import type { State, TableState } from '../../../src/state/model.js';
import type { TableInfo } from '../../../src/model/source-data.js';

type Doc = { metadata: { name: string }; spec: Record<string, unknown> & { objects: { database: string; tables: Record<string, unknown>[] }[] } };

export function spec(over: (d: Doc) => void = () => {}, name = 'shop-to-kafka'): Migration {
  const doc: Doc & Record<string, unknown> = {
    apiVersion: 'mig/v1', kind: 'Migration', metadata: { name },
    spec: {
      source: { type: 'mysql', host: '127.0.0.1', port: 3307, user: 'root', password: '${env:PW}' },
      destination: { type: 'kafka', brokers: ['127.0.0.1:19092'], topic: 'shop', format: 'canal-json' },
      types: ['schema', 'full', 'incremental'],
      objects: [{ database: 'shop', tables: [{ name: 'orders', topic: 'shop.orders', partitions: 3, filter: "status <> 'draft'" }, { name: 'customers' }] }],
    },
  };
  over(doc);
  return MigrationDoc.parse(doc);
}

const col = (name: string) => ({ name, dataType: 'int', columnType: 'int(11)', unsigned: false, nullable: false, binary: false });
const info = (t: string): TableInfo => ({ database: 'shop', table: t, columns: [col('id'), col('email'), col('region')], primaryKey: ['id'], chunkKey: ['id'], keyKind: 'primary', estimatedRows: t === 'orders' ? 497_586 : 12 });

export const liveOk = (topics: Record<string, number> = {}): LiveView => ({
  source: { ok: true, databases: new Set(['shop']), tables: new Map(['orders', 'customers', 'items'].map((t) => [`shop.${t}`, info(t)])) },
  topics: { ok: true, topics: new Map(Object.entries(topics)) },
});

export const offline: LiveView = { source: { ok: false, error: 'offline' }, topics: { ok: false, error: 'offline' } };

export const empty: State = { version: 1, serial: 0, lineage: 'L', migrations: {} };

/** A state in which each given migration was applied and its tables are streaming. */
export function applied(...ms: Migration[]): State {
  const state: State = { version: 1, serial: 7, lineage: 'L', migrations: {} };
  for (const m of ms) {
    const t = (id: string, topic: string, filter?: string): TableState => ({
      id, phase: 'incremental', target: topic, snapshotDigest: snapshotDigest(topic, filter), keyColumns: ['id'], rowsCopied: 10, fullDoneAt: '2026-01-01T00:00:00.000Z',
    });
    state.migrations[m.metadata.name] = {
      name: m.metadata.name, spec: m, digest: specDigest(m), appliedAt: '2026-01-01T00:00:00.000Z',
      tables: { 'shop.orders': t('shop.orders', 'shop.orders', "status <> 'draft'"), 'shop.customers': t('shop.customers', 'shop') },
      topics: { shop: { partitions: 1 }, 'shop.orders': { partitions: 3 } },
      snapshot: { position: { file: 'mariadb-bin.000001', pos: 4 }, takenAt: '2026-01-01T00:00:00.000Z' },
    };
  }
  return state;
}

export function plan(ms: Migration[], state: State, live: LiveView): Plan {
  return buildPlan({
    migrations: ms.map((x) => ({ file: `migrations.d/${x.metadata.name}.yaml`, migration: x, digest: specDigest(x) })),
    state, live: new Map(ms.map((x) => [x.metadata.name, live])), specDigest: 'sha256:x', normalizedText, now: new Date('2026-11-21T00:00:00Z'),
  });
}
