// Destination tables (Tablestore, MySQL) in a plan: the ones to create, with the key a Tablestore
// table gets, and drift: a table mig created or filled that is gone now. Its rows went with it, so
// the source tables writing to it are copied again.
import type { Migration } from '../spec/schema.js';
import type { MigrationState } from '../state/model.js';
import { sinkKindOf } from '../connectors/registry.js';
import type { Change, TargetKind } from './change.js';
import type { Desired, LiveSource, LiveTargets } from '../model/targets.js';

/** What kind of object a migration's `topic` names. */
export function targetKind(m: Migration): TargetKind {
  return sinkKindOf(m.spec.destination).targetKind;
}

export function targetChanges(m: Migration, prev: MigrationState | undefined, desired: Desired, live: LiveTargets | undefined, source: LiveSource): Change[] {
  const into = targetKind(m);
  if (into === 'topic' || !live) return [];
  const name = m.metadata.name;
  const createMissing = m.spec.types.includes('schema');
  const keys = targetKeys(m, desired, source);
  const out: Change[] = [];
  const seen = new Set<string>();
  for (const t of desired.tables) {
    if (seen.has(t.target)) continue;
    seen.add(t.target);
    const key = keys.get(t.target);
    const withKey = key ? ` (key ${key})` : '';
    if (!live.ok) {
      if (!prev?.tables[t.id]) out.push({ kind: 'target', action: 'create', migration: name, target: t.target, into, reason: `created unless it exists${withKey} (destination not inspected)`, risks: [] });
      continue;
    }
    if (live.names.has(t.target)) continue;
    const filled = desired.tables.filter((x) => x.target === t.target && prev?.tables[x.id]?.rowsCopied);
    if (filled.length > 0) {
      out.push({ kind: 'target', action: 'create', migration: name, target: t.target, into, reason: `drift: the table was deleted outside mig; ${createMissing ? `it is created again${withKey} and` : 'add schema to spec.types so mig creates it;'} ${filled.map((x) => x.id).join(', ')} copied again from a new snapshot`, risks: ['re-snapshot', 'long-running'] });
      for (const x of filled) out.push({ kind: 'table', action: 'replace', migration: name, table: x.id, topic: x.target, reason: `drift: its destination table ${x.target} is gone: copied again`, risks: ['re-snapshot', 'long-running'] });
    } else {
      out.push({ kind: 'target', action: 'create', migration: name, target: t.target, into, reason: createMissing ? `new table${withKey}` : 'missing, and schema is not in spec.types: apply stops until it exists', risks: [] });
    }
  }
  return out;
}

/** The key each new destination table gets, as text, when the source could be read and maps. */
function targetKeys(m: Migration, desired: Desired, source: LiveSource): Map<string, string> {
  const d = m.spec.destination;
  const kind = sinkKindOf(d);
  if (!kind.targetKeys || !source.ok) return new Map();
  const withInfo = desired.tables.flatMap((t) => {
    const info = source.tables.get(t.id);
    return info ? [{ t, info }] : [];
  });
  return kind.targetKeys(d, withInfo);
}
