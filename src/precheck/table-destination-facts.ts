// Reads what the checks of a Tablestore or MySQL destination look at: whether it answers, which of
// the tables the migration writes exist, how the source tables map (Tablestore keys and names), and
// for a TiDB source whether its change-feed topic is there.
import type { Migration, MysqlDestination, TablestoreDestination } from '../spec/schema.js';
import type { MigrationState } from '../state/model.js';
import { desiredFor } from '../plan/desired.js';
import { endpointFor } from '../plan/make.js';
import { inspectSource } from '../plan/live.js';
import { TablestoreClient, compareTable, describeTable, listTables, mergedTargets, resolveTablestoreSecrets, tableMapping, type TableMapping } from '../connectors/sinks/tablestore/index.js';
import { connectDestination, existingTables } from '../connectors/sinks/mysql/index.js';
import { mysqlEndpoint } from '../connectors/sinks/mysql/destination.js';
import { FeedReader, resolveFeedSecrets } from '../connectors/sources/tidb/index.js';
import type { DestinationFacts, Known } from './types.js';

const NOT_KAFKA = { ok: false as const, error: 'not a Kafka destination' };

export async function gatherTableFacts(m: Migration, d: TablestoreDestination | MysqlDestination, specDir: string, _state: MigrationState | undefined): Promise<DestinationFacts> {
  const base = { topics: NOT_KAFKA, messages: new Map() };
  const feed = await feedFacts(m, specDir);
  try {
    const facts = d.type === 'tablestore' ? await tablestoreFacts(m, d, specDir) : await mysqlFacts(m, d, specDir);
    return { ...base, ...facts, connection: { ok: true }, ...(feed ? { feed } : {}) };
  } catch (e) {
    const err = e as Error & { hint?: string };
    return { ...base, connection: { ok: false, error: err.message, hint: err.hint }, tables: { ok: false, error: err.message }, ...(feed ? { feed } : {}) };
  }
}

/** The destination names the migration writes, resolved against the source when it can be read. */
async function desiredTargets(m: Migration, specDir: string) {
  const endpoint = await endpointFor(m, specDir).catch(() => undefined);
  const live = endpoint ? await inspectSource(m, endpoint) : ({ ok: false, error: 'secret unresolved' } as const);
  return { desired: desiredFor(m, live), live };
}

async function tablestoreFacts(m: Migration, d: TablestoreDestination, specDir: string): Promise<Pick<DestinationFacts, 'tables' | 'tablestore'>> {
  const client = new TablestoreClient(d, await resolveTablestoreSecrets(d, specDir));
  try {
    const onInstance = new Set(await listTables(client));
    const { desired, live } = await desiredTargets(m, specDir);
    const targets = [...new Set(desired.tables.map((t) => t.target))];
    const problems: string[] = [];
    if (live.ok) {
      const merged = mergedTargets(desired.tables.flatMap((t) => {
        const info = live.tables.get(t.id);
        return info ? [{ info, spec: t.settings }] : [];
      }));
      const byTarget = new Map<string, TableMapping>();
      for (const t of desired.tables) {
        const info = live.tables.get(t.id);
        if (!info) continue;
        try {
          const mapping = tableMapping({ info, spec: t.settings, destination: d, merged: merged.has(t.target) });
          if (!byTarget.has(t.target)) byTarget.set(t.target, mapping);
        } catch (e) {
          problems.push(`${t.id}: ${(e as Error).message}`);
        }
      }
      // Tablestore cannot change a table's key: an existing table keyed otherwise (a spec that
      // changed primaryKey, or someone else's table) would stop apply after it reset the tables.
      for (const [target, mapping] of byTarget) {
        if (!onInstance.has(target)) continue;
        const have = await describeTable(client, target);
        if (have) problems.push(...compareTable(have, mapping).map((diff) => `${diff}: Tablestore cannot change a table's key, drop table ${target} or set another target`));
      }
    } else {
      problems.push(`source not read (${live.error}): keys and types unverified`);
    }
    const tablestore: Known<{ tableCount: number; newTables: number; mappingProblems: string[] }> = {
      ok: true,
      value: { tableCount: onInstance.size, newTables: targets.filter((t) => !onInstance.has(t)).length, mappingProblems: problems },
    };
    return { tables: { ok: true, value: targets.filter((t) => onInstance.has(t)) }, tablestore };
  } finally {
    client.close();
  }
}

async function mysqlFacts(m: Migration, d: MysqlDestination, specDir: string): Promise<Pick<DestinationFacts, 'tables'>> {
  const conn = await connectDestination(await mysqlEndpoint(m, d, specDir));
  try {
    const { desired } = await desiredTargets(m, specDir);
    const refs = desired.tables.map((t) => {
      const dot = t.target.indexOf('.');
      return { database: t.target.slice(0, dot), table: t.target.slice(dot + 1) };
    });
    const found = await existingTables(conn, refs);
    return { tables: { ok: true, value: found.map((r) => `${r.database}.${r.table}`) } };
  } finally {
    await conn.end().catch(() => undefined);
  }
}

async function feedFacts(m: Migration, specDir: string): Promise<Known<{ partitions: number; messages: number }> | undefined> {
  const s = m.spec.source;
  if (s.type !== 'tidb' || !s.binlogKafka || !m.spec.types.includes('incremental')) return undefined;
  try {
    const reader = new FeedReader({ feed: s.binlogKafka, migration: m.metadata.name, secrets: await resolveFeedSecrets(s.binlogKafka, specDir), from: {}, retries: 1 });
    const ranges = await reader.partitions();
    const messages = ranges.reduce((n, r) => n + Number(BigInt(r.high) - BigInt(r.low)), 0);
    return { ok: true, value: { partitions: ranges.length, messages } };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}
