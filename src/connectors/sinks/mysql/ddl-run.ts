// Running a translated DDL statement so that running it twice is the same as running it once.
// A statement may run again after a crash (it was recorded as pending, see apply.ts) or because the
// feed replays changes from before the schema was copied. Then the server reports that the change
// is already there (table exists, duplicate column, …), and that counts as done.
import type { Connection } from 'mysql2/promise';
import type { PendingDdl } from './checkpoint.js';
import type { DdlKind } from './ddl-translate.js';
import { quoteIdent } from './names.js';

const ER_BAD_DB = 1049;
const ER_TABLE_EXISTS = 1050;
const ER_BAD_TABLE = 1051;
const ER_BAD_FIELD = 1054;
const ER_DUP_FIELDNAME = 1060;
const ER_DUP_KEYNAME = 1061;
const ER_MULTIPLE_PRI_KEY = 1068;
const ER_CANT_DROP_FIELD_OR_KEY = 1091;
const ER_NO_SUCH_TABLE = 1146;
/** MariaDB: DROP VIEW of a view that does not exist. */
const ER_UNKNOWN_VIEW = 4092;

/** Errors meaning "this statement's change is already in place", per kind of statement. */
const ALREADY_DONE: Record<DdlKind, readonly number[]> = {
  'create-table': [ER_TABLE_EXISTS],
  'create-view': [ER_TABLE_EXISTS],
  'drop-table': [ER_BAD_TABLE],
  'drop-view': [ER_BAD_TABLE, ER_UNKNOWN_VIEW],
  // Renamed already: the old name is gone (1146) or the new one taken (1050).
  'rename-table': [ER_TABLE_EXISTS, ER_NO_SUCH_TABLE],
  // CHANGE/RENAME COLUMN again: the old column is gone (1054).
  'alter-table': [ER_DUP_FIELDNAME, ER_DUP_KEYNAME, ER_CANT_DROP_FIELD_OR_KEY, ER_BAD_FIELD, ER_MULTIPLE_PRI_KEY],
  'create-index': [ER_DUP_KEYNAME],
  'drop-index': [ER_CANT_DROP_FIELD_OR_KEY],
  // CREATE OR REPLACE/ALTER VIEW and TRUNCATE are idempotent by themselves.
  'alter-view': [],
  'truncate-table': [],
};

export interface DdlOutcome {
  /** Set when the server said the change was already there. */
  alreadyDone?: { errno: number; message: string };
}

export function isAlreadyDone(ddl: PendingDdl, e: unknown): boolean {
  const errno = (e as { errno?: number }).errno;
  if (errno === undefined) return false;
  if (ALREADY_DONE[ddl.kind].includes(errno)) return true;
  // ALTER TABLE … RENAME TO run again: the old name is gone, or the new one exists.
  return ddl.kind === 'alter-table' && ddl.tables.length > 1 && (errno === ER_NO_SUCH_TABLE || errno === ER_TABLE_EXISTS);
}

/**
 * Runs the statement with its destination database as the session default (unqualified names in
 * view bodies resolve there, as they did at the source).
 */
export async function runDdl(conn: Connection, ddl: PendingDdl): Promise<DdlOutcome> {
  try {
    await conn.query(`USE ${quoteIdent(ddl.database)}`);
  } catch (e) {
    // A table created in a database the schema phase did not make (new at the source, or the
    // phase was skipped): the database is created first, as DTS does.
    if ((e as { errno?: number }).errno !== ER_BAD_DB || !ddl.kind.startsWith('create-')) throw e;
    await conn.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(ddl.database)}`);
    await conn.query(`USE ${quoteIdent(ddl.database)}`);
  }
  try {
    await conn.query(ddl.sql);
    return {};
  } catch (e) {
    if (!isAlreadyDone(ddl, e)) throw e;
    const err = e as { errno: number; sqlMessage?: string; message?: string };
    return { alreadyDone: { errno: err.errno, message: String(err.sqlMessage ?? err.message) } };
  }
}
