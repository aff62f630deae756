// How the plan shows an edit of the poison-event policy: the migration's effective onError (its
// older destination aliases included), each table's own, and the dead-letter target. None of these
// shapes a copy, so nothing is copied again: the runner applies them from its next checkpoint.
import type { Migration } from '../spec/schema.js';
import { migrationOnError, tableOnError, usesDeadLetters } from '../spec/error-policy.js';
import type { Change } from './change.js';

const LIVE = '(applied from the checkpoint on)';

export function errorPolicyChanges(name: string, a: Migration, b: Migration): Change[] {
  const out: Change[] = [];
  const setting = (field: string, was: string, now: string) => out.push({ kind: 'setting', action: 'update', migration: name, field, reason: `${was} → ${now} ${LIVE}`, risks: [] });
  const wa = migrationOnError(a);
  const wb = migrationOnError(b);
  // A change made through an older alias (destination.oversizedRow, dirtyData) shows as that field's own edit.
  if (wa !== wb && a.spec.onError !== b.spec.onError) setting('spec.onError', wa, wb);
  for (const [id, tb] of tableSpecs(b)) {
    const was = tableOnError(a, tableSpecs(a).get(id));
    const now = tableOnError(b, tb);
    // A table that follows the migration's policy moved with it: shown once, above.
    if (was !== now && tb.onError !== undefined) setting(`${id}.onError`, was, now);
  }
  const da = deadLetterText(a);
  const db = deadLetterText(b);
  if (da !== db) setting('spec.deadLetter', da, db);
  return out;
}

function tableSpecs(m: Migration): Map<string, NonNullable<Migration['spec']['objects'][number]['tables']>[number]> {
  return new Map(m.spec.objects.flatMap((o) => (o.tables ?? []).map((t) => [`${o.database}.${t.name}`, t] as const)));
}

function deadLetterText(m: Migration): string {
  if (!usesDeadLetters(m)) return '(none)';
  const dl = m.spec.deadLetter;
  return dl?.topic ?? dl?.table ?? '(default)';
}
