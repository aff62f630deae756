// The applier's one destination session. Every statement of the applier goes through it, one call
// at a time, so a transaction never interleaves with another. A lost session is dropped and the
// next call opens a new one; max_allowed_packet is read once, because multi-row statements are cut
// to fit it.
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { MigError } from '../../../util/errors.js';

/** Margin under max_allowed_packet for the protocol header and the statement's own text. */
const PACKET_MARGIN = 4096;

export class DestinationSession {
  readonly #connect: () => Promise<Connection>;
  readonly #describeError: (e: unknown, doing: string) => MigError;
  #conn?: Connection;
  #maxPacket?: number;

  constructor(connect: () => Promise<Connection>, describeError: (e: unknown, doing: string) => MigError) {
    this.#connect = connect;
    this.#describeError = describeError;
  }

  /** The open session, or a new one. */
  async get(): Promise<Connection> {
    if (this.#conn) return this.#conn;
    try {
      this.#conn = await this.#connect();
    } catch (e) {
      throw this.#describeError(e, 'connecting to the destination');
    }
    if (this.#maxPacket === undefined) {
      const [rows] = await this.#conn.query<RowDataPacket[]>('SELECT @@max_allowed_packet AS p');
      this.#maxPacket = Number(rows[0]!.p);
    }
    return this.#conn;
  }

  /** Bytes one statement may take. */
  statementLimit(): number {
    return Math.max(1024, (this.#maxPacket ?? 16 << 20) - PACKET_MARGIN);
  }

  /** Forgets a session that is lost (or in a state no ROLLBACK repairs). */
  drop(): void {
    this.#conn?.destroy();
    this.#conn = undefined;
  }

  async close(): Promise<void> {
    const c = this.#conn;
    this.#conn = undefined;
    await c?.end().catch(() => c.destroy());
  }
}
