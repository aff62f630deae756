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

/** A change with its place in its source transaction when known (model/source-data.ts). */
export type { PlacedEvent, TxPlace } from '../../../../model/source-data.js';

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
