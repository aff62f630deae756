// The watermark table of the backfill (engine/backfill.ts): a row per migration on the source, written
// before and after each chunk is read, so the two writes appear in the binary log around the read.
// DBLog (Netflix) and Debezium's incremental snapshots signal through such a table the same way;
// DTS keeps its own heartbeat table on the source for a like purpose.
import type { Connection } from 'mysql2/promise';
import type { ChangeEvent, TableInfo } from '../../../model/source-data.js';
import { MigError } from '../../../util/errors.js';
import { describeTable } from './inspect.js';

export const WATERMARK_DATABASE = 'mig_meta';
export const WATERMARK_TABLE = 'watermarks';
export const WATERMARK_ID = `${WATERMARK_DATABASE}.${WATERMARK_TABLE}`;

export type Mark = 'low' | 'high';

/** Creates the table when missing and returns its shape, for the binlog reader to decode its rows. */
export async function ensureWatermarkTable(conn: Connection, user: string): Promise<TableInfo> {
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${WATERMARK_DATABASE}\``);
    await conn.query(`CREATE TABLE IF NOT EXISTS \`${WATERMARK_DATABASE}\`.\`${WATERMARK_TABLE}\` (
      migration VARCHAR(191) NOT NULL PRIMARY KEY,
      chunk BIGINT NOT NULL,
      mark VARCHAR(4) NOT NULL,
      written_at TIMESTAMP(6) NOT NULL
    ) ENGINE=InnoDB`);
    const shape = await describeTable(conn, WATERMARK_DATABASE, WATERMARK_TABLE);
    if (!shape) throw new Error(`${WATERMARK_ID} is not readable after creating it`);
    return shape;
  } catch (e) {
    throw watermarkError(e, user);
  }
}

/** One watermark: a committed write of its own, so it sits between transactions in the log. */
export async function writeWatermark(conn: Connection, migration: string, chunk: number, mark: Mark, user: string): Promise<void> {
  await conn
    .query(
      `INSERT INTO \`${WATERMARK_DATABASE}\`.\`${WATERMARK_TABLE}\` (migration, chunk, mark, written_at) VALUES (?, ?, ?, UTC_TIMESTAMP(6))
       ON DUPLICATE KEY UPDATE chunk = VALUES(chunk), mark = VALUES(mark), written_at = VALUES(written_at)`,
      [migration, chunk, mark],
    )
    .catch((e: unknown) => {
      throw watermarkError(e, user);
    });
}

/** The watermark a binlog change carries, when it is one. */
export function watermarkOf(ev: ChangeEvent): { migration: string; chunk: number; mark: Mark } | undefined {
  if (ev.kind !== 'row' || ev.database !== WATERMARK_DATABASE || ev.table !== WATERMARK_TABLE || !ev.after) return undefined;
  const { migration, chunk, mark } = ev.after;
  if (typeof migration !== 'string' || typeof chunk !== 'string' || (mark !== 'low' && mark !== 'high')) return undefined;
  return { migration, chunk: Number(chunk), mark };
}

function watermarkError(e: unknown, user: string): MigError {
  if (e instanceof MigError) return e;
  const err = e as { code?: string; message?: string };
  const denied = /ACCESS_DENIED|command denied|DBACCESS/i.test(`${err.code ?? ''} ${err.message ?? ''}`);
  return new MigError(
    'watermark-table',
    `cannot write the backfill's watermark table ${WATERMARK_ID} on the source: ${err.message ?? String(e)}`,
    denied
      ? `a table added to a streaming migration is copied while the stream runs, which needs: GRANT CREATE, INSERT, UPDATE, SELECT ON \`${WATERMARK_DATABASE}\`.* TO '${user}'; or copy it from a new snapshot instead: mig apply --replace <migration>`
      : 'check that the source accepts writes (a read-only replica cannot take watermarks); or copy it from a new snapshot instead: mig apply --replace <migration>',
  );
}
