import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { MigrationDoc, type Migration, normalizedText, specDigest } from '../../../src/spec/index.js';
import { buildPlan, type LiveView } from '../../../src/plan/build.js';
import { hasChanges } from '../../../src/plan/change.js';
import { snapshotDigest } from '../../../src/model/targets.js';
import { renderPlanHuman } from '../../../src/cli/views/plan-human.js';
import type { State, TableState } from '../../../src/state/model.js';
import type { TableInfo } from '../../../src/model/source-data.js';

const GOLDEN = path.join(__dirname, '../../fixtures/plans');

function spec(over: (m: Record<string, any>) => void = () => {}): Migration {
  const doc: Record<string, any> = {
    apiVersion: 'mig/v1', kind: 'Migration', metadata: { name: 'shop-to-kafka' },
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

const c = (name: string) => ({ name, dataType: 'int', columnType: 'int(11)', unsigned: false, nullable: false, binary: false });
const info = (t: string): TableInfo => ({ database: 'shop', table: t, columns: [c('id'), c('email'), c('region')], primaryKey: ['id'], chunkKey: ['id'], keyKind: 'primary', estimatedRows: t === 'orders' ? 497_586 : 12 });
const liveOk = (topics: Record<string, number> = {}): LiveView => ({
  source: { ok: true, databases: new Set(['shop']), tables: new Map(['orders', 'customers', 'items'].map((t) => [`shop.${t}`, info(t)])) },
  topics: { ok: true, topics: new Map(Object.entries(topics)) },
});

function applied(m: Migration, tables: Partial<Record<string, Partial<TableState>>> = {}): State {
  const t = (id: string, topic: string, filter?: string): TableState => ({
    id, phase: 'incremental', target: topic, snapshotDigest: snapshotDigest(topic, filter), keyColumns: ['id'], rowsCopied: 10, fullDoneAt: '2026-01-01T00:00:00.000Z', ...tables[id],
  });
  return {
    version: 1, serial: 7, lineage: 'L',
    migrations: {
      [m.metadata.name]: {
        name: m.metadata.name, spec: m, digest: specDigest(m), appliedAt: '2026-01-01T00:00:00.000Z',
        tables: { 'shop.orders': t('shop.orders', 'shop.orders', "status <> 'draft'"), 'shop.customers': t('shop.customers', 'shop') },
        topics: { shop: { partitions: 1 }, 'shop.orders': { partitions: 3 } },
        snapshot: { position: { file: 'mariadb-bin.000001', pos: 4 }, takenAt: '2026-01-01T00:00:00.000Z' },
      },
    },
  };
}

function plan(m: Migration[], state: State, live: LiveView) {
  return buildPlan({
    migrations: m.map((x) => ({ file: 'migrations.d/shop.yaml', migration: x, digest: specDigest(x) })),
    state, live: new Map(m.map((x) => [x.metadata.name, live])), specDigest: 'sha256:x', normalizedText, now: new Date('2026-11-21T00:00:00Z'),
  });
}

function golden(name: string, text: string) {
  const file = path.join(GOLDEN, `${name}.golden.txt`);
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, text);
  }
  if (!existsSync(file)) throw new Error(`missing golden ${file}: run with UPDATE_GOLDEN=1 and review it`);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

const empty: State = { version: 1, serial: 0, lineage: 'L', migrations: {} };

describe('plan', () => {
  it('a new migration creates topics and tables', () => {
    const p = plan([spec()], empty, liveOk());
    expect(hasChanges(p)).toBe(true);
    golden('new-migration', renderPlanHuman(p));
  });

  it('nothing changed: no changes to the migrations, and streaming is not promised away', () => {
    const m = spec();
    const p = plan([m], applied(m), liveOk({ shop: 1, 'shop.orders': 3 }));
    expect(hasChanges(p)).toBe(false);
    expect(renderPlanHuman(p)).toBe([
      'No changes to the migrations: they match the recorded state and the live systems.',
      "Streaming is not part of a plan: the source's changes since each checkpoint are streamed by mig apply --until-caught-up or --follow, or by a runner (mig run).",
    ].join('\n'));
  });

  it('a changed filter re-snapshots the table, with the spec diff', () => {
    const m = spec();
    const m2 = spec((d) => { d.spec.objects[0].tables[0].filter = "status NOT IN ('draft', 'void')"; });
    const p = plan([m2], applied(m), liveOk({ shop: 1, 'shop.orders': 3 }));
    const ch = p.migrations[0]!.changes;
    expect(ch).toEqual([expect.objectContaining({ kind: 'table', action: 'replace', table: 'shop.orders', risks: ['re-snapshot', 'long-running'] })]);
    golden('filter-changed', renderPlanHuman(p));
  });

  it('more partitions warn that per-key ordering breaks; a removed table is deleted', () => {
    const m = spec();
    const m2 = spec((d) => { d.spec.objects[0].tables = [{ name: 'orders', topic: 'shop.orders', partitions: 6, filter: "status <> 'draft'" }]; });
    const p = plan([m2], applied(m), liveOk({ shop: 1, 'shop.orders': 3 }));
    golden('partitions-and-removed-table', renderPlanHuman(p));
    expect(p.migrations[0]!.changes.map((c) => `${c.kind}:${c.action}`)).toEqual(['topic:update', 'table:delete']);
  });

  it('an interrupted full load resumes, a deleted topic is drift, a removed migration is deleted', () => {
    const m = spec();
    const st = applied(m, { 'shop.customers': { phase: 'full', rowsCopied: 5000, fullDoneAt: undefined, cursor: ['5000'] } });
    st.migrations['old-one'] = { ...st.migrations['shop-to-kafka']!, name: 'old-one', spec: spec((d) => { d.metadata.name = 'old-one'; }) };
    const p = plan([m], st, liveOk({ 'shop.orders': 3 }));
    golden('resume-drift-removed', renderPlanHuman(p));
  });

  it('a table missing on the source is an error; an unreachable source makes the plan partial', () => {
    const m = spec((d) => { d.spec.objects[0].tables.push({ name: 'nope' }); });
    const p = plan([m], empty, liveOk());
    expect(p.notes).toContainEqual(expect.objectContaining({ severity: 'error', message: 'table `shop.nope` does not exist on the source' }));
    const off = plan([spec()], empty, { source: { ok: false, error: 'offline' }, topics: { ok: false, error: 'offline' } });
    expect(off.partial).toBe(true);
    golden('offline', renderPlanHuman(off));
  });

  it('shows destination settings, message columns and partition keys that change', () => {
    const m = spec();
    const m2 = spec((d) => {
      d.spec.destination.partitioning = { policy: 'table' };
      d.spec.destination.nameCase = 'lower';
      d.spec.destination.ddlTopic = 'shop.ddl';
      d.spec.objects[0].tables[1].columns = { exclude: ['email'] };
      d.spec.objects[0].tables[1].partitionKey = ['region'];
    });
    const p = plan([m2], applied(m), liveOk({ shop: 1, 'shop.orders': 3, 'shop.ddl': 1 }));
    golden('destination-and-columns', renderPlanHuman(p));
  });

  it('a topic repartitioned outside mig is drift, adopted with its new count', () => {
    const m = spec();
    const p = plan([m], applied(m), liveOk({ shop: 4, 'shop.orders': 3 }));
    expect(p.migrations[0]!.changes).toEqual([expect.objectContaining({ kind: 'topic', action: 'update', topic: 'shop', partitions: 4, fromPartitions: 1, risks: ['breaks-key-order'] })]);
    expect(renderPlanHuman(p)).toContain('drift: the topic has 4 partitions but mig recorded 1');
  });

  it('names columns a table does not have as errors', () => {
    const m = spec((d) => { d.spec.objects[0].tables[1].rename = { nope: 'x' }; });
    const live = liveOk();
    (live.source as { tables: Map<string, TableInfo> }).tables.set('shop.customers', { ...info('customers'), columns: [{ name: 'id', dataType: 'int', columnType: 'int(11)', unsigned: false, nullable: false, binary: false }] });
    const p = plan([m], empty, live);
    expect(p.notes).toContainEqual(expect.objectContaining({ severity: 'error', message: 'rename of `shop.customers` names column(s) `nope` that the table does not have (it has id)' }));
  });

  it('a database without a table list takes every table from the live source', () => {
    const m = spec((d) => { delete d.spec.objects[0].tables; });
    const p = plan([m], empty, liveOk());
    expect(p.migrations[0]!.changes.filter((c) => c.kind === 'table').map((c) => (c as { table: string }).table)).toEqual(['shop.orders', 'shop.customers', 'shop.items']);
  });
});
