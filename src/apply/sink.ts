// What the phases need from a destination: turn a source row or change into the destination's unit
// of write, and send a batch of them, resolving only once the destination has made them durable.
import type { ChangeEvent, Row, TableInfo } from '../source/types.js';

export interface ChangeSink<Out> {
  /** A full-load row (already filtered by the snapshot's WHERE); undefined when it is not written. */
  snapshotRow(shape: TableInfo, row: Row, es: number, now: number): Out | undefined;
  /** A source change; undefined when the operation selection, the filter or the mapping leave it out. */
  change(ev: ChangeEvent, shapeOf: (id: string) => TableInfo | undefined, now: number): Out | undefined;
  /** Resolves once every item is acknowledged; only then may the caller move its checkpoint. */
  send(items: Out[]): Promise<void>;
  close(): Promise<void>;
}
