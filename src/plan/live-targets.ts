// Reads which destination tables exist, for drift: a Tablestore or MySQL table the plan expects
// that is gone. Failures make the plan partial instead of stopping it.
import type { Migration } from '../spec/schema.js';
import { TablestoreClient, listTables, resolveTablestoreSecrets } from '../connectors/sinks/tablestore/index.js';
import { connectDestination } from '../connectors/sinks/mysql/index.js';
import { mysqlEndpoint } from '../connectors/sinks/mysql/destination.js';
import type { RowDataPacket } from 'mysql2/promise';
import type { LiveTargets } from '../model/targets.js';

export async function inspectTargets(m: Migration, specDir: string): Promise<LiveTargets> {
  const d = m.spec.destination;
  try {
    if (d.type === 'tablestore') {
      const client = new TablestoreClient(d, await resolveTablestoreSecrets(d, specDir), { retry: { attempts: 2, baseMs: 100, maxMs: 500 } });
      try {
        return { ok: true, names: new Set(await listTables(client)) };
      } finally {
        client.close();
      }
    }
    if (d.type === 'mysql') {
      const conn = await connectDestination(await mysqlEndpoint(m, d, specDir));
      try {
        const databases = m.spec.objects.map((o) => o.target ?? o.database);
        const [rows] = await conn.query<RowDataPacket[]>("SELECT TABLE_SCHEMA AS d, TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (?) AND TABLE_TYPE = 'BASE TABLE'", [databases]);
        return { ok: true, names: new Set(rows.map((r) => `${String(r.d)}.${String(r.t)}`)) };
      } finally {
        await conn.end().catch(() => undefined);
      }
    }
    return { ok: true, names: new Set() };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}
