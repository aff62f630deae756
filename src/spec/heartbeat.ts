// spec.heartbeat resolved against its defaults: where the heartbeat table is and how often it is
// written. The engine, the plan, the precheck and validate all ask here, so the defaults (the first
// database in spec.objects, mig_heartbeat, every second) are stated once.
import type { Migration } from './schema.js';
import { HEARTBEAT_DEFAULTS } from './schema-observe.js';

export interface HeartbeatSettings {
  database: string;
  table: string;
  /** `database.table` */
  id: string;
  intervalSeconds: number;
}

/** The heartbeat a migration writes, or undefined when it writes none (off, or a source without a binary log). */
export function heartbeatOf(m: Migration): HeartbeatSettings | undefined {
  const h = m.spec.heartbeat;
  if (!h?.enabled || m.spec.source.type === 'tidb') return undefined;
  const database = h.database ?? m.spec.objects[0]!.database;
  const table = h.table ?? HEARTBEAT_DEFAULTS.table;
  return { database, table, id: `${database}.${table}`, intervalSeconds: h.intervalSeconds ?? HEARTBEAT_DEFAULTS.intervalSeconds };
}

/** Whether `database.table` is the migration's heartbeat table: never migrated, even in a database taken whole. */
export function isHeartbeatTable(m: Migration, database: string, table: string): boolean {
  const h = heartbeatOf(m);
  return h !== undefined && h.database === database && h.table === table;
}

/** The setting as plans show it. */
export function heartbeatText(m: Migration): string {
  const h = heartbeatOf(m);
  return h ? `heartbeat every ${h.intervalSeconds} s into ${h.id} on the source` : 'no heartbeat (lag measured from the last change)';
}
