// What a source tells the rest of mig: table shapes and change events, in one canonical value form.
import type { BinlogPosition } from '../state/model.js';
import type { OscTool } from './osc-helpers.js';

/**
 * Canonical column value. Binary-ish columns (BINARY, VARBINARY, BLOBs, BIT, GEOMETRY) are Buffers;
 * everything else is MySQL's own text form (integers and DECIMAL exact, temporal values with the
 * column's fractional digits, FLOAT as the shortest text that round-trips the stored float32).
 * The snapshot reader and the binlog reader both produce this form, so full load == incremental.
 */
export type SqlValue = string | Buffer | null;
export type Row = Record<string, SqlValue>;

export interface ColumnInfo {
  name: string;
  /** information_schema DATA_TYPE, lower case: int, varchar, decimal, datetime, uuid, inet6 … */
  dataType: string;
  /** information_schema COLUMN_TYPE, e.g. `int(10) unsigned`, `enum('a','b')`. */
  columnType: string;
  unsigned: boolean;
  nullable: boolean;
  /** Character set of text columns; undefined for non-text. */
  charset?: string;
  /** Collation of text columns (information_schema COLLATION_NAME); undefined for non-text. */
  collation?: string;
  /** Fractional seconds digits of temporal columns. */
  fsp?: number;
  /** Binary-ish columns carry Buffers in SqlValue. */
  binary: boolean;
}

export interface TableInfo {
  database: string;
  table: string;
  columns: ColumnInfo[];
  primaryKey: string[];
  /** Key used for chunking and message keys: primary key, else a unique key of NOT NULL columns; empty if none. */
  chunkKey: string[];
  keyKind: 'primary' | 'unique' | 'none';
  /** Every unique key by index name (`PRIMARY` for the primary key), columns in index order. */
  uniqueKeys?: Record<string, string[]>;
  /** Approximate row count from table statistics. */
  estimatedRows: number;
}

export type RowOp = 'insert' | 'update' | 'delete';

export type ChangeEvent =
  | {
      kind: 'row';
      op: RowOp;
      database: string;
      table: string;
      /** Before image: updates and deletes. */
      before?: Row;
      /** After image: inserts and updates. */
      after?: Row;
      /**
       * Columns of the images as the log wrote them (they differ from the table's current shape for
       * changes made before an ALTER). Absent for full-load rows, which have the current shape.
       */
      columns?: ColumnInfo[];
      /** Source time, ms since epoch. */
      timestamp: number;
      /** A number unique to this change within the source log; equal on redelivery. */
      id: number;
    }
  | {
      kind: 'ddl';
      database: string;
      /** Table the statement names, when one can be read from it. */
      table?: string;
      sql: string;
      timestamp: number;
      id: number;
      /**
       * The swap of an online schema change (gh-ost, pt-online-schema-change): `sql` is the ALTER the
       * tool ran on its helper table, naming this table; or, when the stream began after that ALTER
       * (`alterSeen` false), the swap's RENAME itself, which must never be replicated.
       */
      onlineSchemaChange?: { tool: OscTool; alterSeen: boolean };
    };

/**
 * A unit the binlog reader hands on: the changes of one transaction (or one DDL) and the position
 * after it. A large transaction comes in several parts; only the last carries `end`, so the
 * checkpoint never lands inside a transaction while memory stays bounded.
 */
export interface TxBatch {
  events: ChangeEvent[];
  /** Position right after this transaction/DDL: the checkpoint once all its events are acknowledged. */
  end?: BinlogPosition;
  /**
   * The transaction was only the migration's heartbeat (its row taken out): nothing to write, but the
   * checkpoint should reach `end`, whose timestamp is the heartbeat's source time.
   */
  heartbeat?: true;
}

/**
 * Where a binlog change sits in its source transaction, as the delivery saw the reader hand it on
 * (TxBatch parts, `end` on the last). Counted over the transaction's changes to the migration's
 * tables, before a destination's operation and filter selection. Absent for full-load rows and DDL.
 */
export interface TxPlace {
  /** Change id of the transaction's first change: its binlog file index and start offset. */
  first: number;
  /** 1-based position of this change in the transaction. */
  seq: number;
  /** Changes in the transaction; undefined while a transaction larger than one part is still open. */
  size?: number;
}

/** A change as the delivery passes it to the sink, with its place in the transaction when known. */
export type PlacedEvent = ChangeEvent & { tx?: TxPlace };
