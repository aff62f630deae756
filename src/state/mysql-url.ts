// Where a MySQL state backend lives, parsed from `mysql://user:password@host:port/database`.
// The password is kept apart from everything printable: the description and every error leave it out,
// and a URL that does not parse is never echoed, since the password may sit anywhere in it.
import { MigError } from '../util/errors.js';

export const DEFAULT_STATE_TABLE = 'mig_state';
export const DEFAULT_STATE_NAME = 'default';

/** Identifier rule for the state table; leaves room for the `_lock` suffix within MySQL's 64 characters. */
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,58}$/;
/** The name column is VARCHAR(190): the longest utf8mb4 key that fits every InnoDB row format. */
export const MAX_STATE_NAME = 190;
/** Marks the lock-table rows of runner leases (mysql-leases.ts); a state named with it could share a row with one. */
export const LEASE_ROW_MARK = '#run:';

export interface MysqlStateTarget {
  host: string;
  port: number;
  user: string;
  /** Never printed; undefined when the URL has none. */
  password?: string;
  database: string;
  table: string;
  /** Which state in the table: one table can hold the states of several projects. */
  name: string;
}

/** Overrides for table and name, e.g. from mig.config.yaml; they must agree with the URL's own. */
export interface TargetOverrides {
  table?: string;
  name?: string;
}

const URL_FORM = 'mysql://USER:PASSWORD@HOST:PORT/DATABASE (optionally ?table=TABLE&name=NAME)';

function invalid(why: string, where: string): MigError {
  return new MigError('state-url-invalid', `${where} is not a valid MySQL state URL: ${why}`, `write it as ${URL_FORM}`);
}

/**
 * Parses a state URL. `where` names its origin (e.g. `--state-url`, `${env:MIG_STATE_URL}`) for messages;
 * the URL text itself never appears in them.
 */
export function parseMysqlStateUrl(text: string, where: string, overrides: TargetOverrides = {}): MysqlStateTarget {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw invalid('it does not parse as a URL (special characters in the password must be %-encoded)', where);
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw invalid(`the scheme is ${url.protocol.replace(/:$/, '')}:// rather than mysql://`, where);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw invalid('it names no host', where);
  const port = url.port === '' ? 3306 : Number(url.port);
  const user = decode(url.username, 'user', where);
  if (user === '') throw invalid('it names no user (mysql://USER@HOST/…)', where);
  const password = url.password === '' ? undefined : decode(url.password, 'password', where);
  const [segment, ...more] = url.pathname.split('/').filter((s) => s !== '');
  if (segment === undefined || more.length > 0) throw invalid('its path must be exactly one database name (…/DATABASE)', where);
  const database = decode(segment, 'database', where);
  if (url.hash !== '') throw invalid('it has a #fragment, which means nothing here', where);

  let table: string | undefined;
  let name: string | undefined;
  for (const [key, value] of url.searchParams) {
    if (key === 'table') table = value;
    else if (key === 'name') name = value;
    else throw invalid(`unknown parameter ?${key}= (allowed: table, name)`, where);
  }
  table = agree('table', table, overrides.table, where) ?? DEFAULT_STATE_TABLE;
  name = agree('name', name, overrides.name, where) ?? DEFAULT_STATE_NAME;
  checkTableName(table, where);
  checkStateName(name, where);
  return { host, port, user, password, database, table, name };
}

export function checkTableName(table: string, where: string): void {
  if (!TABLE_NAME.test(table)) {
    throw new MigError(
      'state-url-invalid',
      `${where}: the state table name \`${table}\` is not allowed`,
      "use 1 to 59 letters, digits or '_', starting with a letter or '_'",
    );
  }
}

export function checkStateName(name: string, where: string): void {
  if (name.length === 0 || name.length > MAX_STATE_NAME) {
    throw new MigError('state-url-invalid', `${where}: the state name must be 1 to ${MAX_STATE_NAME} characters long`);
  }
  if (name.includes(LEASE_ROW_MARK)) {
    throw new MigError('state-url-invalid', `${where}: the state name may not contain ${LEASE_ROW_MARK}, which marks the rows of runner leases`);
  }
}

/** The URL without its password, as every message shows the store. */
export function describeTarget(t: MysqlStateTarget): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  const params = new URLSearchParams({ table: t.table, name: t.name }).toString();
  return `mysql://${encodeURIComponent(t.user)}@${host}:${t.port}/${encodeURIComponent(t.database)}?${params}`;
}

function agree(field: string, fromUrl: string | undefined, given: string | undefined, where: string): string | undefined {
  if (fromUrl !== undefined && given !== undefined && fromUrl !== given) {
    throw new MigError(
      'state-url-invalid',
      `${where} says ${field}=${fromUrl} but the configuration says ${field}: ${given}`,
      `keep one of the two`,
    );
  }
  return fromUrl ?? given;
}

function decode(part: string, what: string, where: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw invalid(`its ${what} has a broken %-escape`, where);
  }
}
