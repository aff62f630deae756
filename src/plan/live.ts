// Reads the live systems a plan is checked against: the source's tables and the destination's topics or tables.
// Failures do not stop the plan; they make it partial and say what could not be verified.
import type { Migration } from '../spec/schema.js';
import type { TableInfo } from '../model/source-data.js';
import { connectSource, type SourceEndpoint } from '../connectors/sources/mysql/connect.js';
import { describeTable, listDatabases, listTables } from '../connectors/sources/mysql/inspect.js';
import { sinkKindOf, sourceKindOf } from '../connectors/registry.js';
import type { MigrationState } from '../state/model.js';
import type { LiveSource } from '../model/targets.js';
import type { LiveView } from './build.js';
import { isHeartbeatTable } from '../spec/heartbeat.js';

export async function inspectSource(m: Migration, endpoint: SourceEndpoint): Promise<LiveSource> {
  let conn;
  try {
    conn = await connectSource(endpoint);
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
  try {
    const databases = new Set(await listDatabases(conn));
    const tables = new Map<string, TableInfo>();
    for (const obj of m.spec.objects) {
      if (!databases.has(obj.database)) continue;
      // The heartbeat table is mig's own, even in a database taken whole.
      const names = obj.tables ? obj.tables.map((t) => t.name) : (await listTables(conn, obj.database)).filter((t) => !isHeartbeatTable(m, obj.database, t));
      for (const n of names) {
        const info = await describeTable(conn, obj.database, n);
        if (info) tables.set(`${obj.database}.${n}`, info);
      }
    }
    return { ok: true, tables, databases };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  } finally {
    await conn.end().catch(() => undefined);
  }
}

export async function inspectLive(m: Migration, endpoint: SourceEndpoint | undefined, knownTargets: string[], specDir: string, ms?: MigrationState): Promise<LiveView> {
  const source = endpoint ? inspectSource(m, endpoint) : Promise.resolve<LiveSource>({ ok: false, error: 'offline' });
  const d = m.spec.destination;
  // An applied migration: can its recorded position still be resumed from? (Asked alongside, never failing.)
  const kind = sourceKindOf(m.spec.source);
  const resume = endpoint && ms && kind.resumable ? kind.resumable(m, m.spec.source, ms, specDir).catch(() => undefined) : Promise.resolve(undefined);
  const [s, destination, r] = await Promise.all([source, sinkKindOf(d).inspect(m, d, specDir, knownTargets), resume]);
  return { source: s, ...destination, ...(r ? { resume: r } : {}) };
}
