// The destroy plan as mig destroy shows it before asking: each migration and what happens to it,
// deletions marked [destructive] as the plan marks risky changes.
import type { DestroyPlan } from '../plan/destroy.js';

export function renderDestroyPlan(plan: DestroyPlan): string {
  const lines: string[] = [];
  for (const n of plan.notApplied) lines.push(`${n}: never applied to this state; nothing to destroy.`);
  if (plan.migrations.length === 0) {
    lines.push('No migrations to destroy: the state holds none of them.');
    return lines.join('\n');
  }
  lines.push('mig destroy will:', '');
  for (const m of plan.migrations) {
    lines.push(`  - migration ${m.name}`);
    for (const s of m.steps) lines.push(`      ${s.action === 'delete' ? '- ' : ''}${s.text}${s.destructive ? '  [destructive]' : ''}`);
    lines.push('');
  }
  const deleted = plan.migrations.reduce((n, m) => n + (m.deleteDestination ? m.created.length : 0), 0);
  const kept = plan.migrations.reduce((n, m) => n + (m.deleteDestination ? 0 : m.created.length), 0);
  lines.push(`Destroy: ${plan.migrations.length} migration(s) stopped and forgotten; ${deleted} destination object(s) deleted${kept > 0 ? `, ${kept} kept (--delete-destination deletes them)` : ''}.`);
  lines.push('The specs are left as they are: mig plan then shows each destroyed migration as new (+ create).');
  return lines.join('\n');
}
