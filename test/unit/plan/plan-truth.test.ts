// A plan that tells the truth (issue 13): a failed precheck fails the plan, a position the source
// no longer holds is drift repaired by a new snapshot, and a full load another process runs is
// reported as running, not as interrupted.
import { describe, expect, it } from 'vitest';
import { MigrationDoc, type Migration, normalizedText, specDigest } from '../../../src/spec/index.js';
import { buildPlan, type LiveView, type PlanInput } from '../../../src/plan/build.js';
import { hasChanges, hasErrors, planExitCode, precheckFailed, type Plan } from '../../../src/plan/change.js';
import { snapshotDigest } from '../../../src/model/targets.js';
import { renderPlanHuman } from '../../../src/cli/views/plan-human.js';
import { renderPlanMarkdown } from '../../../src/cli/views/plan-markdown.js';
import { renderPlan } from '../../../src/cli/views/plan-format.js';
import type { Finding, PrecheckReport } from '../../../src/model/precheck-report.js';
import type { State, TableState } from '../../../src/state/model.js';
import type { TableInfo } from '../../../src/model/source-data.js';

function spec(): Migration {
  return MigrationDoc.parse({
    apiVersion: 'mig/v1', kind: 'Migration', metadata: { name: 'shop' },
    spec: {
      source: { type: 'mysql', host: '127.0.0.1', port: 3307, user: 'root', password: '${env:PW}' },
      destination: { type: 'kafka', brokers: ['127.0.0.1:19092'], topic: 'shop', format: 'canal-json' },
      types: ['schema', 'full', 'incremental'],
      objects: [{ database: 'shop', tables: [{ name: 'orders' }] }],
    },
  });
}

const col = (name: string) => ({ name, dataType: 'int', columnType: 'int(11)', unsigned: false, nullable: false, binary: false });
const info: TableInfo = { database: 'shop', table: 'orders', columns: [col('id')], primaryKey: ['id'], chunkKey: ['id'], keyKind: 'primary', estimatedRows: 10 };
const live = (extra: Partial<LiveView> = {}): LiveView => ({
  source: { ok: true, databases: new Set(['shop']), tables: new Map([['shop.orders', info]]) },
  topics: { ok: true, topics: new Map([['shop', 1]]) },
  ...extra,
});

function applied(m: Migration, table: Partial<TableState> = {}): State {
  const orders: TableState = { id: 'shop.orders', phase: 'incremental', target: 'shop', snapshotDigest: snapshotDigest('shop', undefined), keyColumns: ['id'], rowsCopied: 10, fullDoneAt: '2026-01-01T00:00:00.000Z', ...table };
  return {
    version: 2, serial: 3, lineage: 'L',
    migrations: {
      shop: {
        name: 'shop', spec: m, digest: specDigest(m), appliedAt: '2026-01-01T00:00:00.000Z',
        tables: { 'shop.orders': orders }, topics: { shop: { partitions: 1 } },
        snapshot: { position: { file: 'mariadb-bin.000001', pos: 4 }, takenAt: '2026-01-01T00:00:00.000Z' },
        checkpoint: { file: 'mariadb-bin.000002', pos: 900 },
      },
    },
  };
}

function plan(state: State, view: LiveView, extra: Partial<PlanInput> = {}): Plan {
  const m = spec();
  return buildPlan({
    migrations: [{ file: 'migrations.d/shop.yaml', migration: m, digest: specDigest(m) }],
    state, live: new Map([['shop', view]]), specDigest: 'sha256:x', normalizedText, now: new Date('2026-11-21T00:00:00Z'), ...extra,
  });
}

const finding = (id: Finding['id'], severity: Finding['severity'], status: Finding['status'], message: string, fix = ''): Finding => ({ id, severity, ignorable: true, status, observed: 'seen', expected: 'wanted', message, fix });

function report(findings: Finding[]): PrecheckReport {
  const failed = findings.filter((f) => f.status === 'fail' && f.severity === 'error').length;
  return {
    ok: failed === 0,
    migrations: [{ migration: 'shop', file: 'migrations.d/shop.yaml', findings }],
    summary: { passed: 0, failed, warnings: findings.filter((f) => f.status === 'fail' && f.severity === 'warning').length, ignored: findings.filter((f) => f.status === 'ignored').length, skipped: 0 },
  };
}

