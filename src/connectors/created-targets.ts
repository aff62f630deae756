// The destination tables a migration's runs created, read from its table states: what a table
// destination's `createdTargets` lists (a table found in place, kept, is never its to drop).
import type { MigrationState } from '../state/model.js';

export function tablesCreated(ms: MigrationState): string[] {
  return [...new Set(Object.values(ms.tables).filter((t) => t.targetOrigin === 'created').map((t) => t.target))];
}
