// The plan as a reviewer reads it: per migration, one line per change with its symbol and reason,
// then the spec diff.
import { ACTION_SYMBOL, RISK_TEXT, TARGET_LABEL, hasChanges, type Change, type Plan } from '../../plan/change.js';

function subject(c: Change): string {
  switch (c.kind) {
    case 'migration': return `migration ${c.migration}`;
    case 'table': return `table ${c.table} → ${TARGET_LABEL[c.into ?? 'topic']} ${c.topic}`;
    case 'target': return `${TARGET_LABEL[c.into]} ${c.target}`;
    case 'topic': return `topic ${c.topic} (${c.fromPartitions !== undefined ? `${c.fromPartitions} → ` : ''}${c.partitions} partition${c.partitions === 1 ? '' : 's'})`;
    case 'setting': return `setting ${c.field}`;
  }
}

export function renderPlanHuman(plan: Plan): string {
  const out: string[] = [];
  for (const n of plan.notes) out.push(`${n.severity}: ${n.migration ? n.migration + ': ' : ''}${n.message}${n.hint ? ` (${n.hint})` : ''}`);
  if (plan.notes.length > 0) out.push('');
  if (!hasChanges(plan)) {
    out.push('No changes. The migrations match the recorded state and the live systems.');
    return out.join('\n');
  }
  const counts = { create: 0, update: 0, replace: 0, delete: 0 };
  for (const m of plan.migrations) {
    if (m.changes.length === 0) continue;
    out.push(`migration ${m.name}${m.file ? ` (${m.file})` : ''}:`);
    for (const c of m.changes) {
      counts[c.action]++;
      const risks = c.risks.length > 0 ? `  [${c.risks.map((r) => RISK_TEXT[r]).join(', ')}]` : '';
      out.push(`  ${ACTION_SYMBOL[c.action].padStart(3)} ${subject(c)}${risks}`);
      out.push(`        ${c.reason}`);
    }
    if (m.specDiff) {
      out.push('');
      out.push(...m.specDiff.trimEnd().split('\n').map((l) => `  ${l}`));
    }
    out.push('');
  }
  out.push(`Plan: ${counts.create} to create, ${counts.update} to update, ${counts.replace} to replace, ${counts.delete} to delete.`);
  if (plan.partial) out.push('Some facts could not be verified against the live systems (see the warnings above).');
  return out.join('\n');
}
