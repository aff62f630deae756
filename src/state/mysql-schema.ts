// The two tables of the MySQL state backend and their creation, the transaction helper both
// the store and its lock use, and driver errors turned into messages that never show the password.
import type { Pool, PoolConnection } from 'mysql2/promise';
import { MigError, redact } from '../util/errors.js';
import { describeTarget, type MysqlStateTarget } from './mysql-url.js';

export function lockTableName(table: string): string {
  return `${table}_lock`;
}

/** Backquoted identifier; names are checked against a strict pattern before they get here. */
export function ident(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/**
 * One row per state. `serial` and `lineage` repeat what the body holds so the compare-and-set can be
 * a plain UPDATE … WHERE; the body is the same JSON document the file backend writes.
 */
export function stateTableDdl(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${ident(table)} (
  name VARCHAR(190) NOT NULL,
  serial BIGINT NOT NULL,
  lineage CHAR(36) NOT NULL,
  version INT NOT NULL,
  body LONGTEXT NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;
}

/**
 * One row per state, kept even while unlocked (lock_id NULL): taking the lock is then a
 * SELECT … FOR UPDATE of an existing row, which never deadlocks the way racing INSERTs can.
 * Times are UTC and come from the server's clock, so clients with skewed clocks agree on expiry.
 */
export function lockTableDdl(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${ident(lockTableName(table))} (
  name VARCHAR(190) NOT NULL,
  lock_id CHAR(36) NULL,
  pid INT NULL,
  host VARCHAR(255) NULL,
  time DATETIME(6) NULL,
  operation VARCHAR(255) NULL,
  lease_until DATETIME(6) NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;
}

/**
 * Creates whichever table is missing and the state's lock row. Existence is checked first so a
 * user granted only SELECT/INSERT/UPDATE on tables an administrator created never needs CREATE.
 */
export async function ensureStateTables(pool: Pool, t: MysqlStateTarget): Promise<void> {
  const wanted = [t.table, lockTableName(t.table)];
  const [rows] = await pool.query(
    'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?, ?)',
    wanted,
  );
  const present = new Set((rows as { name: string }[]).map((r) => r.name));
  for (const [table, ddl] of [
    [t.table, stateTableDdl(t.table)],
    [lockTableName(t.table), lockTableDdl(t.table)],
  ] as const) {
    if (present.has(table)) continue;
    try {
      await pool.query(ddl);
    } catch (err) {
      if (isDenied(err)) {
        throw new MigError(
          'state-privilege',
          `cannot create the state table \`${table}\` in ${describeTarget(t)}: user '${t.user}' lacks the CREATE privilege on \`${t.database}\``,
          `GRANT CREATE, SELECT, INSERT, UPDATE ON \`${t.database}\`.* TO '${t.user}'; ` +
            `or have an administrator create \`${t.table}\` and \`${lockTableName(t.table)}\` once (mig state migrate --help shows their definition)`,
        );
      }
      throw err;
    }
  }
  await pool.query(`INSERT IGNORE INTO ${ident(lockTableName(t.table))} (name) VALUES (?)`, [t.name]);
}

/** Runs `fn` in a transaction on a pooled connection: committed when it returns, rolled back when it throws. */
export async function inTransaction<T>(pool: Pool, fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    const out = await fn(conn);
    await conn.commit();
    return out;
  } catch (err) {
    await conn.rollback().catch(() => undefined);
    throw err;
  } finally {
    conn.release();
  }
}

interface DriverError {
  code?: string;
  errno?: number;
  message?: string;
}

function isDenied(err: unknown): boolean {
  const code = (err as DriverError).code;
  return code === 'ER_TABLEACCESS_DENIED_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR' || code === 'ER_SPECIFIC_ACCESS_DENIED_ERROR';
}

/** A driver or network error as a MigError naming the store, with the password scrubbed. */
export function stateDbError(err: unknown, t: MysqlStateTarget): MigError {
  if (err instanceof MigError) return err;
  const e = err as DriverError;
  const where = describeTarget(t);
  const secrets = t.password ? [t.password] : [];
  const msg = redact(String(e.message ?? err), secrets);
  switch (e.code) {
    case 'ECONNREFUSED':
      return new MigError('state-unreachable', `cannot connect to the state database ${where}: connection refused`, 'check the host and port of the state URL, and that the server is running');
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
      return new MigError('state-unreachable', `cannot connect to the state database ${where}: timed out`, 'check the address and any firewall between mig and the server');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new MigError('state-unreachable', `cannot connect to the state database ${where}: the host name does not resolve`, 'check the host of the state URL');
    case 'ER_ACCESS_DENIED_ERROR':
      return new MigError('state-auth', `the state database ${where} refused user '${t.user}' (wrong password, or no access from this host)`, "check the user and password in the state URL");
    case 'ER_BAD_DB_ERROR':
      return new MigError('state-no-database', `the state database \`${t.database}\` does not exist on ${t.host}:${t.port}`, `create it: CREATE DATABASE \`${t.database}\``);
    case 'ER_DBACCESS_DENIED_ERROR':
    case 'ER_TABLEACCESS_DENIED_ERROR':
      return new MigError('state-privilege', `user '${t.user}' may not use the state tables in ${where}: ${msg}`, `GRANT SELECT, INSERT, UPDATE ON \`${t.database}\`.* TO '${t.user}'`);
    default:
      return new MigError('state-error', `the state database ${where} failed: ${msg}`);
  }
}
