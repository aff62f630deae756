// Collects the setting changes a sink kind reports between two applied versions of its destination:
// one call per field, kept only when the value differs (compared as JSON, so lists and objects too).
import type { SettingChange } from './contract.js';

export type FieldChange = (field: string, was: unknown, now: unknown, reason: string, risks?: SettingChange['risks']) => void;

export function collectSettingChanges(fill: (field: FieldChange) => void): SettingChange[] {
  const out: SettingChange[] = [];
  fill((field, was, now, reason, risks = []) => {
    if (JSON.stringify(was ?? null) !== JSON.stringify(now ?? null)) out.push({ field, was, now, reason, risks });
  });
  return out;
}
