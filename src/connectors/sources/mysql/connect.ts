// Connections to a MySQL-family source, with the options that keep values exact.
// dateStrings keeps microseconds and zero dates; exact big numbers keep BIGINT UNSIGNED and DECIMAL.
import mysql from 'mysql2/promise';
import type { ConnectionOptions } from 'mysql2';
import type { Source } from '../../../spec/schema.js';
import { MigError, redact } from '../../../util/errors.js';

export interface SourceEndpoint {
  spec: Source;
  /** Resolved at run time from the spec's reference; never stored or printed. */
  password?: string;
}

export function connectionOptions(ep: SourceEndpoint): ConnectionOptions {
  return {
    host: ep.spec.host,
    port: ep.spec.port,
    user: ep.spec.user,
    password: ep.password,
    charset: 'utf8mb4',
    // The server's zone is pinned per session below; values are read as text, so no zone arithmetic happens here.
    timezone: 'Z',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    connectTimeout: ep.spec.connectTimeoutMs,
    multipleStatements: false,
  };
}

export async function connectSource(ep: SourceEndpoint): Promise<mysql.Connection> {
  try {
    const conn = await mysql.createConnection(connectionOptions(ep));
    // TIMESTAMP values are rendered in the session zone; UTC keeps SELECT and binlog text identical.
    await conn.query("SET time_zone = '+00:00'");
    return conn;
  } catch (e) {
    throw sourceError(ep, e);
  }
}

export function sourceError(ep: SourceEndpoint, e: unknown): MigError {
  const err = e as { code?: string; message?: string; errno?: number };
  const where = `${ep.spec.host}:${ep.spec.port}`;
  const msg = redact(String(err.message ?? e), ep.password ? [ep.password] : []);
  const [code, message, hint] = describeSourceError(err.code, where, msg, ep.spec.user);
  // The driver's error stays the cause: the engine reads its code to pick a retry window.
  return new MigError(code, message, hint, { cause: e });
}

function describeSourceError(code: string | undefined, where: string, msg: string, user: string): [string, string, string?] {
  switch (code) {
    case 'ECONNREFUSED':
      return ['source-unreachable', `cannot connect to the source at ${where}: connection refused`,
        'check spec.source.host and spec.source.port, and that the server is running'];
    case 'ETIMEDOUT':
      return ['source-unreachable', `cannot connect to the source at ${where}: timed out`,
        'check the address and any firewall between mig and the server'];
    case 'ER_ACCESS_DENIED_ERROR':
      return ['source-auth', `the source at ${where} refused user '${user}': ${msg}`,
        'check spec.source.user and the secret spec.source.password refers to'];
    default:
      return ['source-error', `source ${where}: ${msg}`];
  }
}
