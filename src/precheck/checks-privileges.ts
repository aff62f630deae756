// Checks the source user's privileges from SHOW GRANTS: SELECT on what is migrated, the two
// replication privileges a binlog reader needs, and the writes a backfill's watermarks need.
// ALL PRIVILEGES covers everything.
import type { Check, CheckContext, Outcome, ServerFacts } from './types.js';
import { accountSql, hasGlobalPrivilege, hasPrivilegeOn, parseGrants, quoteIdent, type ParsedGrants } from './grants.js';
import { atLeast, fail, incrementalOnly, listSome, pass, plural, skip, withServer } from './outcome.js';
import { backfillTables, mayBackfill } from './backfill-tables.js';
import { WATERMARK_DATABASE, WATERMARK_ID } from '../connectors/sources/mysql/watermark.js';
import { heartbeatOf } from '../spec/heartbeat.js';

function withGrants(ctx: CheckContext, f: (g: ParsedGrants, server: ServerFacts) => Outcome): Outcome {
  return withServer(ctx, (server) => {
    const lines = ctx.source.grants;
    if (!lines.ok) return skip(`not checked: SHOW GRANTS failed: ${lines.error}`);
    return f(parseGrants(lines.value), server);
  });
}

/**
 * A whole-database object needs SELECT on the database (or globally): table grants would leave
 * out tables created later, which mig then picks up. Listed tables need it on each table.
 */
export const privilegeSelect: Check = {
  id: 'source.privilege-select',
  run: (ctx) =>
    withGrants(ctx, (g, server) => {
      const missing: { label: string; grant: string }[] = [];
      const covered: string[] = [];
      for (const obj of ctx.migration.spec.objects) {
        const db = obj.database;
        if (!obj.tables) {
          if (hasPrivilegeOn(g, 'SELECT', db)) covered.push(`${db}.*`);
          else missing.push({ label: `${db}.*`, grant: `${quoteIdent(db)}.*` });
          continue;
        }
        for (const t of obj.tables) {
          if (hasPrivilegeOn(g, 'SELECT', db, t.name)) covered.push(`${db}.${t.name}`);
          else missing.push({ label: `${db}.${t.name}`, grant: `${quoteIdent(db)}.${quoteIdent(t.name)}` });
        }
      }
      const expected = 'SELECT on every migrated table';
      if (missing.length === 0) {
        const global = hasGlobalPrivilege(g, ['SELECT']);
        return pass(global ? `SELECT on *.* for ${server.account}` : `SELECT on ${listSome(covered)} for ${server.account}`, expected);
      }
      const to = accountSql(server.account);
      return fail(
        `${server.account} has no SELECT on ${listSome(missing.map((x) => x.label))}`,
        expected,
        'mig reads these tables in the full load and looks up their columns for the binary log',
        missing.map((x) => `GRANT SELECT ON ${x.grant} TO ${to}`).join('; '),
      );
    }),
};

/** MariaDB 10.5.2 renamed REPLICATION CLIENT to BINLOG MONITOR (the old name is an alias). */
function clientPrivilege(server: ServerFacts): string {
  return server.flavor === 'mariadb' && atLeast(server.version, 10, 5, 2) ? 'BINLOG MONITOR' : 'REPLICATION CLIENT';
}

export const privilegeReplication: Check = {
  id: 'source.privilege-replication',
  run: (ctx) =>
    incrementalOnly(ctx, () =>
      withGrants(ctx, (g, server) => {
        const client = clientPrivilege(server);
        const expected = `REPLICATION SLAVE and ${client} ON *.*`;
        const missing: string[] = [];
        // REPLICATION REPLICA is MariaDB 10.5's other spelling of REPLICATION SLAVE.
        if (!hasGlobalPrivilege(g, ['REPLICATION SLAVE', 'REPLICATION REPLICA'])) missing.push('REPLICATION SLAVE');
        if (!hasGlobalPrivilege(g, ['REPLICATION CLIENT', 'BINLOG MONITOR'])) missing.push(client);
        if (missing.length === 0) return pass(`${server.account} has ${expected}`, expected);
        return fail(
          `${server.account} lacks ${missing.join(' and ')}`,
          expected,
          'REPLICATION SLAVE lets mig read the binary log; the client privilege lets it ask where the log ends (SHOW MASTER STATUS)',
          `GRANT ${missing.join(', ')} ON *.* TO ${accountSql(server.account)}`,
        );
      }),
    ),
};

/** What ensureWatermarkTable and writeWatermark run: CREATE DATABASE/TABLE IF NOT EXISTS, then an upsert. */
const WATERMARK_PRIVILEGES = ['CREATE', 'INSERT', 'UPDATE', 'SELECT'] as const;

