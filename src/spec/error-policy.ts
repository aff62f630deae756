// The poison-event policy a table runs with: its own onError, else the migration's, else what an
// older destination setting said (Kafka's oversizedRow, Tablestore's dirtyData, kept as aliases),
// else block, which is what every destination did before the policy existed.
import type { Destination, Migration, OnError, TableSpec } from './schema.js';

/** Destination settings that chose between stopping and skipping before onError existed. */
const ALIASES: Record<string, Record<string, OnError>> = {
  oversizedRow: { fail: 'block', skip: 'skip' },
  dirtyData: { block: 'block', skip: 'skip' },
};

/** The older destination setting that stands for onError, when the spec sets one. */
export function aliasOnError(d: Destination): { field: string; value: string; onError: OnError } | undefined {
  for (const [field, values] of Object.entries(ALIASES)) {
    const value = (d as Record<string, unknown>)[field];
    if (typeof value === 'string' && values[value]) return { field, value, onError: values[value] };
  }
  return undefined;
}

export function migrationOnError(m: Migration): OnError {
  return m.spec.onError ?? aliasOnError(m.spec.destination)?.onError ?? 'block';
}

export function tableOnError(m: Migration, t: TableSpec | undefined): OnError {
  return t?.onError ?? migrationOnError(m);
}

/** Whether any table of the migration may write dead letters (the sink then prepares their target). */
export function usesDeadLetters(m: Migration): boolean {
  return migrationOnError(m) === 'dead-letter' || m.spec.objects.some((o) => (o.tables ?? []).some((t) => t.onError === 'dead-letter'));
}
