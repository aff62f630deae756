// A throttle edit is planned as `~` settings applied live at the checkpoint: no table is copied again.
import { describe, expect, it } from 'vitest';
import { MigrationDoc, type Migration, normalizedText, specDigest } from '../../../src/spec/index.js';
import { buildPlan, type LiveView } from '../../../src/plan/build.js';
import { snapshotDigest } from '../../../src/model/targets.js';
import { renderPlanHuman } from '../../../src/cli/views/plan-human.js';
import type { State, TableState } from '../../../src/state/model.js';
import type { TableInfo } from '../../../src/model/source-data.js';

function spec(throttle?: object, retry?: object): Migration {
  return MigrationDoc.parse({
    apiVersion: 'mig/v1', kind: 'Migration', metadata: { name: 'shop-to-kafka' },
    spec: {
      source: { type: 'mysql', host: '127.0.0.1', port: 3307, user: 'root', password: '${env:PW}' },
      destination: { type: 'kafka', brokers: ['127.0.0.1:19092'], topic: 'shop', format: 'canal-json' },
      types: ['schema', 'full', 'incremental'],
      objects: [{ database: 'shop', tables: [{ name: 'orders' }] }],
      ...(throttle ? { throttle } : {}),
      ...(retry ? { retry } : {}),
    },
  });
}

const col = (name: string) => ({ name, dataType: 'int', columnType: 'int(11)', unsigned: false, nullable: false, binary: false });
const orders: TableInfo = { database: 'shop', table: 'orders', columns: [col('id')], primaryKey: ['id'], chunkKey: ['id'], keyKind: 'primary', estimatedRows: 10 };
const live: LiveView = {
  source: { ok: true, databases: new Set(['shop']), tables: new Map([['shop.orders', orders]]) },
  topics: { ok: true, topics: new Map([['shop', 1]]) },
};

function applied(m: Migration): State {
  const t: TableState = { id: 'shop.orders', phase: 'incremental', target: 'shop', snapshotDigest: snapshotDigest('shop', undefined), keyColumns: ['id'], rowsCopied: 10, fullDoneAt: '2026-01-01T00:00:00.000Z' };
  return {
    version: 1, serial: 7, lineage: 'L',
    migrations: {
      [m.metadata.name]: {
        name: m.metadata.name, spec: m, digest: specDigest(m), appliedAt: '2026-01-01T00:00:00.000Z',
        tables: { 'shop.orders': t }, topics: { shop: { partitions: 1 } },
        checkpoint: { file: 'mariadb-bin.000001', pos: 400 },
        snapshot: { position: { file: 'mariadb-bin.000001', pos: 4 }, takenAt: '2026-01-01T00:00:00.000Z' },
      },
    },
  };
}

function plan(was: Migration, now: Migration) {
  return buildPlan({
    migrations: [{ file: 'migrations.d/shop.yaml', migration: now, digest: specDigest(now) }],
    state: applied(was), live: new Map([[now.metadata.name, live]]), specDigest: 'sha256:x', normalizedText, now: new Date('2026-11-21T00:00:00Z'),
  });
}

describe('a throttle edit in the plan', () => {
  it('is one ~ setting per changed limit, applied live, with no table copied again', () => {
    const p = plan(spec({ incremental: { rowsPerSecond: 500 } }), spec({ incremental: { rowsPerSecond: 1000 }, full: { mbPerSecond: 2 } }));
    const changes = p.migrations[0]!.changes;
    expect(changes.map((c) => [c.kind, c.action, c.kind === 'setting' ? c.field : '', c.reason])).toEqual([
      ['setting', 'update', 'spec.throttle.full.mbPerSecond', '(no limit) → 2 (applied live at the checkpoint)'],
      ['setting', 'update', 'spec.throttle.incremental.rowsPerSecond', '500 → 1000 (applied live at the checkpoint)'],
    ]);
    expect(changes.every((c) => c.risks.length === 0)).toBe(true);
    const text = renderPlanHuman(p);
    expect(text).toContain('  ~ setting spec.throttle.incremental.rowsPerSecond\n        500 → 1000 (applied live at the checkpoint)');
    expect(text).toContain('Plan: 0 to create, 2 to update, 0 to replace, 0 to delete.');
  });

  it('shows a limit taken away as no limit', () => {
    const p = plan(spec({ full: { sourceQps: 50 } }), spec());
    const text = renderPlanHuman(p);
    expect(text).toContain('~ setting spec.throttle.full.sourceQps\n        50 → (no limit) (applied live at the checkpoint)');
    expect(text).not.toContain('re-snapshot');
  });

  it('says nothing when the limits are the same', () => {
    const m = spec({ incremental: { mbPerSecond: 3 } });
    expect(plan(m, spec({ incremental: { mbPerSecond: 3 } })).migrations[0]!.changes).toEqual([]);
  });
});

describe('a retry window edit in the plan', () => {
  it("is a ~ setting with the effective windows (DTS's defaults where unset), applied live", () => {
    const p = plan(spec(), spec(undefined, { connectionMinutes: 60, otherMinutes: 5 }));
    const changes = p.migrations[0]!.changes;
    expect(changes.map((c) => [c.kind === 'setting' ? c.field : '', c.reason])).toEqual([
      ['spec.retry.connectionMinutes', '720 → 60 min (applied live at the checkpoint)'],
      ['spec.retry.otherMinutes', '10 → 5 min (applied live at the checkpoint)'],
    ]);
    expect(renderPlanHuman(p)).not.toContain('re-snapshot');
  });

  it('shows no window change when a default is written out', () => {
    const changes = plan(spec(), spec(undefined, { connectionMinutes: 720 })).migrations[0]!.changes;
    expect(changes.filter((c) => c.kind === 'setting' && c.field.startsWith('spec.retry'))).toEqual([]);
  });
});