/**
 * A table added to a migration that has streamed is copied while the stream runs, with watermark
 * rows written on the source around each chunk; without the grant the runner fails only when it
 * gets there (watermark-table), after apply already recorded the plan. Only a table-level grant
 * would not do: the database is created if missing, which needs CREATE on the database.
 */
export const privilegeBackfill: Check = {
  id: 'source.privilege-backfill',
  run(ctx) {
    const m = ctx.migration;
    const expected = `${WATERMARK_PRIVILEGES.join(', ')} ON ${quoteIdent(WATERMARK_DATABASE)}.* when tables are backfilled`;
    if (!mayBackfill(m, ctx.state, ctx.replace)) {
      return skip('not applicable: no table is copied while the stream runs (the migration has not streamed from a binary log with full and incremental, or is copied from a new snapshot), which writes nothing on the source', expected);
    }
    const desired = ctx.desiredTables;
    if (!desired?.ok) return skip(`not checked: the source's tables could not be resolved (${desired?.error ?? 'not read'})`, expected);
    const tables = backfillTables(m, ctx.state, desired.value, ctx.replace);
    if (tables.length === 0) return skip('not needed: no table to backfill', expected);
    return withGrants(ctx, (g, server) => {
      const missing = WATERMARK_PRIVILEGES.filter((p) => !hasPrivilegeOn(g, p, WATERMARK_DATABASE));
      const which = `${plural(tables.length, 'table')} to backfill (${listSome(tables)})`;
      if (missing.length === 0) return pass(`${server.account} may create and write ${WATERMARK_DATABASE}.* for ${which}`, expected);
      const name = m.metadata.name;
      return fail(
        `${server.account} lacks ${missing.join(', ')} on ${WATERMARK_DATABASE}.*, and ${which} while the stream keeps running`,
        expected,
        `the plan copies these tables in watermark chunks while the stream keeps running: mig writes a low and a high watermark row into ${WATERMARK_ID} on the source around each chunk it reads (creating the database and table if missing); without the grant the runner stops with watermark-table. A new snapshot (mig apply --replace ${name}) copies every table again and restarts the stream from it, with no writes on the source`,
        `GRANT ${missing.join(', ')} ON ${quoteIdent(WATERMARK_DATABASE)}.* TO ${accountSql(server.account)}; or copy from a new snapshot instead, which needs no writes on the source: mig apply --replace ${name}`,
      );
    });
  },
};

/** What the heartbeat writer runs: CREATE TABLE IF NOT EXISTS, then an upsert every interval. */
const HEARTBEAT_PRIVILEGES = ['CREATE', 'INSERT', 'UPDATE'] as const;

/**
 * spec.heartbeat asks mig to write a row on the source every interval while it streams. Without the
 * grant the stream still runs (the writer warns and lag is measured from the last change), but the
 * spec asked for something the source will refuse, so the precheck says so before apply.
 */
export const privilegeHeartbeat: Check = {
  id: 'source.privilege-heartbeat',
  run: (ctx) => {
    const h = heartbeatOf(ctx.migration);
    if (!h) {
      return skip(ctx.migration.spec.heartbeat?.enabled
        ? 'not applicable: a tidb source has no binary log to carry a heartbeat (its lag comes from the feed\'s commit timestamps)'
        : 'not applicable: spec.heartbeat is not enabled, so nothing is written on the source for it');
    }
    const expected = `${HEARTBEAT_PRIVILEGES.join(', ')} ON ${quoteIdent(h.database)}.* (the heartbeat table ${h.id})`;
    return incrementalOnly(ctx, () =>
      withGrants(ctx, (g, server) => {
        // Granted on the table itself is enough too: CREATE on a table lets its creator create that table.
        const missing = HEARTBEAT_PRIVILEGES.filter((p) => !hasPrivilegeOn(g, p, h.database, h.table));
        if (missing.length === 0) return pass(`${server.account} may create and write ${h.id}`, expected);
        return fail(
          `${server.account} lacks ${missing.join(', ')} on ${h.database}.*`,
          expected,
          `spec.heartbeat writes a row into ${h.id} on the source every ${h.intervalSeconds} s while the migration streams (creating the table if missing), so lag stays true while the source is quiet; without the grant the stream runs without it and lag grows while nothing changes`,
          `GRANT ${missing.join(', ')} ON ${quoteIdent(h.database)}.* TO ${accountSql(server.account)}; or set spec.heartbeat.enabled: false`,
        );
      }),
    );
  },
};
