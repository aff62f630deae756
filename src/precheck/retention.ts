// How long the source keeps its binary logs, from whichever variables the server has, and how
// long DTS asks for: 3 days on managed PolarDB instances, 7 on servers a team runs itself.
import type { MysqlSource } from '../spec/schema.js';
import { SOURCES } from '../connectors/registry.js';

export const DAY_SECONDS = 86_400;

/** Seconds before logs are purged; 0 means never purged automatically. */
export interface Retention {
  seconds: number;
  /** Which variable decided, for the observed text. */
  from: string;
}

function num(v: string | undefined): number {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

/**
 * MySQL 8.0: binlog_expire_logs_seconds wins when non-zero, else expire_logs_days; both 0 means
 * never (8.0.29+: binlog_expire_logs_auto_purge=OFF also means never). MariaDB 10.6+ keeps the two
 * in step, older MariaDB and MySQL 5.x have only expire_logs_days (a fraction of days on MariaDB).
 * PolarDB for MySQL may expose expire_logs_hours; it is read when present.
 */
export function binlogRetention(vars: Readonly<Record<string, string>>): Retention {
  const purge = vars['binlog_expire_logs_auto_purge'];
  if (purge !== undefined && /^(OFF|0|FALSE)$/i.test(purge)) return { seconds: 0, from: 'binlog_expire_logs_auto_purge=OFF' };
  const seconds = num(vars['binlog_expire_logs_seconds']);
  if (seconds > 0) return { seconds, from: `binlog_expire_logs_seconds=${vars['binlog_expire_logs_seconds']}` };
  const hours = num(vars['expire_logs_hours']);
  if (hours > 0) return { seconds: Math.round(hours * 3600), from: `expire_logs_hours=${vars['expire_logs_hours']}` };
  const days = num(vars['expire_logs_days']);
  if (days > 0) return { seconds: Math.round(days * DAY_SECONDS), from: `expire_logs_days=${vars['expire_logs_days']}` };
  const shown = ['binlog_expire_logs_seconds', 'expire_logs_days'].filter((k) => vars[k] !== undefined).map((k) => `${k}=${vars[k]}`);
  return { seconds: 0, from: shown.join(', ') || 'no expiry variable' };
}

/** Managed instances keep their logs on the provider's side too, so DTS asks for less there. */
export function requiredRetentionDays(type: MysqlSource['type']): number {
  return SOURCES[type].binlogRetentionDays;
}

export function retentionMeets(r: Retention, days: number): boolean {
  return r.seconds === 0 || r.seconds >= days * DAY_SECONDS;
}

export function formatDuration(seconds: number): string {
  if (seconds === 0) return 'never purged';
  const days = seconds / DAY_SECONDS;
  if (days >= 1) return `${Number.isInteger(days) ? days : days.toFixed(1)} day(s)`;
  return `${(seconds / 3600).toFixed(1)} hour(s)`;
}
