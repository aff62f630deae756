// The MySQL sink kind: where a table's rows go (`database.table` under the spec's names), the
// plan's description and setting diffs, the live tables for drift, the transactional sink, and what
// the precheck reads of the server.
import type { RowDataPacket } from 'mysql2/promise';
import type { MysqlDestination } from '../../../spec/schema.js';
import type { SinkKind } from '../../contract.js';
import { collectSettingChanges } from '../../setting-changes.js';
import { classifyMysqlError, connectDestination } from './connect.js';
import { mysqlEndpoint, openMysqlSink } from './destination.js';
import { mysqlPrecheckFacts } from './precheck-facts.js';
import { dropMysqlTables, forgetMysqlCheckpoint } from './drop.js';
import { tablesCreated } from '../../created-targets.js';
import { openMysqlVerifier } from './verify.js';

export const mysqlSink: SinkKind<MysqlDestination> = {
  type: 'mysql',
  label: 'MySQL',
  classify: classifyMysqlError,
  targetNoun: 'table',
  targetKind: 'mysql-table',
  targetOf: (_d, database, t, targetDatabase) => `${targetDatabase ?? database}.${t.target ?? t.name}`,
  snapshotLayout: () => undefined,
  extraTopics: () => [],
  describe: (d) => `MySQL ${d.host}:${d.port}, each source transaction applied once with its checkpoint in ${d.checkpointDatabase}.mig_checkpoint`,
  where: (d) => `MySQL ${d.host}:${d.port}`,
  reachFix: 'check spec.destination.host, port, user and the password it refers to',
  keylessConsequence: {
    plan: 'and its destination table is emptied first when this migration created it; a table kept under conflictMode: ignore is not, so rows written before the crash can land twice',
    apply: 'a resumed load first empties the destination table, when this migration created it (a table kept under conflictMode: ignore is not emptied, so rows can land twice)',
    precheck: 'emptying the destination table first only when this migration created it, and an UPDATE or DELETE matches the whole row (one of identical rows, LIMIT 1) at the destination',
  },
  copiesViews: true,
  replicatesDdl: true,
  targetColumn: 'TABLE AT DESTINATION',
  planNotes: () => [],
  settingChanges: (a, b) =>
    collectSettingChanges((field) => {
      field('host', `${a.host}:${a.port}`, `${b.host}:${b.port}`, 'the same tables and checkpoint are expected on the new server');
      if (a.user !== b.user || a.password !== b.password) field('user/password', '(secret)', '(another secret)', 'credentials changed');
      field('tls', a.tls, b.tls, 'connection security changed');
      field('checkpointDatabase', a.checkpointDatabase, b.checkpointDatabase, 'the feed position is read from the new table: without a row there, incremental starts again from the snapshot', ['destructive']);
      field('batchRows', a.batchRows, b.batchRows, 'full-load statement size');
    }),
  inspect: async (m, d, specDir) => {
    const topics = { ok: true as const, topics: new Map<string, number>() };
    try {
      const conn = await connectDestination(await mysqlEndpoint(m, d, specDir));
      try {
        const databases = m.spec.objects.map((o) => o.target ?? o.database);
        const [rows] = await conn.query<RowDataPacket[]>("SELECT TABLE_SCHEMA AS d, TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (?) AND TABLE_TYPE = 'BASE TABLE'", [databases]);
        return { topics, targets: { ok: true, names: new Set(rows.map((r) => `${String(r.d)}.${String(r.t)}`)) } };
      } finally {
        await conn.end().catch(() => undefined);
      }
    } catch (e) {
      return { topics, targets: { ok: false, error: (e as Error).message } };
    }
  },
  offline: () => ({ topics: { ok: true, topics: new Map() }, targets: { ok: false, error: 'offline' } }),
  open: (d, r) => openMysqlSink(d, r),
  precheckFacts: mysqlPrecheckFacts,
  createdTargets: tablesCreated,
  dropTargets: dropMysqlTables,
  checkpointRecord: { where: (d) => `${d.checkpointDatabase}.mig_checkpoint`, forget: forgetMysqlCheckpoint },
  verifier: openMysqlVerifier,
};
