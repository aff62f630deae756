// The plan as a reviewer reads it: per migration, one line per change with its symbol and reason,
// then the spec diff.
import { ACTION_SYMBOL, RISK_TEXT, TARGET_LABEL, hasChanges, precheckFailed, type Change, type Plan } from '../../plan/change.js';
import { renderPrecheckFailures } from './precheck-human.js';

/** Said first and last when the precheck failed, so neither a skim of the top nor of the end misses it. */
export const PRECHECK_FAILED_BANNER = 'Precheck failed — this plan cannot be applied: mig apply refuses to run until the failed checks below pass.';
const PRECHECK_FAILED_END = 'Precheck failed — this plan cannot be applied (see the failed checks at the top).';

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
  // The precheck a plan carries comes first: its failures, each with its fix, then its summary.
  if (plan.precheck) {
    if (precheckFailed(plan)) out.push(PRECHECK_FAILED_BANNER);
    out.push(renderPrecheckFailures(plan.precheck), '');
  }
  for (const n of plan.notes) out.push(`${n.severity}: ${n.migration ? n.migration + ': ' : ''}${n.message}${n.hint ? ` (${n.hint})` : ''}`);
  if (plan.notes.length > 0) out.push('');
  if (!hasChanges(plan)) {
    out.push(precheckFailed(plan) ? `No changes to the migrations. ${PRECHECK_FAILED_END}` : 'No changes. The migrations match the recorded state and the live systems.');
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
  if (precheckFailed(plan)) out.push(PRECHECK_FAILED_END);
  return out.join('\n');
}
