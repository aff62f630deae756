// What the phases need from a destination: turn a source row or change into the destination's unit
// of write, and send a batch of them, resolving only once the destination has made them durable.
import type { ChangeEvent, Row, TableInfo } from '../model/source-data.js';
import type { TableState } from '../state/model.js';

/** What a sink did with the rows an interrupted load of a keyless table had written. */
export interface RestartOutcome {
  /** True when those rows are gone from the destination; false when they stay (duplicates possible). */
  emptied: boolean;
  /** For the user: what was done, or why not. */
  message: string;
}

export interface ChangeSink<Out> {
  /** A full-load row (already filtered by the snapshot's WHERE); undefined when it is not written. */
  snapshotRow(shape: TableInfo, row: Row, es: number, now: number): Out | undefined;
  /** A source change; undefined when the operation selection, the filter or the mapping leave it out. */
  change(ev: ChangeEvent, shapeOf: (id: string) => TableInfo | undefined, now: number): Out | undefined;
  /** Resolves once every item is acknowledged; only then may the caller move its checkpoint. */
  send(items: Out[]): Promise<void>;
  /**
   * Called before a table without a key is read again from its start because an earlier run began
   * loading it: no cursor tells which of its rows arrived, so those rows would be written a second
   * time. A sink that can remove them does. Absent: they stay (Kafka documents re-sent messages;
   * Tablestore needs a key to write at all).
   */
  restartTable?(shape: TableInfo, table: TableState): Promise<RestartOutcome>;
  close(): Promise<void>;
}
