// One chunk's watermark window (see backfill.ts for the method): between the low and the high
// watermark it notes the keys the stream touched; at the high watermark it says which of the chunk's
// rows to write. Pure, so the window's rules are tested without a server.
import type { ChangeEvent, Row } from '../model/source-data.js';
import { watermarkOf } from '../connectors/sources/mysql/watermark.js';

export type WindowOutcome = { rows: Row[]; superseded: number } | 'again';

export class ChunkWindow {
  #open = false;
  #touchedAny = false;
  #reread = false;
  readonly #touched = new Set<string>();
  /** The chunk's rows, set after the SELECT and before the high watermark is written. */
  rows: Row[] | undefined;

  constructor(
    readonly migration: string,
    /** `database.table` */
    readonly table: string,
    readonly chunk: number,
    readonly keyColumns: string[],
  ) {}

  get open(): boolean {
    return this.#open;
  }

  /**
   * Takes a batch the stream read: returns the changes to hand on (watermarks removed) and, when the
   * batch is this chunk's high watermark, what to write there.
   */
  observe(events: ChangeEvent[]): { kept: ChangeEvent[]; outcome?: WindowOutcome } {
    const kept: ChangeEvent[] = [];
    let outcome: WindowOutcome | undefined;
    for (const ev of events) {
      const mark = watermarkOf(ev);
      if (mark) {
        if (mark.migration === this.migration && mark.chunk === this.chunk) {
          if (mark.mark === 'low') this.#open = true;
          else if (this.#open && !outcome) outcome = this.#close();
        }
        continue;
      }
      if (this.#open && !outcome && `${ev.database}.${ev.table}` === this.table) this.#touch(ev);
      kept.push(ev);
    }
    return { kept, outcome };
  }

  #touch(ev: ChangeEvent): void {
    this.#touchedAny = true;
    // A DDL changes the table's shape under the chunk: the chunk is read again in the new shape.
    if (ev.kind === 'ddl') {
      this.#reread = true;
      return;
    }
    if (ev.before) this.#touched.add(keyOf(ev.before, this.keyColumns));
    if (ev.after) this.#touched.add(keyOf(ev.after, this.keyColumns));
  }

  #close(): WindowOutcome {
    this.#open = false;
    const keyless = this.keyColumns.length === 0;
    // Without a key no row can be told apart from another: any change in the window means again.
    if (this.#reread || (keyless && this.#touchedAny)) return 'again';
    const rows = this.rows ?? [];
    const fresh = keyless ? rows : rows.filter((r) => !this.#touched.has(keyOf(r, this.keyColumns)));
    return { rows: fresh, superseded: rows.length - fresh.length };
  }
}

/** Watermarks of other migrations (and stale ones of earlier runs) are no change of anyone's data. */
export function withoutWatermarks(events: ChangeEvent[]): ChangeEvent[] {
  return events.some((ev) => watermarkOf(ev)) ? events.filter((ev) => !watermarkOf(ev)) : events;
}

/** A row's key as text: the key columns' canonical values (binary ones as hex). */
export function keyOf(row: Row, columns: string[]): string {
  return JSON.stringify(columns.map((c) => {
    const v = row[c];
    return Buffer.isBuffer(v) ? `x${v.toString('hex')}` : v ?? null;
  }));
}
