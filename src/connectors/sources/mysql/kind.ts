// The MySQL-family source kinds (MySQL, MariaDB, PolarDB for MySQL, PolarDB-X): all read through
// the binary log; what differs between them (console, log switch, retention DTS asks for, version
// rule) is data here. Lag is the checkpoint's distance to the end of the log, in source time.
import type { Migration, MysqlSource } from '../../../spec/schema.js';
import type { MigrationState } from '../../../state/model.js';
import type { SourceKind } from '../../contract.js';
import { BINLOG_SOURCE_DESTINATIONS } from './config.js';
import { connectSource } from './connect.js';
import { defaultServerId, endpointFor } from './endpoint.js';
import { currentBinlogEnd } from './inspect.js';
import { comparePositions } from './position.js';
import { binlogResumable } from './resumable.js';

const SELF_MANAGED_LOG_BIN = { variables: ['log_bin'], enable: 'add log_bin = mysql-bin under [mysqld] in the server configuration and restart (log_bin cannot be changed at run time)' };

function binlogSource(type: MysqlSource['type'], label: string, extra: Partial<SourceKind<MysqlSource>>): SourceKind<MysqlSource> {
  return {
    type,
    label,
    changes: 'binlog',
    destinations: BINLOG_SOURCE_DESTINATIONS,
    binlogRetentionDays: 7,
    mysqlVersionFloor: true,
    logBin: SELF_MANAGED_LOG_BIN,
    serverId: (s) => s.serverId,
    lag: binlogLag,
    resumable: binlogResumable,
    ...extra,
  };
}

export const mysqlSource = binlogSource('mysql', 'MySQL', { flavor: 'mysql' });
export const mariadbSource = binlogSource('mariadb', 'MariaDB', { flavor: 'mariadb' });
// Managed instances keep their logs on the provider's side too, so DTS asks for 3 days, not 7.
export const polardbMysqlSource = binlogSource('polardb-mysql', 'PolarDB for MySQL', {
  console: 'PolarDB',
  binlogRetentionDays: 3,
  // PolarDB for MySQL switches its log with polar_log_bin (set as loose_polar_log_bin in the console).
  logBin: { variables: ['loose_polar_log_bin', 'polar_log_bin', 'log_bin'], enable: 'in the PolarDB console, set the parameter loose_polar_log_bin to ON (the cluster restarts)' },
});
// PolarDB-X reports the MySQL version it is compatible with, which varies by release.
export const polardbXSource = binlogSource('polardb-x', 'PolarDB-X', {
  console: 'PolarDB-X',
  binlogRetentionDays: 3,
  mysqlVersionFloor: false,
  logBin: { variables: ['log_bin'], enable: 'enable binary logging for the instance in the PolarDB-X console' },
});

/** 0 when caught up; seconds since the last checkpointed change otherwise; null when unknown. */
async function binlogLag(m: Migration, _s: MysqlSource, ms: MigrationState, specDir: string): Promise<number | null> {
  const cp = ms.checkpoint ?? ms.snapshot?.position;
  if (!cp) return null;
  try {
    const conn = await connectSource(await endpointFor(m, specDir));
    try {
      const end = await currentBinlogEnd(conn);
      if (comparePositions(cp, end) >= 0) return 0;
      const since = cp.timestamp ?? Date.parse(ms.snapshot?.takenAt ?? '');
      return Number.isFinite(since) ? Math.max(0, Math.round((Date.now() - since) / 1000)) : null;
    } finally {
      await conn.end().catch(() => undefined);
    }
  } catch {
    return null;
  }
}

export { defaultServerId };
