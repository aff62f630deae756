// Checks the source user's privileges from SHOW GRANTS: SELECT on what is migrated, and the two
// replication privileges a binlog reader needs. ALL PRIVILEGES covers everything.
import type { Check, CheckContext, Outcome, ServerFacts } from './types.js';
import { accountSql, hasGlobalPrivilege, hasPrivilegeOn, parseGrants, quoteIdent, type ParsedGrants } from './grants.js';
import { atLeast, fail, incrementalOnly, listSome, pass, skip, withServer } from './outcome.js';

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
