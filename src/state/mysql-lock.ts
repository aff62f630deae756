// The lock of the MySQL state backend: a lease on the server's clock, renewed by a timer while held.
// A holder that crashes, hangs or loses its network stops renewing; once the lease lapses the next
// lock() takes it over, and the old holder's writes are fenced out (see fence()).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { LockedError, MigError } from '../util/errors.js';
import type { LockInfo } from './model.js';
import { inTransaction } from './mysql-schema.js';
import { pidAlive } from './ops.js';

export const DEFAULT_LEASE_MS = 60_000;

/** What lock() returns here: the lock, and the lapsed one it replaced, if any. */
export interface MysqlLockInfo extends LockInfo {
  takenOver?: LockInfo;
}

export interface LeaseSettings {
  /** Backquoted lock table. */
  table: string;
  /** The state's row in it. */
  name: string;
  /** The store, for messages. */
  location: string;
  leaseMs: number;
  renewMs: number;
  onTakeover?: (stale: LockInfo) => void;
}

export const ISO = "'%Y-%m-%dT%H:%i:%s.%fZ'";
const HOLDER_COLUMNS = `lock_id, pid, host, DATE_FORMAT(time, ${ISO}) AS time, operation,
  DATE_FORMAT(lease_until, ${ISO}) AS lease_until, lease_until > UTC_TIMESTAMP(6) AS live`;
const CLEARED = 'lock_id = NULL, pid = NULL, host = NULL, time = NULL, operation = NULL, lease_until = NULL';

export class MysqlLease {
  #held?: { id: string; lost: boolean };
  #timer?: NodeJS.Timeout;

  constructor(
    private readonly pool: Pool,
    private readonly s: LeaseSettings,
  ) {}

  async acquire(operation: string): Promise<MysqlLockInfo> {
    const id = randomUUID();
    const { stale, time } = await inTransaction(this.pool, async (conn) => {
      const row = await this.#row(conn);
      if (row.lock_id !== null && Number(row.live) === 1) throw this.#lockedError(row);
      await conn.query(
        `UPDATE ${this.s.table} SET lock_id = ?, pid = ?, host = ?, time = UTC_TIMESTAMP(6), operation = ?,
           lease_until = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND WHERE name = ?`,
        [id, process.pid, hostname().slice(0, 255), operation.slice(0, 255), this.s.leaseMs * 1000, this.s.name],
      );
      const [rows] = await conn.query<RowDataPacket[]>(`SELECT DATE_FORMAT(time, ${ISO}) AS time FROM ${this.s.table} WHERE name = ?`, [this.s.name]);
      return { stale: row.lock_id === null ? undefined : holderOf(row), time: isoMillis(String(rows[0]?.time)) };
    });
    this.#startRenewal(id);
    const info: MysqlLockInfo = { id, pid: process.pid, host: hostname(), time, operation };
    if (stale) {
      info.takenOver = stale;
      this.s.onTakeover?.(stale);
    }
    return info;
  }

