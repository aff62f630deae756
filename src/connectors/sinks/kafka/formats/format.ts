// A message format turns one change (or DDL) into the bytes of a Kafka message value. Keys and
// partitions are chosen elsewhere, the same way for every format.
import type { ChangeEvent, ColumnInfo } from '../../../../model/source-data.js';

/** Per-table facts every format needs, computed once per table shape. */
export interface TableCodec {
  cols: ColumnInfo[];
  /** Declared column types (information_schema COLUMN_TYPE), by column. */
  mysqlType: Record<string, string>;
  /** java.sql.Types codes, by column (Canal JSON's sqlType). */
  sqlType: Record<string, number>;
  /** Primary-key columns, or null when the table has none. */
  pkNames: string[] | null;
  /** Columns of the message key (primary key, else a NOT NULL unique key); empty when none. */
  keyCols: ColumnInfo[];
  /** Unique keys by name (`PRIMARY` first), for formats that carry them (DTS Avro's pk_uk_info). */
  uniqueKeys: Record<string, string[]>;
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

export interface EncodeContext {
  /** Time the message is written (ms), Canal JSON's `ts`. */
  now: number;
  /** Source server, for formats that describe it (DTS Avro's `source`). */
  source: { type: 'MySQL'; version: string };
}

export type FormatName = 'canal-json' | 'dts-avro' | 'shareplex-json';

export interface MessageFormat {
  readonly name: FormatName;
  /** `codec` is absent for DDL events. */
  encode(ev: ChangeEvent, codec: TableCodec | undefined, ctx: EncodeContext): Buffer;
}
