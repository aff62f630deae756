// A state store in a MySQL/MariaDB table, for teams and CI runners that share one state.
// Writes are a compare-and-set on the serial; the lock is a lease on the server's clock, renewed
// while held, so a holder that crashed or lost its network stops blocking everyone once it lapses.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import mysql, { type Pool, type PoolConnection, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import { LockedError, MigError } from '../util/errors.js';
import { emptyState, type LockInfo, type State } from './model.js';
import { ensureStateTables, ident, lockTableName, stateDbError } from './mysql-schema.js';
import { describeTarget, parseMysqlStateUrl, type MysqlStateTarget, type TargetOverrides } from './mysql-url.js';
import { pidAlive } from './ops.js';
import { CURRENT_STATE_VERSION, decodeState, encodeState } from './statefile.js';
import type { StateStore } from './store.js';

export const DEFAULT_LEASE_MS = 60_000;

export interface MysqlStoreOptions {
  /** How long a lock stays valid without renewal. */
  leaseMs?: number;
  /** How often a held lock is renewed; a third of the lease by default, so two renewals may fail in a row. */
  renewMs?: number;
  /** Called when lock() took over a lock whose lease had lapsed (its holder crashed or hung). */
  onTakeover?: (stale: LockInfo) => void;
}

/** What lock() returns here: the lock, and the lapsed one it replaced, if any. */
export interface MysqlLockInfo extends LockInfo {
  takenOver?: LockInfo;
}

/** What the store expects to find before a write: no row at all, or exactly this serial and lineage. */
export type ExpectedState = { absent: true } | { absent?: false; serial: number; lineage: string };

const ISO = "'%Y-%m-%dT%H:%i:%s.%fZ'";
const HOLDER_COLUMNS = `lock_id, pid, host, DATE_FORMAT(time, ${ISO}) AS time, operation,
  DATE_FORMAT(lease_until, ${ISO}) AS lease_until, lease_until > UTC_TIMESTAMP(6) AS live`;

export class MysqlStateStore implements StateStore {
  readonly location: string;
  readonly #target: MysqlStateTarget;
  readonly #pool: Pool;
  readonly #leaseMs: number;
  readonly #renewMs: number;
  readonly #onTakeover?: (stale: LockInfo) => void;
  readonly #state: string;
  readonly #lock: string;
  #ready?: Promise<void>;
  #freshLineage?: string;
  #held?: { id: string; lost: boolean };
  #renewTimer?: NodeJS.Timeout;

