// How the plan shows the DDL policy (spec/ddl-policy.ts): each table's policy among its facts, and
// an edit of it as a `~` setting change. A policy shapes no table's copy, so nothing is copied
// again: it applies to DDL read from the checkpoint on (a stream stopped before a DDL reads that
// statement again under the new policy).
import type { DdlPolicy, Migration } from '../spec/schema.js';
import { ddlPolicyOf, listedTable } from '../spec/ddl-policy.js';
import type { DesiredTable } from '../model/targets.js';
import { sinkKindOf } from '../connectors/registry.js';
import type { Change } from './change.js';

/** The policy as a table's facts show it; a destination that cannot replicate DDL reports it instead. */
export function ddlFact(m: Migration, t: DesiredTable): string {
  const p = t.ddl.policy;
  if (p === 'replicate' && !sinkKindOf(m.spec.destination).replicatesDdl) return 'DDL reported, not replicated';
  return `DDL ${p}${t.ddl.from === 'default' ? '' : ` (${t.ddl.from})`}`;
}

export function ddlPolicyChanges(name: string, a: Migration, b: Migration, tables: readonly DesiredTable[]): Change[] {
  const out: Change[] = [];
  const was = ddlPolicyOf(a.spec, undefined).policy;
  const now = ddlPolicyOf(b.spec, undefined).policy;
  const followsSpec = (from: string) => from === 'spec.ddl' || from === 'default';
  if (was !== now) {
    const following = tables.filter((t) => followsSpec(t.ddl.from)).length;
    out.push(setting(name, 'spec.ddl', was, now, `${following} table(s) that set no policy of their own, and DDL naming no migrated table`));
  }
  for (const t of tables) {
    const before = listedTable(a.spec, t.database, t.table);
    const prev = ddlPolicyOf(a.spec, before?.t);
    if (prev.policy === t.ddl.policy) continue;
    // A table that follows spec.ddl before and after is in the line above.
    if (followsSpec(t.ddl.from) && followsSpec(prev.from)) continue;
    const field = (followsSpec(t.ddl.from) ? prev.from : t.ddl.from).replace(/\.operations$/, '.ddl');
    out.push(setting(name, field, prev.policy, t.ddl.policy, t.id));
  }
  return out;
}

function setting(name: string, field: string, was: DdlPolicy, now: DdlPolicy, applies: string): Change {
  return {
    kind: 'setting', action: 'update', migration: name, field,
    reason: `DDL ${was} → ${now} for ${applies}: applies to DDL from the checkpoint on, no table is copied again`,
    risks: [],
  };
}
