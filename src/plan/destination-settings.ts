// How a destination is described in a plan, and which changes to its settings a reviewer must see;
// each sink kind says what matters for its settings. Secrets stay references here too, shown only
// as "(secret)".
import type { Destination } from '../spec/schema.js';
import { sinkKindOf } from '../connectors/registry.js';
import type { Change } from './change.js';

/** One line on where and how the data is written, for a new migration. */
export function destinationHow(d: Destination): string {
  return sinkKindOf(d).describe(d);
}

export function destinationSettingChanges(name: string, a: Destination, b: Destination): Change[] {
  if (a.type !== b.type) {
    return [{ kind: 'setting', action: 'update', migration: name, field: 'spec.destination.type', reason: `destination ${a.type} → ${b.type}: nothing written so far is moved; give the migration a new name to start over`, risks: ['destructive'] }];
  }
  // Same type, so `b` is the same member of the union as `a`.
  return sinkKindOf(a).settingChanges(a, b as typeof a).map((c) => ({
    kind: 'setting', action: 'update', migration: name, field: `spec.destination.${c.field}`, reason: `${c.field} ${show(c.was)} → ${show(c.now)}: ${c.reason}`, risks: c.risks,
  }));
}

function show(v: unknown): string {
  if (v === undefined || v === null) return '(none)';
  return typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v);
}
