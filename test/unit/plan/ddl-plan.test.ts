// The DDL policy in the plan: each new table shows its policy among its facts, and an edit of the
// policy is a `~` setting applied from the checkpoint on, never a copy.
import { describe, expect, it } from 'vitest';
import { renderPlanHuman } from '../../../src/cli/views/plan-human.js';
import { applied, empty, liveOk, plan, spec } from '../views/plan-fixtures.js';

describe('the DDL policy in the plan', () => {
  it("shows each new table's policy and where it comes from", () => {
    const m = spec((d) => {
      d.spec.ddl = 'stop';
      d.spec.objects[0]!.tables[1]!.ddl = 'ignore';
    });
    const text = renderPlanHuman(plan([m], empty, liveOk()));
    expect(text).toContain("filter status <> 'draft', DDL stop (spec.ddl))");
    expect(text).toContain('primary key id, DDL ignore (spec.objects[0].tables[1].ddl))');
  });

  it('a Tablestore destination reports DDL instead of replicating it', () => {
    const m = spec((d) => {
      d.spec.destination = { type: 'tablestore', endpoint: 'http://127.0.0.1:8080', instance: 'shop', accessKeyId: '${env:AK}', accessKeySecret: '${env:SK}' };
      for (const t of d.spec.objects[0]!.tables) { delete t.topic; delete t.partitions; }
    });
    expect(renderPlanHuman(plan([m], empty, liveOk()))).toContain('DDL reported, not replicated)');
  });

  it('a changed policy is an in-place setting change; no table is copied again', () => {
    const before = spec();
    const after = spec((d) => {
      d.spec.ddl = 'ignore';
      d.spec.objects[0]!.tables[0]!.ddl = 'stop';
    });
    const p = plan([after], applied(before), liveOk({ shop: 1, 'shop.orders': 3 }));
    const changes = p.migrations[0]!.changes;
    expect(changes.filter((c) => c.kind === 'table')).toEqual([]);
    expect(changes.filter((c) => c.kind === 'setting').map((c) => `${c.action} ${'field' in c ? c.field : ''}: ${c.reason}`)).toEqual([
      'update spec.ddl: DDL replicate → ignore for 1 table(s) that set no policy of their own, and DDL naming no migrated table: applies to DDL from the checkpoint on, no table is copied again',
      'update spec.objects[0].tables[0].ddl: DDL replicate → stop for shop.orders: applies to DDL from the checkpoint on, no table is copied again',
    ]);
    expect(renderPlanHuman(p)).toContain('~ setting spec.objects[0].tables[0].ddl');
  });

  it('an operations list that drops ddl shows the policy going to ignore too', () => {
    const p = plan([spec((d) => { d.spec.objects[0]!.tables[1]!.operations = ['insert', 'update', 'delete']; })], applied(spec()), liveOk({ shop: 1, 'shop.orders': 3 }));
    const reasons = p.migrations[0]!.changes.map((c) => c.reason);
    expect(reasons).toContain('DDL replicate → ignore for shop.customers: applies to DDL from the checkpoint on, no table is copied again');
  });
});