const unreachable = finding('source.connection', 'error', 'fail', 'cannot connect to the source at 127.0.0.1:3307: connection refused', 'check spec.source.host and spec.source.port');

describe('a failed precheck fails the plan', () => {
  const m = spec();
  const changed = plan({ version: 2, serial: 0, lineage: 'L', migrations: {} }, live());
  const unchanged = plan(applied(m), live());

  it('exits 1, with or without --detailed-exitcode, changes or not', () => {
    for (const p of [changed, unchanged]) {
      const failed = { ...p, precheck: report([unreachable]) };
      expect(precheckFailed(failed)).toBe(true);
      expect(hasErrors(failed)).toBe(true);
      expect(planExitCode(failed, false)).toBe(1);
      expect(planExitCode(failed, true)).toBe(1);
    }
  });

  it('warnings and ignored checks do not fail it', () => {
    const p = { ...changed, precheck: report([finding('source.binlog-retention', 'warning', 'fail', 'kept 1 day'), finding('source.primary-key', 'error', 'ignored', 'no key')]) };
    expect(hasErrors(p)).toBe(false);
    expect(planExitCode(p, false)).toBe(0);
    expect(planExitCode(p, true)).toBe(2);
    expect(planExitCode({ ...unchanged, precheck: p.precheck }, true)).toBe(0);
    expect(renderPlanHuman(p)).not.toContain('cannot be applied');
    expect(renderPlanMarkdown(p)).not.toContain('CAUTION');
  });

  it('the human plan says so first and last, with the fix', () => {
    const text = renderPlanHuman({ ...changed, precheck: report([unreachable]) });
    const lines = text.split('\n');
    expect(lines[0]).toBe('Precheck failed — this plan cannot be applied: mig apply refuses to run until the failed checks below pass.');
    expect(text).toContain('fix: check spec.source.host and spec.source.port');
    expect(lines.at(-1)).toBe('Precheck failed — this plan cannot be applied (see the failed checks at the top).');
    expect(text).toContain('Plan: 2 to create');
  });

  it('the human plan without changes does not claim the migrations match', () => {
    const text = renderPlanHuman({ ...unchanged, precheck: report([unreachable]) });
    expect(text).not.toContain('The migrations match');
    expect(text.split('\n').at(-1)).toBe('No changes to the migrations. Precheck failed — this plan cannot be applied (see the failed checks at the top).');
  });

  it('the markdown plan opens with the failed checks and their fixes', () => {
    const text = renderPlanMarkdown({ ...changed, precheck: report([unreachable]) });
    const lines = text.split('\n');
    expect(lines[1]).toBe('## mig plan: ❌ precheck failed, cannot be applied (2 to create, 0 to update, 0 to replace, 0 to delete)');
    expect(lines[3]).toBe('> [!CAUTION]');
    expect(lines[4]).toContain('**Precheck failed — this plan cannot be applied.**');
    expect(lines[5]).toBe('> - `source.connection` of `shop`: cannot connect to the source at 127.0.0.1:3307: connection refused (observed `seen`). **Fix:** check spec.source.host and spec.source.port');
    expect(text).toContain('not applicable (errors)');
    expect(renderPlanMarkdown({ ...unchanged, precheck: report([unreachable]) }).split('\n')[1]).toBe('## mig plan: ❌ precheck failed, cannot be applied (no changes)');
  });

  it('the JSON plan says it is not applicable and carries the report', () => {
    const doc = JSON.parse(renderPlan({ ...changed, precheck: report([unreachable]) }, 'json')) as { applicable: boolean; precheckFailed: boolean; precheck: PrecheckReport };
    expect(doc.applicable).toBe(false);
    expect(doc.precheckFailed).toBe(true);
    expect(doc.precheck.ok).toBe(false);
    expect((JSON.parse(renderPlan(changed, 'json')) as { applicable: boolean }).applicable).toBe(true);
  });
});

