// Checks that the source's binary log can feed incremental migration: on, row-based, full row
// images with their metadata, complete on a replica, and kept long enough to resume from.
import type { Check, CheckContext, Outcome, ServerFacts } from './types.js';
import { atLeast, fail, flavorOf, incrementalOnly, isManaged, isOn, needsConfigToo, pass, setVariable, skip, withServer } from './outcome.js';
import { SOURCES } from '../connectors/registry.js';
import { binlogRetention, DAY_SECONDS, formatDuration, requiredRetentionDays, retentionMeets } from './retention.js';

function binlogCheck(ctx: CheckContext, f: (server: ServerFacts) => Outcome): Outcome {
  return incrementalOnly(ctx, () => withServer(ctx, f));
}

/** PolarDB for MySQL switches its log with polar_log_bin (set as loose_polar_log_bin in the console). */
function logBinVariable(ctx: CheckContext, server: ServerFacts): [name: string, value: string | undefined] {
  for (const name of SOURCES[flavorOf(ctx)].logBin.variables) if (server.variables[name] !== undefined) return [name, server.variables[name]];
  return ['log_bin', server.variables['log_bin']];
}

export const binlogEnabled: Check = {
  id: 'source.binlog-enabled',
  run: (ctx) =>
    binlogCheck(ctx, (server) => {
      const [name, value] = logBinVariable(ctx, server);
      if (isOn(value)) return pass(`${name}=${value}`, `${name}=ON`);
      const fix = SOURCES[flavorOf(ctx)].logBin.enable;
      return fail(`${name}=${value ?? 'absent'}`, `${name}=ON`, 'binary logging is off: there is no log to stream changes from', fix);
    }),
};

function variableCheck(id: 'source.binlog-format' | 'source.binlog-row-image', variable: string, want: string, why: string): Check {
  return {
    id,
    run: (ctx) =>
      binlogCheck(ctx, (server) => {
        const value = server.variables[variable];
        if (value !== undefined && value.toUpperCase() === want) return pass(`${variable}=${value}`, `${variable}=${want}`);
        const type = flavorOf(ctx);
        const keep = needsConfigToo(type, server) ? ` Also set ${variable} = ${want} under [mysqld] so it survives a restart.` : '';
        const sessions = ' Sessions open before the change keep the old value until they reconnect.';
        return fail(`${variable}=${value ?? 'absent'}`, `${variable}=${want}`, `${why}.${keep}${sessions}`, setVariable(type, server, variable, want));
      }),
  };
}

export const binlogFormat = variableCheck('source.binlog-format', 'binlog_format', 'ROW', 'statement-based events carry SQL text, not the rows mig publishes');
export const binlogRowImage = variableCheck('source.binlog-row-image', 'binlog_row_image', 'FULL', 'a MINIMAL or NOBLOB row image leaves out unchanged columns, so updates and deletes could not be published whole');

/**
 * apply refuses a server that has binlog_row_metadata and does not set it FULL (column names in
 * the log are what keeps replay right across ALTERs), so the precheck asks the same of MySQL 8 too.
 */
export const binlogRowMetadata: Check = {
  id: 'source.binlog-row-metadata',
  run: (ctx) =>
    binlogCheck(ctx, (server) => {
      const value = server.variables['binlog_row_metadata'];
      if (value === undefined) return skip(`not applicable: ${server.version} has no binlog_row_metadata (MariaDB before 10.5, MySQL before 8.0); column names come from information_schema`, 'binlog_row_metadata=FULL');
      if (value.toUpperCase() === 'FULL') return pass(`binlog_row_metadata=${value}`, 'binlog_row_metadata=FULL');
      const type = flavorOf(ctx);
      const keep = needsConfigToo(type, server) ? ' Also set binlog_row_metadata = FULL under [mysqld] so it survives a restart.' : '';
      return fail(`binlog_row_metadata=${value}`, 'binlog_row_metadata=FULL', `without it row events do not name their columns, and a change logged before an ALTER could be decoded with the new layout.${keep}`, setVariable(type, server, 'binlog_row_metadata', 'FULL'));
    }),
};

/**
 * DTS asks for log_slave_updates on dual-primary sources. mig cannot see the other primary, so it
 * treats any source that is itself a replica (a replication connection is configured) as one: a
 * replica without it logs none of the changes it receives, and mig would never see them.
 */
export const logSlaveUpdates: Check = {
  id: 'source.log-slave-updates',
  run: (ctx) =>
    binlogCheck(ctx, (server) => {
      const r = ctx.source.replica;
      const name = server.variables['log_replica_updates'] !== undefined ? 'log_replica_updates' : 'log_slave_updates';
      const value = server.variables[name];
      if (!r.ok) return skip(`cannot tell whether the source is a replica: ${r.error}`, `${name}=ON on a replica`);
      if (!r.value.isReplica) return pass(`not a replica (${r.value.evidence})`, `${name}=ON on a replica`);
      const from = r.value.sources.length > 0 ? ` of ${r.value.sources.join(', ')}` : '';
      if (isOn(value)) return pass(`replica${from}, ${name}=${value}`, `${name}=ON on a replica`);
      const fix = isManaged(flavorOf(ctx))
        ? `in the console, set the parameter ${name} to ON`
        : `add ${name} = ON under [mysqld] in the server configuration and restart (it cannot be changed at run time)`;
      return fail(`replica${from}, ${name}=${value ?? 'absent'}`, `${name}=ON on a replica`, `the source replicates from another server (a dual-primary or chained setup): without ${name}, changes it receives are not in its own binary log and mig would miss them`, fix);
    }),
};

export const binlogRetentionCheck: Check = {
  id: 'source.binlog-retention',
  run: (ctx) =>
    binlogCheck(ctx, (server) => {
      const type = flavorOf(ctx);
      const days = requiredRetentionDays(type);
      const r = binlogRetention(server.variables);
      const observed = `${formatDuration(r.seconds)} (${r.from})`;
      const expected = days < 7 ? `at least ${days} days (7 recommended)` : `at least ${days} days`;
      if (retentionMeets(r, days)) return pass(observed, expected, r.seconds === 0 ? 'logs are never purged automatically; purge them by hand only behind the oldest checkpoint' : '');
      const seconds = days * DAY_SECONDS;
      const fix =
        isManaged(type)
          ? `in the console, set the binary log retention to at least ${days} days`
          : server.flavor === 'mysql'
            ? atLeast(server.version, 8, 0)
              ? setVariable(type, server, 'binlog_expire_logs_seconds', seconds)
              : setVariable(type, server, 'expire_logs_days', days)
            : server.variables['binlog_expire_logs_seconds'] !== undefined
              ? setVariable(type, server, 'binlog_expire_logs_seconds', seconds)
              : setVariable(type, server, 'expire_logs_days', days);
      return fail(observed, expected, `logs purged sooner can be gone before a stopped or lagging migration resumes, which then needs a new snapshot (mig apply --replace)`, fix);
    }),
};