  async release(id: string): Promise<void> {
    if (this.#held?.id === id) this.stop();
    // Not ours any more (taken over or force-unlocked) or already gone: nothing to do.
    await this.pool.query(`UPDATE ${this.s.table} SET ${CLEARED} WHERE name = ? AND lock_id = ?`, [this.s.name, id]);
  }

  async forceRelease(id: string): Promise<void> {
    await inTransaction(this.pool, async (conn) => {
      const row = await this.#row(conn);
      if (row.lock_id === null) throw new MigError('not-locked', `the state ${this.s.location} is not locked`);
      if (row.lock_id !== id) {
        const held = holderOf(row);
        throw new MigError(
          'lock-mismatch',
          `the lock on ${this.s.location} has id ${held.id}, not ${id}`,
          `make sure ${held.operation} (pid ${held.pid} on ${held.host}) is gone, then run: mig state unlock --force ${held.id}`,
        );
      }
      await conn.query(`UPDATE ${this.s.table} SET ${CLEARED} WHERE name = ?`, [this.s.name]);
    });
    if (this.#held?.id === id) this.stop();
  }

  /** The lock while its lease is live; a lapsed lease is no lock, since the next acquire() takes it over. */
  async current(): Promise<LockInfo | undefined> {
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT ${HOLDER_COLUMNS} FROM ${this.s.table} WHERE name = ?`, [this.s.name]);
    const row = rows[0] as LockRow | undefined;
    return row && row.lock_id !== null && Number(row.live) === 1 ? holderOf(row) : undefined;
  }

  /**
   * Inside a write's transaction: when this process holds the lock, checks it still does and renews
   * it. A holder whose lease lapsed and was taken over must not write over the new holder's work.
   */
  async fence(conn: PoolConnection): Promise<void> {
    const held = this.#held;
    if (!held) return;
    const [res] = held.lost
      ? [{ affectedRows: 0 }]
      : await conn.query<ResultSetHeader>(
          `UPDATE ${this.s.table} SET lease_until = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND WHERE name = ? AND lock_id = ?`,
          [this.s.leaseMs * 1000, this.s.name, held.id],
        );
    if (res.affectedRows === 1) return;
    held.lost = true;
    this.#stopTimer();
    throw new MigError(
      'lock-lost',
      `the lock ${held.id} on ${this.s.location} is no longer held: its lease lapsed and another mig took it over`,
      'nothing was written; make sure only one mig runs against this state, then run the command again',
    );
  }

  /** Stops renewing and forgets the lock; a lock still in the table then lapses with its lease. */
  stop(): void {
    this.#stopTimer();
    this.#held = undefined;
  }

  #startRenewal(id: string): void {
    this.stop();
    this.#held = { id, lost: false };
    let busy = false;
    // unref: renewing must never keep the process alive; a process that exits without unlocking
    // simply stops renewing, and its lease lapses.
    this.#timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void this.#renew(id).finally(() => (busy = false));
    }, this.s.renewMs);
    this.#timer.unref();
  }

  async #renew(id: string): Promise<void> {
    try {
      const [res] = await this.pool.query<ResultSetHeader>(
        `UPDATE ${this.s.table} SET lease_until = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND WHERE name = ? AND lock_id = ?`,
        [this.s.leaseMs * 1000, this.s.name, id],
      );
      if (res.affectedRows === 0 && this.#held?.id === id) {
        this.#held.lost = true;
        this.#stopTimer();
      }
    } catch {
      // Retried at the next tick; if the database stays away the lease lapses, which is the point.
    }
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #row(conn: PoolConnection): Promise<LockRow> {
    const select = `SELECT ${HOLDER_COLUMNS} FROM ${this.s.table} WHERE name = ? FOR UPDATE`;
    let [rows] = await conn.query<RowDataPacket[]>(select, [this.s.name]);
    if (!rows[0]) {
      // Someone deleted the row by hand; put it back rather than fail.
      await conn.query(`INSERT IGNORE INTO ${this.s.table} (name) VALUES (?)`, [this.s.name]);
      [rows] = await conn.query<RowDataPacket[]>(select, [this.s.name]);
    }
    return rows[0] as LockRow;
  }

  #lockedError(row: LockRow): LockedError {
    const holder = holderOf(row);
    const err = new LockedError(holder, this.s.location);
    err.message += `; its lease runs until ${isoMillis(String(row.lease_until))} and is renewed while it runs, so once that process is gone the next run takes the lock over`;
    // A pid only means something on the host that issued it.
    if (holder.host === hostname() && !pidAlive(holder.pid)) err.message += ' (the holder process is no longer running)';
    return err;
  }
}

interface LockRow {
  lock_id: string | null;
  pid: number | null;
  host: string | null;
  time: string | null;
  operation: string | null;
  lease_until: string | null;
  live: number | string | null;
}

function holderOf(row: LockRow): LockInfo {
  return {
    id: String(row.lock_id),
    pid: Number(row.pid ?? 0),
    host: row.host ?? '',
    time: isoMillis(row.time ?? ''),
    operation: row.operation ?? '',
  };
}

/** The server gives microseconds; the rest of mig writes ISO times with milliseconds. */
export function isoMillis(text: string): string {
  return text.replace(/\.(\d{3})\d*Z$/, '.$1Z');
}