describe('a resume position the source no longer holds', () => {
  const m = spec();
  const gone = { ok: false as const, reason: 'binlog file mariadb-bin.000002 was purged from the source, whose oldest is now mariadb-bin.000005; the checkpoint cannot resume' };

  it('is drift: the migration is re-snapshotted, every table copied again (no backfill)', () => {
    const p = plan(applied(m), live({ resume: gone }));
    expect(hasChanges(p)).toBe(true);
    expect(hasErrors(p)).toBe(false);
    const [first, ...rest] = p.migrations[0]!.changes;
    // A 10-row table: copied again, but not long-running (plan/table-size.ts).
    expect(first).toMatchObject({ kind: 'migration', action: 'replace', risks: ['re-snapshot'] });
    expect(first!.reason).toBe(`re-snapshot required (${gone.reason}): drift outside mig that only a new snapshot repairs; apply drops the checkpoint, copies every table again from a new snapshot, then streams from there`);
    expect(rest).toEqual([expect.objectContaining({ kind: 'table', action: 'replace', table: 'shop.orders', risks: ['re-snapshot'], estimate: { rows: 10 } })]);
    const text = renderPlanHuman(p);
    expect(text).toContain('-/+ migration shop  [re-snapshot]\n');
    expect(text).toContain('re-snapshot required (binlog file mariadb-bin.000002 was purged');
    expect(text).toContain('Plan: 0 to create, 0 to update, 2 to replace, 0 to delete.');
  });

  it('is nothing when the source still holds it, or could not tell', () => {
    expect(hasChanges(plan(applied(m), live({ resume: { ok: true } })))).toBe(false);
    expect(hasChanges(plan(applied(m), live()))).toBe(false);
  });

  it('is already repaired by an approved new snapshot waiting for its runner', () => {
    const st = applied(m);
    st.migrations.shop!.generation = 2;
    st.migrations.shop!.observedGeneration = 1;
    st.migrations.shop!.desired = { generation: 2, recordedAt: '2026-11-20T00:00:00.000Z', spec: m, digest: specDigest(m), resnapshot: true, dropTables: ['shop.orders'], addTables: [] };
    const p = plan(st, live({ resume: gone }));
    expect(p.migrations[0]!.changes.some((c) => c.kind === 'migration')).toBe(false);
  });

  it('--replace keeps its own reason', () => {
    const p = plan(applied(m), live({ resume: gone }), { replace: new Set(['shop']) });
    expect(p.migrations[0]!.changes[0]!.reason).toMatch(/^forced new snapshot \(--replace\)/);
  });
});

describe('a full load another process runs', () => {
  const m = spec();
  const loadingState = () => applied(m, { phase: 'full', rowsCopied: 1200, fullDoneAt: undefined, cursor: ['1200'] });
  const lease = { id: 'x', migration: 'shop', pid: 4242, host: 'box', since: '2026-11-20T10:00:00.000Z', expiresAt: '2026-11-21T00:00:30.000Z' };

  it('is interrupted when no one runs it', () => {
    const p = plan(loadingState(), live());
    expect(p.migrations[0]!.changes).toEqual([expect.objectContaining({ kind: 'table', action: 'update', reason: 'full load interrupted: resumes from the checkpoint (1,200 rows copied)' })]);
  });

  it('is running in the runner holding the lease', () => {
    const p = plan(loadingState(), live(), { leases: { shop: lease } });
    expect(hasChanges(p)).toBe(false);
    const text = renderPlanHuman(p);
    expect(text).not.toContain('interrupted');
    expect(text).toContain('info: shop: running in runner pid 4242 on box since 2026-11-20T10:00:00.000Z: full load in progress (shop.orders 1,200 rows copied); apply has nothing to resume');
  });

  it('is running in an apply holding the state lock', () => {
    const p = plan(loadingState(), live(), { lock: { id: 'L1', pid: 77, host: 'ci', time: '2026-11-20T11:00:00.000Z', operation: 'apply' } });
    expect(hasChanges(p)).toBe(false);
    const text = renderPlanHuman(p);
    expect(text).not.toContain('interrupted');
    expect(text).toContain('info: shop: running (locked by apply pid 77 on ci since 2026-11-20T11:00:00.000Z): full load in progress (shop.orders 1,200 rows copied)');
    expect(text).toContain('info: the state is locked by apply (pid 77 on ci since 2026-11-20T11:00:00.000Z)');
  });

  it('a lock held for another operation does not make a migration running', () => {
    const p = plan(loadingState(), live(), { lock: { id: 'L1', pid: 77, host: 'ci', time: '2026-11-20T11:00:00.000Z', operation: 'state rm' } });
    expect(p.migrations[0]!.changes[0]!.reason).toMatch(/^full load interrupted/);
  });
});
