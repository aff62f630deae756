// Sessions on a MySQL destination: TLS with a verified certificate, values passed as text (no zone or
// float arithmetic on the way), and the session settings under which source rows load unchanged.
// Driver errors become MigErrors that say what to fix, with the password scrubbed out.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import mysql from 'mysql2/promise';
import type { ConnectionOptions, SslOptions } from 'mysql2';
import type { MysqlDestination } from '../../../spec/schema.js';
import { MigError, redact } from '../../../util/errors.js';
import type { ErrorClass } from '../../contract.js';

export interface DestinationEndpoint {
  spec: MysqlDestination;
  /** Resolved at run time from spec.destination.password; never stored or printed. */
  password?: string;
  /** Base of a relative tls.ca path: the project root (the parent of the spec directory). */
  projectRoot: string;
}

/**
 * sql_mode of every destination session. The rows were valid at the source, so the mode must accept
 * whatever the source accepted, and nothing more:
 * - STRICT_TRANS_TABLES: a value the column cannot hold is an error, never silently cut or zeroed.
 * - ALLOW_INVALID_DATES, and no NO_ZERO_DATE/NO_ZERO_IN_DATE: '0000-00-00' and '2024-02-30' exist in
 *   sources that allowed them (MySQL's own default mode rejects them on insert, not on read).
 * - NO_AUTO_VALUE_ON_ZERO: an AUTO_INCREMENT column holding 0 keeps 0 instead of a new number
 *   (mysqldump loads under the same setting).
 * - No ANSI_QUOTES or NO_BACKSLASH_ESCAPES: statements are built with backtick names and
 *   backslash-escaped strings. No NO_ENGINE_SUBSTITUTION: a source engine the destination lacks
 *   (TiDB prints InnoDB; MariaDB may print Aria) becomes the default engine, with a warning.
 */
export const DESTINATION_SQL_MODE = 'STRICT_TRANS_TABLES,ALLOW_INVALID_DATES,NO_AUTO_VALUE_ON_ZERO';

