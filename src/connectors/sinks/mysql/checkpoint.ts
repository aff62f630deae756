// The mig_checkpoint table: for each migration and feed (a Kafka topic:partition), the last upstream
// transaction applied. It lives at the destination and is written in the same transaction as the rows
// it covers, so the data and the position can never disagree: after a crash, either both moved or
// neither did. ddl_pending marks a DDL statement that was recorded but maybe not yet run (see apply-ddl.ts).
import type { Connection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { DdlKind } from './ddl-translate.js';
import type { TableRef } from './names.js';
import { quoteIdent } from './names.js';

export const CHECKPOINT_TABLE = 'mig_checkpoint';

/** Where the feed stands once a transaction is applied. */
export interface CheckpointTarget {
  /** e.g. "topic:partition". */
  feed: string;
  /** Offset of the message holding the transaction; the feed resumes after it. */
  offset: string | number | bigint;
  /** Upstream commit timestamp (TiDB TSO), when the feed has one. */
  commitTs?: string | number | bigint;
}

/** A translated DDL statement recorded before it runs. */
export interface PendingDdl {
  kind: DdlKind;
  database: string;
  sql: string;
  tables: TableRef[];
}

export interface FeedCheckpoint {
  migration: string;
  feed: string;
  /** Decimal text (TSOs exceed 2^53). */
  commitTs: string | null;
  kafkaOffset: string | null;
  ddlPending: PendingDdl | null;
  /** UTC. */
  updatedAt: string;
}

export const checkpointTable = (database: string) => `${quoteIdent(database)}.${quoteIdent(CHECKPOINT_TABLE)}`;

/**
 * ascii names keep the primary key small enough for any InnoDB row format (migration names are
 * letters, digits and '-'; Kafka topics letters, digits, '.', '_' and '-'). InnoDB is spelled out:
 * the checkpoint must share the data's transactions, which a non-transactional default engine would
 * silently break. ddl_pending is MEDIUMTEXT because a CREATE TABLE can outgrow TEXT's 64 KiB.
 */
export function createCheckpointTableSql(database: string): string {
  return `CREATE TABLE IF NOT EXISTS ${checkpointTable(database)} (
  migration VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  feed VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  commit_ts BIGINT UNSIGNED NULL,
  kafka_offset BIGINT NULL,
  ddl_pending MEDIUMTEXT CHARACTER SET utf8mb4 NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (migration, feed)
) ENGINE=InnoDB`;
}

/** Sets the feed's position (and pending DDL, or none) inside the caller's transaction. */
export async function writeCheckpoint(conn: Connection, database: string, migration: string, cp: CheckpointTarget, pending: PendingDdl | null): Promise<void> {
  await conn.query(
    `INSERT INTO ${checkpointTable(database)} (migration, feed, commit_ts, kafka_offset, ddl_pending, updated_at)
     VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6))
     ON DUPLICATE KEY UPDATE commit_ts = COALESCE(VALUES(commit_ts), commit_ts), kafka_offset = VALUES(kafka_offset),
       ddl_pending = VALUES(ddl_pending), updated_at = VALUES(updated_at)`,
    [migration, cp.feed, cp.commitTs === undefined ? null : String(cp.commitTs), String(cp.offset), pending ? JSON.stringify(pending) : null],
  );
}

/** Clears the pending DDL of a feed, once it ran. */
export async function clearPending(conn: Connection, database: string, migration: string, feed: string): Promise<void> {
  await conn.query<ResultSetHeader>(
    `UPDATE ${checkpointTable(database)} SET ddl_pending = NULL, updated_at = UTC_TIMESTAMP(6) WHERE migration = ? AND feed = ?`,
    [migration, feed],
  );
}

export async function readCheckpointRows(conn: Connection, database: string, migration: string, feed?: string): Promise<FeedCheckpoint[]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT migration, feed, commit_ts AS commitTs, kafka_offset AS kafkaOffset, ddl_pending AS ddlPending, updated_at AS updatedAt
       FROM ${checkpointTable(database)} WHERE migration = ?${feed === undefined ? '' : ' AND feed = ?'} ORDER BY feed`,
    feed === undefined ? [migration] : [migration, feed],
  );
  return rows.map((r) => ({
    migration: String(r.migration),
    feed: String(r.feed),
    commitTs: r.commitTs === null ? null : String(r.commitTs),
    kafkaOffset: r.kafkaOffset === null ? null : String(r.kafkaOffset),
    ddlPending: r.ddlPending === null ? null : (JSON.parse(String(r.ddlPending)) as PendingDdl),
    updatedAt: String(r.updatedAt),
  }));
}
