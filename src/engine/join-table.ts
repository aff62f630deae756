// Tables created on the source while a migration streams: one in a database the spec takes whole
// joins the migration from its CREATE TABLE on (no full load), in both the binlog and the feed loops.
import type { TableInfo } from '../model/source-data.js';
import { desiredFor } from '../plan/desired.js';
import type { RunContext } from './context.js';
import { isHeartbeatTable } from '../spec/heartbeat.js';
import { isHelperTable } from '../model/osc-helpers.js';

/** Whether a table not in the migration joins it: its database is taken whole. */
export function joinsMigration<O>(ctx: RunContext<O>, database: string, table: string): boolean {
  if (isHeartbeatTable(ctx.migration, database, table)) return false;
  // gh-ost's and pt-osc's helper tables are not data; the swap changes the original table instead.
  if (isHelperTable(database, table, (d, t) => ctx.shapes.has(`${d}.${t}`), (d, t) => ctx.desired.has(`${d}.${t}`))) return false;
  return !ctx.desired.has(`${database}.${table}`) && ctx.migration.spec.objects.some((ob) => ob.database === database && !ob.tables);
}

export function joinTable<O>(ctx: RunContext<O>, shape: TableInfo): void {
  // The same DesiredTable plan computes for it, so the next plan finds it in the state unchanged.
  const live = { ok: true as const, tables: new Map([[`${shape.database}.${shape.table}`, shape]]), databases: new Set([shape.database]) };
  const t = desiredFor(ctx.migration, live).tables.find((d) => d.database === shape.database && d.table === shape.table);
  if (!t) return;
  ctx.desired.set(t.id, t);
  const now = new Date().toISOString();
  ctx.mstate.tables[t.id] ??= { id: t.id, phase: 'incremental', target: t.target, snapshotDigest: t.snapshotDigest, keyColumns: shape.chunkKey, rowsCopied: 0, fullStartedAt: now, fullDoneAt: now };
  ctx.hook({ type: 'change-applied', migration: ctx.migration.metadata.name, summary: `${t.id}: created on the source during incremental; replicated from its CREATE TABLE on` });
}