/** The certificate settings, read from the spec; the CA file path starts at the project root. */
export function sslOptions(ep: DestinationEndpoint): SslOptions | undefined {
  const tls = ep.spec.tls;
  if (!tls) return undefined;
  let ca: Buffer | undefined;
  if (tls.ca) {
    const file = path.resolve(ep.projectRoot, tls.ca);
    try {
      ca = readFileSync(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : String(code);
      throw new MigError('destination-tls', `cannot read the CA file ${tls.ca} (spec.destination.tls.ca): ${why}`, 'fix the path; relative paths start at the project root');
    }
    if (!ca.toString('utf8').includes('-----BEGIN CERTIFICATE-----')) {
      throw new MigError('destination-tls', `the CA file ${tls.ca} (spec.destination.tls.ca) holds no PEM certificate`, 'give the CA certificate in PEM form (-----BEGIN CERTIFICATE-----)');
    }
  }
  // Without ca, Node's bundled public CAs verify the chain. verifyIdentity checks the name the
  // certificate is for against the host (or tls.servername); with an IP address as host and no
  // servername only the chain is verified, because the driver checks names, not addresses.
  return { ca, rejectUnauthorized: true, verifyIdentity: true };
}

export function connectionOptions(ep: DestinationEndpoint, database?: string): ConnectionOptions {
  const { spec } = ep;
  const opts: ConnectionOptions = {
    host: spec.host,
    port: spec.port,
    user: spec.user,
    password: ep.password,
    database,
    charset: 'utf8mb4',
    // Values go over as the source's text; the session zone is pinned to UTC below so TIMESTAMP text
    // means the same instant it meant at the source (which mig also reads in UTC).
    timezone: 'Z',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    connectTimeout: spec.connectTimeoutMs,
    // One statement per round trip: a value can never smuggle in a second statement.
    multipleStatements: false,
    ssl: sslOptions(ep),
  };
  const servername = spec.tls?.servername;
  if (servername && servername !== spec.host) {
    // The driver checks the certificate against its `host` during the TLS handshake, before any
    // credential is sent. To check another name, `host` is that name and the socket is opened to
    // the real address ourselves.
    opts.host = servername;
    opts.stream = () => {
      const s = net.connect(spec.port, spec.host);
      s.setNoDelay(true);
      return s;
    };
  }
  return opts;
}

/** One session, ready for writes: UTC, DESTINATION_SQL_MODE, foreign key checks off. */
export async function connectDestination(ep: DestinationEndpoint, database?: string): Promise<mysql.Connection> {
  let conn: mysql.Connection | undefined;
  try {
    conn = await mysql.createConnection(connectionOptions(ep, database));
    // foreign_key_checks=0: mig does not create foreign keys, but tables that already exist at the
    // destination may have them, and the full load fills tables one at a time in any order.
    await conn.query(`SET time_zone = '+00:00', sql_mode = '${DESTINATION_SQL_MODE}', foreign_key_checks = 0`);
    return conn;
  } catch (e) {
    conn?.destroy();
    if (e instanceof MigError) throw e;
    throw destinationError(ep, e);
  }
}

interface DriverError {
  code?: string;
  errno?: number;
  message?: string;
  sqlMessage?: string;
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|EPROTO|HANDSHAKE_NO_SSL_SUPPORT/;

/** A driver error as a MigError naming the destination and the fix; `doing` says what failed. */
export function destinationError(ep: DestinationEndpoint, e: unknown, doing?: string): MigError {
  if (e instanceof MigError) return e;
  const err = (e ?? {}) as DriverError;
  const where = `${ep.spec.host}:${ep.spec.port}`;
  const msg = redact(String(err.sqlMessage ?? err.message ?? e), ep.password ? [ep.password] : []);
  const what = doing ? `${doing}: ` : '';
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') {
    return new MigError('destination-unreachable', `cannot connect to the destination at ${where}: connection refused`, 'check spec.destination.host and spec.destination.port, and that the server is running');
  }
  if (code === 'ETIMEDOUT') {
    return new MigError('destination-unreachable', `cannot connect to the destination at ${where}: timed out`, 'check the address, any firewall between mig and the server, and spec.destination.connectTimeoutMs');
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new MigError('destination-unreachable', `cannot resolve the destination host ${ep.spec.host}`, 'check spec.destination.host');
  }
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT') {
    return new MigError('destination-tls', `the destination at ${where} does not offer TLS`, 'enable TLS on the server (ssl_cert/ssl_key), or remove spec.destination.tls');
  }
  if (TLS_CODES.test(code)) {
    const hint = /ALTNAME|HOST/i.test(code + msg)
      ? "set spec.destination.tls.servername to a name the server's certificate holds"
      : "set spec.destination.tls.ca to the PEM file of the CA that signed the server's certificate";
    return new MigError('destination-tls', `TLS to the destination at ${where} failed: ${msg}`, hint);
  }
  if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_NOT_SUPPORTED_AUTH_MODE') {
    return new MigError('destination-auth', `the destination at ${where} refused user '${ep.spec.user}': ${msg}`, 'check spec.destination.user and the secret spec.destination.password refers to');
  }
  if (code === 'ER_DBACCESS_DENIED_ERROR' || code === 'ER_TABLEACCESS_DENIED_ERROR' || code === 'ER_SPECIFIC_ACCESS_DENIED_ERROR') {
    return new MigError('destination-privileges', `${what}the destination at ${where} denied it: ${msg}`, `grant '${ep.spec.user}' CREATE, ALTER, DROP, INDEX, CREATE VIEW, SELECT, INSERT, UPDATE and DELETE on the destination databases and the checkpoint database`);
  }
  if (code === 'ER_NET_PACKET_TOO_LARGE' || err.errno === 1153) {
    return new MigError('destination-packet', `${what}a statement is larger than the destination's max_allowed_packet: ${msg}`, 'raise max_allowed_packet on the destination server (a single row must fit in it)');
  }
  if (code === 'PROTOCOL_CONNECTION_LOST' || code === 'ECONNRESET' || code === 'EPIPE') {
    return new MigError('destination-unreachable', `${what}the connection to the destination at ${where} was lost: ${msg}`, 'check that the server is up; mig resumes from its checkpoint');
  }
  const hint = DATA_HINTS[err.errno ?? 0];
  return new MigError('destination-error', `${what}destination ${where}: ${msg}`, hint);
}

/** What to do about the errors a destination most often raises on source rows and DDL. */
const DATA_HINTS: Record<number, string> = {
  1054: "the destination table lacks a column the source has: add it at the destination, or leave the column out (spec.objects[].tables[].columns)",
  1146: 'the destination table does not exist: run the schema phase (spec.types has schema) or create it by hand',
  1062: 'a unique key at the destination rejects a row the source holds: the destination table has a key the source lacks, or was changed by hand',
  1264: "the destination column cannot hold the source value: give it the source column's type",
  1265: "the destination column cannot hold the source value: give it the source column's type",
  1366: "the destination column cannot hold the source value: give it the source column's type",
  1406: "the destination column is shorter than the source value: give it the source column's type",
  1292: "the destination rejects a date or time value the source holds: give the column the source's type (mig loads with ALLOW_INVALID_DATES and zero dates allowed)",
};

/** Errors after which the session is gone and a new one is needed. */
export function isConnectionLost(e: unknown): boolean {
  const err = (e ?? {}) as DriverError & { fatal?: boolean };
  return err.fatal === true || ['PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED'].includes(err.code ?? '');
}

/**
 * For the engine's retry windows: a lost or refused connection (also when wrapped as
 * destination-unreachable), deadlocks and lock waits (retryable), and everything else, which a
 * retry cannot fix (access, a missing table, a value the column cannot hold).
 */
export function classifyMysqlError(e: unknown): ErrorClass {
  if (e instanceof MigError) return e.code === 'destination-unreachable' ? 'retryable-connection' : 'fatal';
  if (isConnectionLost(e)) return 'retryable-connection';
  const errno = ((e ?? {}) as DriverError).errno;
  return errno === 1213 || errno === 1205 ? 'retryable-other' : 'fatal';
}
