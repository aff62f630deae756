// How the stream loop (stream-loop.ts) hands changes to a sink and moves the checkpoint. The
// sink's checkpoint capability picks one: after its acknowledgement (delivery-ack.ts, Kafka and
// Tablestore) or in the same destination transaction as the rows (delivery-tx.ts for the binlog,
// delivery-feed.ts for a TiDB feed, both into MySQL). Readers put changes in; the loop takes them out.
import type { Row, TableInfo, TxBatch } from '../model/source-data.js';
import type { BinlogPosition } from '../state/model.js';

/** A point in the source where nothing is open, at which a caught-up stream may stop. */
export interface QuietPoint {
  file: string;
  pos: number;
}

export interface Delivery<Progress> {
  /** Changes waiting for the destination; the loop pauses the reader at the sink's queue size. */
  readonly backlog: number;
  /** A transaction is partly read (its end not seen yet). */
  readonly midTransaction: boolean;
  /**
   * Writes what is queued and moves the checkpoint. It takes the queue before its first await, so
   * the loop can resume the reader while the write is under way. Resolves to what was checkpointed
   * (for progress), to undefined when something was written without a checkpoint, or to false when
   * nothing was queued.
   */
  flush(): Promise<Progress | undefined | false>;
  /**
   * Moves the checkpoint across a stretch with nothing to write: when due (`stopping` false), or
   * now because the stream stops (then `caughtUp`, a position with nothing open before it, may be
   * recorded too). Resolves true when it wrote something.
   */
  settle(o: { stopping: boolean; caughtUp?: QuietPoint }): Promise<boolean>;
}

/** A delivery fed by the binlog reader. */
export interface BinlogDelivery extends Delivery<BinlogPosition> {
  /** Where reading starts: the state's checkpoint, or the position the destination itself recorded. */
  start(): Promise<BinlogPosition>;
  /** A table the reader had to describe; a delivery that follows tables created later takes it in. */
  described?(database: string, table: string, shape: TableInfo): void;
  /** A part of a source transaction, with its end position when the transaction ends there. */
  take(b: TxBatch): void;
  /**
   * Rows a backfill read, written as of `end` (the high watermark's position, a transaction
   * boundary) and checkpointed with it; `onDurable` runs once they are at the destination, before
   * the checkpoint that covers them is saved.
   */
  takeRows(shape: TableInfo, rows: Row[], end: BinlogPosition, onDurable: () => void): void;
}
