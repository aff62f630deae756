import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MigrationDoc } from '../../../src/spec/schema.js';
import { planDestroy } from '../../../src/plan/destroy.js';
import { renderDestroyPlan } from '../../../src/cli/destroy-view.js';
import { destroyMigrations } from '../../../src/engine/destroy.js';
import { recordingHook } from '../../../src/engine/record-events.js';
import { takeUpGeneration } from '../../../src/state/generation.js';
import { FileStateStore } from '../../../src/state/file-store.js';
import type { MigrationState, State } from '../../../src/state/model.js';
import type { RunnerLease } from '../../../src/state/store.js';
import { sampleState } from '../state/sample-state.js';

const mysqlSpec = MigrationDoc.parse({
  apiVersion: 'mig/v1', kind: 'Migration', metadata: { name: 'to-mysql' },
  spec: {
    source: { type: 'mariadb', host: 'db', user: 'mig' },
    destination: { type: 'mysql', host: 'dest', port: 3306, user: 'mig', checkpointDatabase: 'ops' },
    objects: [{ database: 'shop', tables: [{ name: 'orders' }, { name: 'items' }] }],
  },
});

function state(): State {
  const s = sampleState();
  s.migrations.orders!.topics = { orders: { partitions: 3, created: true }, legacy: { partitions: 1 } };
  const t = (id: string, target: string, targetOrigin: 'created' | 'kept') => ({ id, phase: 'incremental' as const, target, snapshotDigest: 'd', keyColumns: ['id'], rowsCopied: 1, targetOrigin });
  const m: MigrationState = {
    name: 'to-mysql', spec: mysqlSpec, digest: 'sha256:m', appliedAt: '2024-05-01T10:00:00.000Z', topics: {}, generation: 2,
    tables: { 'shop.orders': t('shop.orders', 'shop.orders', 'created'), 'shop.items': t('shop.items', 'shop.items', 'kept') },
  };
  s.migrations['to-mysql'] = m;
  return s;
}

const lease: RunnerLease = { id: 'l1', migration: 'orders', pid: 4242, host: 'runner-1', since: '2024-05-01T10:00:00.000Z', expiresAt: '2099-01-01T00:00:00.000Z' };

describe('the destroy plan', () => {
  it('names a runner that stops, forgets the state, and keeps what mig created without --delete-destination', () => {
    const p = planDestroy(state(), { orders: lease }, { names: ['orders'], specNames: [], deleteDestination: false });
    expect(p.migrations.map((m) => m.name)).toEqual(['orders']);
    const text = renderDestroyPlan(p);
    expect(text).toContain('stop replication: the runner holding its lease (pid 4242 on runner-1');
    expect(text).toContain('forget its state: generation 1, 1 table(s) (1 full), checkpoint mysql-bin.000003:4711');
    expect(text).toContain('keep the 1 topic(s) mig created (orders) and their data; --delete-destination deletes them');
    expect(text).toContain("keep 1 topic(s) it writes but mig did not record creating (legacy)");
    expect(text).not.toContain('[destructive]');
  });

  it('with --delete-destination marks each deletion of what mig created [destructive], never what it found', () => {
    const p = planDestroy(state(), {}, { names: [], specNames: [], deleteDestination: true });
    expect(p.migrations.map((m) => m.name)).toEqual(['orders', 'to-mysql']);
    const text = renderDestroyPlan(p);
    expect(text).toContain('- delete topic orders at kafka:9092, with its data  [destructive]');
    expect(text).toContain('- delete table shop.orders at MySQL dest:3306, with its data  [destructive]');
    expect(text).not.toMatch(/delete (topic legacy|table shop\.items)/);
    expect(text).toContain('remove its rows from ops.mig_checkpoint at MySQL dest:3306');
    expect(p.migrations[1]!.created).toEqual(['shop.orders']);
  });

  it('refuses an unknown name with a did-you-mean; a spec never applied has nothing to destroy', () => {
    expect(() => planDestroy(state(), {}, { names: ['ordres'], specNames: [], deleteDestination: false })).toThrow(/no migration is named ordres; did you mean orders\?/);
    const p = planDestroy(state(), {}, { names: ['fresh'], specNames: ['fresh'], deleteDestination: false });
    expect(p.migrations).toEqual([]);
    expect(renderDestroyPlan(p)).toContain('fresh: never applied to this state; nothing to destroy.');
  });
});

describe('recording what mig created', () => {
  it('a topic mig created is marked created, and stays so when it is seen again', () => {
    const ms = structuredClone(sampleState().migrations.orders!);
    ms.topics = {};
    const hook = recordingHook(ms, () => undefined);
    hook({ type: 'topic-created', migration: 'orders', topic: 'a', partitions: 2 });
    hook({ type: 'topic-known', migration: 'orders', topic: 'a', partitions: 2 });
    hook({ type: 'topic-known', migration: 'orders', topic: 'b', partitions: 1 });
    expect(ms.topics).toEqual({ a: { partitions: 2, created: true }, b: { partitions: 1 } });
  });
});

describe('topics apply created for a generation a runner takes up', () => {
  it('become the migration\'s own once taken up, so destroy --delete-destination deletes them', () => {
    const ms = structuredClone(sampleState().migrations.orders!);
    ms.topics = { orders: { partitions: 3 } };
    ms.desired = { generation: 2, recordedAt: '2024-05-02T00:00:00.000Z', spec: ms.spec, digest: 'sha256:d', dropTables: [], addTables: [], createdTopics: { 'orders.new': 2 } };
    expect(takeUpGeneration(ms)).toBe('taken');
    expect(ms.topics).toEqual({ orders: { partitions: 3 }, 'orders.new': { partitions: 2, created: true } });
    const s = sampleState();
    s.migrations.orders = ms;
    expect(planDestroy(s, {}, { names: [], specNames: [], deleteDestination: true }).migrations[0]!.created).toEqual(['orders.new']);
  });
});

describe('destroying a migration no runner holds', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mig-destroy-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('records the removal, takes it up under the lease and forgets the state; the others stay', async () => {
    const store = new FileStateStore(join(dir, 'state.json'));
    const s = state();
    delete s.migrations['to-mysql'];
    s.migrations.other = { ...structuredClone(s.migrations.orders!), name: 'other' };
    await store.write({ ...s, serial: 0 });
    const p = planDestroy(await store.read(), {}, { names: ['orders'], specNames: [], deleteDestination: false });
    const lines: string[] = [];
    const done = await destroyMigrations(store, p, { specDir: dir, waitMs: 5000, leaseMs: 5000, signal: new AbortController().signal, onReclaim: () => undefined, out: (l) => lines.push(l) });
    expect(done).toEqual([{ migration: 'orders', generation: 1, stoppedBy: 'destroy', deleted: [], kept: ['orders'] }]);
    const after = await store.read();
    expect(Object.keys(after.migrations)).toEqual(['other']);
    expect(await store.leases()).toEqual({});
    expect(await store.currentLock()).toBeUndefined();
    expect(lines).toEqual(['orders: removal recorded as generation 1.', 'orders: destroyed; kept orders.']);
  });
});