  constructor(target: MysqlStateTarget, opts: MysqlStoreOptions = {}) {
    this.#target = target;
    this.location = describeTarget(target);
    this.#leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
    this.#renewMs = opts.renewMs ?? Math.max(100, Math.floor(this.#leaseMs / 3));
    this.#onTakeover = opts.onTakeover;
    this.#state = ident(target.table);
    this.#lock = ident(lockTableName(target.table));
    // One connection is plenty for a state document, and keeps the server's connection count flat.
    this.#pool = mysql.createPool({
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      database: target.database,
      connectionLimit: 1,
      maxIdle: 1,
      charset: 'utf8mb4',
      supportBigNumbers: true,
      dateStrings: true,
      timezone: 'Z',
      connectTimeout: 10_000,
    });
  }

  static fromUrl(url: string, where: string, overrides: TargetOverrides = {}, opts: MysqlStoreOptions = {}): MysqlStateStore {
    return new MysqlStateStore(parseMysqlStateUrl(url, where, overrides), opts);
  }

  get target(): Readonly<Omit<MysqlStateTarget, 'password'>> {
    const { password: _password, ...rest } = this.#target;
    return rest;
  }

  read(): Promise<State> {
    return this.#guard(async () => {
      const [rows] = await this.#pool.query<RowDataPacket[]>(
        `SELECT serial, lineage, body FROM ${this.#state} WHERE name = ?`,
        [this.#target.name],
      );
      const row = rows[0];
      if (!row) {
        this.#freshLineage ??= randomUUID();
        return emptyState(this.#freshLineage);
      }
      const state = decodeState(String(row.body), { location: this.location });
      if (state.serial !== Number(row.serial) || state.lineage !== row.lineage) {
        throw new MigError(
          'state-corrupt',
          `the state ${this.location} is inconsistent: its row says serial ${String(row.serial)}, lineage ${String(row.lineage)}, its body serial ${state.serial}, lineage ${state.lineage}`,
          'the row was edited by hand; restore it from a backup, or make the columns match the body',
        );
      }
      return state;
    });
  }

  write(state: State): Promise<State> {
    const expected: ExpectedState = state.serial === 0 ? { absent: true } : { serial: state.serial, lineage: state.lineage };
    return this.replace({ ...state, serial: state.serial + 1 }, expected);
  }

  /**
   * Stores `next` as it is (its serial included) if the row is still as `expected`: the primitive
   * under write(), and what `mig state migrate` uses to carry a serial over from another store.
   */
  replace(next: State, expected: ExpectedState): Promise<State> {
    return this.#guard(async () => {
      const text = encodeState(next);
      if (next.lineage.length > 36) {
        throw new MigError('state-invalid', `the lineage ${next.lineage} is longer than the 36 characters the state table holds`);
      }
      await this.#tx(async (conn) => {
        if (this.#held) await this.#fence(conn, this.#held);
        const values = [next.serial, next.lineage, CURRENT_STATE_VERSION, text];
        if (expected.absent) {
          const inserted = await conn
            .query(`INSERT INTO ${this.#state} (name, serial, lineage, version, body, updated_at) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6))`, [this.#target.name, ...values])
            .then(() => true, (err: unknown) => {
              if ((err as { code?: string }).code === 'ER_DUP_ENTRY') return false;
              throw err;
            });
          if (!inserted) throw await this.#conflict(conn, expected);
          return;
        }
        const [res] = await conn.query<ResultSetHeader>(
          `UPDATE ${this.#state} SET serial = ?, lineage = ?, version = ?, body = ?, updated_at = UTC_TIMESTAMP(6)
           WHERE name = ? AND serial = ? AND lineage = ?`,
          [...values, this.#target.name, expected.serial, expected.lineage],
        );
        if (res.affectedRows !== 1) throw await this.#conflict(conn, expected);
      });
      this.#freshLineage = undefined;
      return decodeState(text, { location: this.location });
    });
  }

  lock(operation: string): Promise<MysqlLockInfo> {
    return this.#guard(async () => {
      const id = randomUUID();
      const { stale, time } = await this.#tx(async (conn) => {
        const row = await this.#lockRow(conn);
        if (row.lock_id !== null && Number(row.live) === 1) throw this.#lockedError(row);
        await conn.query(
          `UPDATE ${this.#lock} SET lock_id = ?, pid = ?, host = ?, time = UTC_TIMESTAMP(6), operation = ?,
             lease_until = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND WHERE name = ?`,
          [id, process.pid, hostname().slice(0, 255), operation.slice(0, 255), this.#leaseMs * 1000, this.#target.name],
        );
        const [rows] = await conn.query<RowDataPacket[]>(`SELECT DATE_FORMAT(time, ${ISO}) AS time FROM ${this.#lock} WHERE name = ?`, [this.#target.name]);
        return { stale: row.lock_id === null ? undefined : holderOf(row), time: isoMillis(String(rows[0]?.time)) };
      });
      this.#startRenewal(id);
      const info: MysqlLockInfo = { id, pid: process.pid, host: hostname(), time, operation };
      if (stale) {
        info.takenOver = stale;
        this.#onTakeover?.(stale);
      }
      return info;
    });
  }

  unlock(id: string): Promise<void> {
    if (this.#held?.id === id) this.#stopRenewal();
    // Not ours any more (taken over or force-unlocked) or already gone: nothing to do.
    return this.#guard(async () => {
      await this.#pool.query(`UPDATE ${this.#lock} SET ${CLEARED} WHERE name = ? AND lock_id = ?`, [this.#target.name, id]);
    });
  }

  forceUnlock(id: string): Promise<void> {
    return this.#guard(async () => {
      await this.#tx(async (conn) => {
        const row = await this.#lockRow(conn);
        if (row.lock_id === null) throw new MigError('not-locked', `the state ${this.location} is not locked`);
        if (row.lock_id !== id) {
          const held = holderOf(row);
          throw new MigError(
            'lock-mismatch',
            `the lock on ${this.location} has id ${held.id}, not ${id}`,
            `make sure ${held.operation} (pid ${held.pid} on ${held.host}) is gone, then run: mig state unlock --force ${held.id}`,
          );
        }
        await conn.query(`UPDATE ${this.#lock} SET ${CLEARED} WHERE name = ?`, [this.#target.name]);
      });
      if (this.#held?.id === id) this.#stopRenewal();
    });
  }

  /** The lock while its lease is live; a lapsed lease is no lock: the next lock() takes it over. */
  currentLock(): Promise<LockInfo | undefined> {
    return this.#guard(async () => {
      const [rows] = await this.#pool.query<RowDataPacket[]>(`SELECT ${HOLDER_COLUMNS} FROM ${this.#lock} WHERE name = ?`, [this.#target.name]);
      const row = rows[0] as LockRow | undefined;
      return row && row.lock_id !== null && Number(row.live) === 1 ? holderOf(row) : undefined;
    });
  }

  /** Stops renewing (a lock still held then lapses after its lease) and closes the connection. */
  async close(): Promise<void> {
    this.#stopRenewal();
    await this.#pool.end().catch(() => undefined);
  }

  /** Refuses a write from a holder whose lease lapsed and was taken over; renews it otherwise. */
  async #fence(conn: PoolConnection, held: { id: string; lost: boolean }): Promise<void> {
    const [res] = held.lost
      ? [{ affectedRows: 0 }]
      : await conn.query<ResultSetHeader>(
          `UPDATE ${this.#lock} SET lease_until = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND WHERE name = ? AND lock_id = ?`,
          [this.#leaseMs * 1000, this.#target.name, held.id],
        );
    if (res.affectedRows === 1) return;
    held.lost = true;
    this.#stopRenewal();
    throw new MigError(
      'lock-lost',
      `the lock ${held.id} on ${this.location} is no longer held: its lease lapsed and another mig took it over`,
      'nothing was written; make sure only one mig runs against this state, then run the command again',
    );
  }

  async #conflict(conn: PoolConnection, expected: ExpectedState): Promise<MigError> {
    const [rows] = await conn.query<RowDataPacket[]>(`SELECT serial, lineage FROM ${this.#state} WHERE name = ?`, [this.#target.name]);
    const row = rows[0];
    const retry = 'another mig wrote it meanwhile; run the command again';
    if (!row) return new MigError('state-conflict', `the state ${this.location} was deleted since it was read`, retry);
    const serial = Number(row.serial);
    if (!expected.absent && row.lineage !== expected.lineage) {
      return new MigError('state-conflict', `the state ${this.location} has lineage ${String(row.lineage)}, not ${expected.lineage}: it was replaced since it was read`, 'run the command again against the current state');
    }
    return new MigError('state-conflict', `the state ${this.location} changed since it was read (serial ${serial} in the database, ${expected.absent ? 0 : expected.serial} in hand)`, retry);
  }

  async #lockRow(conn: PoolConnection): Promise<LockRow> {
    const select = `SELECT ${HOLDER_COLUMNS} FROM ${this.#lock} WHERE name = ? FOR UPDATE`;
    let [rows] = await conn.query<RowDataPacket[]>(select, [this.#target.name]);
    if (!rows[0]) {
      // Someone deleted the row by hand; put it back rather than fail.
      await conn.query(`INSERT IGNORE INTO ${this.#lock} (name) VALUES (?)`, [this.#target.name]);
      [rows] = await conn.query<RowDataPacket[]>(select, [this.#target.name]);
    }
    return rows[0] as LockRow;
  }

  #lockedError(row: LockRow): LockedError {
    const holder = holderOf(row);
    const err = new LockedError(holder, this.location);
    err.message += `; its lease runs until ${isoMillis(String(row.lease_until))} and is renewed while it runs, so once that process is gone the next run takes the lock over`;
    // A pid only means something on the host that issued it.
    if (holder.host === hostname() && !pidAlive(holder.pid)) err.message += ' (the holder process is no longer running)';
    return err;
  }

  #startRenewal(id: string): void {
    this.#stopRenewal();
    this.#held = { id, lost: false };
    let busy = false;
    // unref: a renewal must never keep the process alive; a process that exits without unlocking
    // simply stops renewing and its lease lapses.
    this.#renewTimer = setInterval(() => {
      if (busy) return;
      busy = true;
      this.#renew(id).finally(() => (busy = false));
    }, this.#renewMs);
    this.#renewTimer.unref();
  }

  async #renew(id: string): Promise<void> {
    try {
      const [res] = await this.#pool.query<ResultSetHeader>(
        `UPDATE ${this.#lock} SET lease_until = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND WHERE name = ? AND lock_id = ?`,
        [this.#leaseMs * 1000, this.#target.name, id],
      );
      if (res.affectedRows === 0 && this.#held?.id === id) {
        this.#held.lost = true;
        this.#stopTimer();
      }
    } catch {
      // Retried at the next tick; if the database stays away the lease lapses, which is the point.
    }
  }

  #stopRenewal(): void {
    this.#stopTimer();
    this.#held = undefined;
  }

  #stopTimer(): void {
    if (this.#renewTimer) clearInterval(this.#renewTimer);
    this.#renewTimer = undefined;
  }

  async #tx<T>(fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
    const conn = await this.#pool.getConnection();
    try {
      await conn.beginTransaction();
      const out = await fn(conn);
      await conn.commit();
      return out;
    } catch (err) {
      await conn.rollback().catch(() => undefined);
      throw err;
    } finally {
      conn.release();
    }
  }

  /** Creates the tables on first use and turns driver errors into messages without the password. */
  async #guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      this.#ready ??= ensureStateTables(this.#pool, this.#target).catch((err: unknown) => {
        this.#ready = undefined;
        throw err;
      });
      await this.#ready;
      return await fn();
    } catch (err) {
      throw stateDbError(err, this.#target);
    }
  }
}

const CLEARED = 'lock_id = NULL, pid = NULL, host = NULL, time = NULL, operation = NULL, lease_until = NULL';

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
function isoMillis(text: string): string {
  return text.replace(/\.(\d{3})\d*Z$/, '.$1Z');
}
