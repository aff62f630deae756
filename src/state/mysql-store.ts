// A state store in a MySQL/MariaDB table, for teams and CI runners that share one state.
// Writes are a compare-and-set on the serial in one transaction; the lock is a renewed lease
// (mysql-lock.ts), so a holder that crashed stops blocking everyone once its lease lapses.
// Runner leases are rows of their own in the lock table (mysql-leases.ts).
import { randomUUID } from 'node:crypto';
import mysql, { type Pool, type PoolConnection, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import { MigError } from '../util/errors.js';
import { emptyState, type LockInfo, type State } from './model.js';
import { MysqlRunnerLeases } from './mysql-leases.js';
import { DEFAULT_LEASE_MS, MysqlLease, type MysqlLockInfo } from './mysql-lock.js';
import { ensureStateTables, ident, inTransaction, lockTableName, stateDbError } from './mysql-schema.js';
import { describeTarget, parseMysqlStateUrl, type MysqlStateTarget, type TargetOverrides } from './mysql-url.js';
import { CURRENT_STATE_VERSION, decodeState, encodeState } from './statefile.js';
import type { LeaseFence, LeaseOutcome, RunnerLease, StateStore, WriteOptions } from './store.js';

export { DEFAULT_LEASE_MS, type MysqlLockInfo } from './mysql-lock.js';

export interface MysqlStoreOptions {
  /** How long a lock stays valid without renewal; 60 s by default. */
  leaseMs?: number;
  /** How often a held lock is renewed; a third of the lease by default, so two renewals may fail in a row. */
  renewMs?: number;
  /** Called when lock() took over a lock whose lease had lapsed (its holder crashed or hung). */
  onTakeover?: (stale: LockInfo) => void;
}

/** What the store expects to find before a write: no row at all, or exactly this serial and lineage. */
export type ExpectedState = { absent: true } | { absent?: false; serial: number; lineage: string };

export class MysqlStateStore implements StateStore {
  readonly location: string;
  readonly #target: MysqlStateTarget;
  readonly #pool: Pool;
  readonly #lease: MysqlLease;
  readonly #runners: MysqlRunnerLeases;
  readonly #table: string;
  #ready?: Promise<void>;
  /** Lineage handed out while no row exists, so repeated reads through this store agree. */
  #freshLineage?: string;

  constructor(target: MysqlStateTarget, opts: MysqlStoreOptions = {}) {
    this.#target = target;
    this.location = describeTarget(target);
    this.#table = ident(target.table);
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
    const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
    this.#lease = new MysqlLease(this.#pool, {
      table: ident(lockTableName(target.table)),
      name: target.name,
      location: this.location,
      leaseMs,
      renewMs: opts.renewMs ?? Math.max(100, Math.floor(leaseMs / 3)),
      onTakeover: opts.onTakeover,
    });
    this.#runners = new MysqlRunnerLeases(this.#pool, { table: ident(lockTableName(target.table)), state: target.name, location: this.location });
  }

  /** `where` names where the URL came from (a flag, a setting), for messages that cannot show the URL. */
  static fromUrl(url: string, where: string, overrides: TargetOverrides = {}, opts: MysqlStoreOptions = {}): MysqlStateStore {
    return new MysqlStateStore(parseMysqlStateUrl(url, where, overrides), opts);
  }

  read(): Promise<State> {
    return this.#guard(async () => {
      const [rows] = await this.#pool.query<RowDataPacket[]>(`SELECT serial, lineage, body FROM ${this.#table} WHERE name = ?`, [this.#target.name]);
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

  write(state: State, opts: WriteOptions = {}): Promise<State> {
    const expected: ExpectedState = state.serial === 0 ? { absent: true } : { serial: state.serial, lineage: state.lineage };
    return this.replace({ ...state, serial: state.serial + 1 }, expected, opts.fence);
  }

  /**
   * Stores `next` as it is (its serial included) if the row is still as `expected`: the primitive
   * under write(), and what `mig state migrate` uses to carry a serial over from another store.
   */
  replace(next: State, expected: ExpectedState, fence: LeaseFence[] = []): Promise<State> {
    return this.#guard(async () => {
      const text = encodeState(next);
      if (next.lineage.length > 36) {
        throw new MigError('state-invalid', `the lineage ${next.lineage} is longer than the 36 characters the state table holds`);
      }
      await inTransaction(this.#pool, async (conn) => {
        await this.#lease.fence(conn);
        await this.#runners.fence(conn, fence);
        const values = [next.serial, next.lineage, CURRENT_STATE_VERSION, text];
        if (expected.absent) {
          const inserted = await conn
            .query(`INSERT INTO ${this.#table} (name, serial, lineage, version, body, updated_at) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6))`, [this.#target.name, ...values])
            .then(
              () => true,
              (err: unknown) => {
                if ((err as { code?: string }).code === 'ER_DUP_ENTRY') return false;
                throw err;
              },
            );
          if (!inserted) throw await this.#conflict(conn, expected);
          return;
        }
        const [res] = await conn.query<ResultSetHeader>(
          `UPDATE ${this.#table} SET serial = ?, lineage = ?, version = ?, body = ?, updated_at = UTC_TIMESTAMP(6)
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
    return this.#guard(() => this.#lease.acquire(operation));
  }

  unlock(id: string): Promise<void> {
    return this.#guard(() => this.#lease.release(id));
  }

  forceUnlock(id: string): Promise<void> {
    return this.#guard(() => this.#lease.forceRelease(id));
  }

  currentLock(): Promise<LockInfo | undefined> {
    return this.#guard(() => this.#lease.current());
  }

  acquireLease(migration: string, leaseMs: number): Promise<LeaseOutcome> {
    return this.#guard(() => this.#runners.acquire(migration, leaseMs));
  }

  renewLease(migration: string, id: string, leaseMs: number): Promise<boolean> {
    return this.#guard(() => this.#runners.renew(migration, id, leaseMs));
  }

  releaseLease(migration: string, id: string): Promise<void> {
    return this.#guard(() => this.#runners.release(migration, id));
  }

  leases(): Promise<Record<string, RunnerLease>> {
    return this.#guard(() => this.#runners.live());
  }

  /** Stops renewing (a lock still held then lapses with its lease) and closes the connection. */
  async close(): Promise<void> {
    this.#lease.stop();
    await this.#pool.end().catch(() => undefined);
  }

  async #conflict(conn: PoolConnection, expected: ExpectedState): Promise<MigError> {
    const [rows] = await conn.query<RowDataPacket[]>(`SELECT serial, lineage FROM ${this.#table} WHERE name = ?`, [this.#target.name]);
    const row = rows[0];
    const retry = 'another mig wrote it meanwhile; run the command again';
    if (!row) return new MigError('state-conflict', `the state ${this.location} was deleted since it was read`, retry);
    if (!expected.absent && row.lineage !== expected.lineage) {
      return new MigError(
        'state-conflict',
        `the state ${this.location} has lineage ${String(row.lineage)}, not ${expected.lineage}: it was replaced since it was read`,
        'run the command again against the current state',
      );
    }
    const inHand = expected.absent ? 0 : expected.serial;
    return new MigError('state-conflict', `the state ${this.location} changed since it was read (serial ${Number(row.serial)} in the database, ${inHand} in hand)`, retry);
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
