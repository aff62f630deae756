// The Tablestore sink kind: where a table's rows go (its Tablestore table), what shapes that copy
// (key, column types, write mode), the plan's description and setting diffs, the live tables for
// drift, the sink apply writes through, and what the precheck reads of the instance.
import type { TablestoreDestination } from '../../../spec/schema.js';
import type { SinkKind } from '../../contract.js';
import { collectSettingChanges } from '../../setting-changes.js';
import { openTablestoreSink } from './change-sink.js';
import { classifyTablestoreError } from './errors.js';
import { TablestoreClient, dropTables, listTables, mergedTargets, resolveTablestoreSecrets, tableMapping } from './index.js';
import { tablestorePrecheckFacts } from './precheck-facts.js';
import { openTablestoreVerifier } from './verify.js';
import { tablesCreated } from '../../created-targets.js';

export const tablestoreSink: SinkKind<TablestoreDestination> = {
  type: 'tablestore',
  label: 'Tablestore',
  classify: classifyTablestoreError,
  targetNoun: 'table',
  targetKind: 'tablestore-table',
  targetKeys: (d, tables) => {
    const out = new Map<string, string>();
    const merged = mergedTargets(tables.map(({ t, info }) => ({ info, spec: t.settings })));
    for (const { t, info } of tables) {
      if (out.has(t.target)) continue;
      try {
        const mapping = tableMapping({ info, spec: t.settings, destination: d, merged: merged.has(t.target) });
        out.set(t.target, mapping.primaryKey.map((k) => `${k.name} ${k.type}`).join(', '));
      } catch {
        // The precheck names what keeps the table from mapping; the plan shows no key for it.
      }
    }
    return out;
  },
  targetOf: (_d, _database, t) => t.target ?? t.name,
  snapshotLayout: (d, t) => ({ primaryKey: t.primaryKey ?? null, columnTypes: t.columnTypes ?? null, columns: t.columns ?? null, rename: t.rename ?? null, writeMode: d.writeMode }),
  extraTopics: () => [],
  describe: (d) =>
    `Tablestore ${d.instance}, write mode ${d.writeMode} (${d.writeMode === 'update' ? 'UpdateRow' : 'PutRow'}), ${d.batchMode}, ${d.buckets} bucket(s), DDL not replicated`,
  where: (d) => `Tablestore instance ${d.instance} at ${d.endpoint}`,
  reachFix: 'check spec.destination.endpoint, instance and the AccessKey the references name',
  keylessConsequence: {
    plan: 'and rows written before the crash can be written twice',
    apply: 'rows read again after a crash can be written twice, since nothing identifies them',
    precheck: 'and rows read again after a crash can be written twice, since nothing identifies them',
  },
  copiesViews: false,
  replicatesDdl: false,
  targetColumn: 'TABLE AT DESTINATION',
  planNotes: (m) =>
    m.spec.types.includes('incremental')
      ? [{ message: 'DDL is not replicated to Tablestore (as DTS): an ALTER TABLE on a migrated table is reported during apply, and the destination table keeps its columns', hint: 'to follow a schema change, change the spec (columnTypes, columns) and apply; the table is re-snapshotted if its layout changes. ddl: stop halts the stream before such a statement instead, ddl: ignore leaves it unreported' }]
      : [],
  settingChanges: (a, b) =>
    collectSettingChanges((field) => {
      field('endpoint', a.endpoint, b.endpoint, 'the same tables are expected at the new endpoint');
      field('instance', a.instance, b.instance, 'the same tables are expected in the new instance');
      if (a.accessKeyId !== b.accessKeyId || a.accessKeySecret !== b.accessKeySecret) field('accessKey', '(secret)', '(another secret)', 'credentials changed');
      field('dirtyData', a.dirtyData ?? 'block', b.dirtyData ?? 'block', b.dirtyData === 'skip' ? 'rows Tablestore refuses are recorded in the state and skipped' : 'a row Tablestore refuses stops the migration');
      field('batchMode', a.batchMode, b.batchMode, 'writes from the checkpoint on use the new request');
      for (const k of ['queueSize', 'threads', 'concurrency', 'buckets'] as const) field(k, a[k], b[k], 'throughput setting; takes effect at the next apply');
      field('maxVersions', a.maxVersions, b.maxVersions, 'applies to tables mig creates from now on');
      field('timeToLive', a.timeToLive, b.timeToLive, 'applies to tables mig creates from now on');
    }),
  inspect: async (_m, d, specDir) => {
    try {
      const client = new TablestoreClient(d, await resolveTablestoreSecrets(d, specDir), { retry: { attempts: 2, baseMs: 100, maxMs: 500 } });
      try {
        return { topics: { ok: true, topics: new Map() }, targets: { ok: true, names: new Set(await listTables(client)) } };
      } finally {
        client.close();
      }
    } catch (e) {
      return { topics: { ok: true, topics: new Map() }, targets: { ok: false, error: (e as Error).message } };
    }
  },
  offline: () => ({ topics: { ok: true, topics: new Map() }, targets: { ok: false, error: 'offline' } }),
  open: (d, r) => openTablestoreSink({ ...r, dest: d }),
  precheckFacts: tablestorePrecheckFacts,
  verifier: openTablestoreVerifier,
  createdTargets: tablesCreated,
  dropTargets: async (_m, d, specDir, targets) => {
    const client = new TablestoreClient(d, await resolveTablestoreSecrets(d, specDir));
    try {
      await dropTables(client, targets);
    } finally {
      client.close();
    }
  },
};
