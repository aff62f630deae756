// How the plan shows an edit of how a migration runs (spec.throttle, spec.retry, spec.heartbeat): one `~` setting per
// changed limit or window, with its old and new value. Neither shapes a table's copy nor its snapshot
// digest, so no table is copied again: the runner takes the new generation up at its next checkpoint
// and carries on from there under the new settings.
import { retryWindows, type Migration } from '../spec/schema.js';
import type { Change } from './change.js';
import { heartbeatOf, heartbeatText } from '../spec/heartbeat.js';

const PHASES = ['full', 'incremental'] as const;
const LIMITS = { full: ['sourceQps', 'rowsPerSecond', 'mbPerSecond'], incremental: ['rowsPerSecond', 'mbPerSecond'] } as const;

export function throttleChanges(name: string, a: Migration, b: Migration): Change[] {
  const out: Change[] = [];
  for (const phase of PHASES) {
    const was: Partial<Record<string, number>> = a.spec.throttle?.[phase] ?? {};
    const now: Partial<Record<string, number>> = b.spec.throttle?.[phase] ?? {};
    for (const k of LIMITS[phase]) {
      if (was[k] === now[k]) continue;
      out.push({
        kind: 'setting', action: 'update', migration: name, field: `spec.throttle.${phase}.${k}`,
        reason: `${show(was[k])} → ${show(now[k])} (applied live at the checkpoint)`, risks: [],
      });
    }
  }
  return out;
}

/** A retry window's edit, shown with the effective values (DTS's defaults where the spec sets none). */
export function retryChanges(name: string, a: Migration, b: Migration): Change[] {
  const was = retryWindows(a.spec.retry);
  const now = retryWindows(b.spec.retry);
  return (['connectionMinutes', 'otherMinutes'] as const)
    .filter((k) => was[k] !== now[k])
    .map((k) => ({
      kind: 'setting', action: 'update', migration: name, field: `spec.retry.${k}`,
      reason: `${was[k]} → ${now[k]} min (applied live at the checkpoint)`, risks: [],
    }));
}

/** A heartbeat turned on, off or moved: shown as the effective setting (defaults filled in) before and after. */
export function heartbeatChanges(name: string, a: Migration, b: Migration): Change[] {
  if (JSON.stringify(heartbeatOf(a) ?? null) === JSON.stringify(heartbeatOf(b) ?? null)) return [];
  return [{
    kind: 'setting', action: 'update', migration: name, field: 'spec.heartbeat',
    reason: `${heartbeatText(a)} → ${heartbeatText(b)} (applied live at the checkpoint)`, risks: [],
  }];
}

function show(v: number | undefined): string {
  return v === undefined ? '(no limit)' : String(v);
}
