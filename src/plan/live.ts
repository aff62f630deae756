// Reads the live systems a plan is checked against: the source's tables and the destination's topics or tables.
// Failures do not stop the plan; they make it partial and say what could not be verified.
import type { KafkaDestination, Migration } from '../spec/schema.js';
import type { TableInfo } from '../model/source-data.js';
import { connectSource, type SourceEndpoint } from '../connectors/sources/mysql/connect.js';
import { describeTable, listDatabases, listTables } from '../connectors/sources/mysql/inspect.js';
import { KafkaAdmin } from '../connectors/sinks/kafka/admin.js';
import { resolveKafkaSecrets } from '../connectors/sinks/kafka/secrets.js';
import type { LiveSource, LiveTopics } from '../model/targets.js';
import { inspectTargets } from './live-targets.js';
import type { LiveView } from './build.js';

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
      const names = obj.tables ? obj.tables.map((t) => t.name) : await listTables(conn, obj.database);
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

export async function inspectTopics(dest: KafkaDestination, topics: string[], specDir: string): Promise<LiveTopics> {
  let admin: KafkaAdmin | undefined;
  try {
    admin = await KafkaAdmin.connect(dest, await resolveKafkaSecrets(dest, specDir), 1);
    const found = await admin.describe(topics);
    return { ok: true, topics: new Map([...found.values()].map((t) => [t.name, t.partitions])) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  } finally {
    await admin?.close();
  }
}

/** Every topic a spec may touch: the default one and each table's own. */
export function topicsOf(m: Migration, dest: KafkaDestination): string[] {
  const out = new Set<string>([dest.topic]);
  for (const o of m.spec.objects) for (const t of o.tables ?? []) if (t.topic) out.add(t.topic);
  return [...out];
}

export async function inspectLive(m: Migration, endpoint: SourceEndpoint | undefined, extraTopics: string[], specDir: string): Promise<LiveView> {
  const source = endpoint ? inspectSource(m, endpoint) : Promise.resolve<LiveSource>({ ok: false, error: 'offline' });
  const d = m.spec.destination;
  if (d.type !== 'kafka') {
    // No topics to verify; the destination's tables are read instead.
    const [s, targets] = await Promise.all([source, inspectTargets(m, specDir)]);
    return { source: s, topics: { ok: true, topics: new Map() }, targets };
  }
  const [s, topics] = await Promise.all([source, inspectTopics(d, [...new Set([...topicsOf(m, d), ...extraTopics])], specDir)]);
  return { source: s, topics };
}
