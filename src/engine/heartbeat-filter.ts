// What the stream does with the heartbeat table's changes (connectors/sources/mysql/heartbeat.ts):
// takes them out before anything counts or forwards them, as the backfill takes out its watermarks
// (backfill-window.ts), and puts the heartbeat's time on the transaction's end, so the checkpoint
// moves with it. The binary log's own event times have 1-second resolution; the heartbeat's value
// has ms. Pure, so its rules are tested without a server.
import type { ChangeEvent, TxBatch } from '../model/source-data.js';
import { heartbeatMs, type HeartbeatTable } from '../connectors/sources/mysql/heartbeat.js';

export class HeartbeatFilter {
  /** The newest source time seen (ms): a later end whose 1-second time is older keeps this one, so lag never jumps back. */
  #newest = 0;

  constructor(private readonly table: HeartbeatTable) {}

  /** Whether `ev` is a change of the heartbeat table: a row, or a DDL naming it (its CREATE TABLE). */
  isHeartbeat(ev: ChangeEvent): boolean {
    return this.isHeartbeatTable(ev.database, ev.table);
  }

  isHeartbeatTable(database: string, table: string | undefined): boolean {
    return database === this.table.database && table === this.table.table;
  }

  /**
   * The batch as the delivery should see it: without heartbeat changes, its end stamped with the
   * newest heartbeat time, and marked `heartbeat` when nothing else was in the transaction.
   */
  take(b: TxBatch): TxBatch {
    let events = b.events;
    let had = false;
    if (events.some((ev) => this.isHeartbeat(ev))) {
      had = true;
      events = [];
      for (const ev of b.events) {
        if (!this.isHeartbeat(ev)) {
          events.push(ev);
          continue;
        }
        const ms = heartbeatMs(ev, this.table);
        if (ms !== undefined && ms > this.#newest) this.#newest = ms;
      }
    }
    if (!b.end) return had ? { events } : b;
    const end = this.#newest > (b.end.timestamp ?? 0) ? { ...b.end, timestamp: this.#newest } : b.end;
    if (!had && end === b.end) return b;
    return { events, end, ...(had && events.length === 0 ? { heartbeat: true as const } : {}) };
  }
}
