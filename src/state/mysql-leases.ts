// Runner leases of the MySQL state backend: one row per migration in the lock table, next to the
// state's own lock row, taken and renewed on the server's clock so runners on machines whose clocks
// disagree still agree on when a lease lapsed. Rows stay once created (lock_id NULL while free), so
// taking a lease is a SELECT … FOR UPDATE of an existing row, as with the state lock.
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { ISO, isoMillis } from './mysql-lock.js';
import { inTransaction } from './mysql-schema.js';
import { LEASE_ROW_MARK, MAX_STATE_NAME } from './mysql-url.js';
import { checkLeaseArgs, leaseLostError, type LeaseFence, type LeaseOutcome, type RunnerLease } from './store.js';

const COLUMNS = `lock_id, pid, host, DATE_FORMAT(time, ${ISO}) AS since, operation AS migration,
  DATE_FORMAT(lease_until, ${ISO}) AS expires_at, lease_until > UTC_TIMESTAMP(6) AS live`;
const EXTEND = 'lease_until = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND';

export interface LeaseRowSettings {
  /** Backquoted lock table. */
  table: string;
  /** The state's name, which the rows of its leases start with. */
  state: string;
  /** The store, for messages. */
  location: string;
}

export class MysqlRunnerLeases {
  constructor(
    private readonly pool: Pool,
    private readonly s: LeaseRowSettings,
  ) {}

  async acquire(migration: string, leaseMs: number): Promise<LeaseOutcome> {
    checkLeaseArgs(migration, leaseMs);
    const name = leaseRowName(this.s.state, migration);
    // Outside the transaction: racing INSERT IGNOREs followed by FOR UPDATE in one transaction can deadlock.
    await this.pool.query(`INSERT IGNORE INTO ${this.s.table} (name) VALUES (?)`, [name]);
    const id = randomUUID();
    return inTransaction(this.pool, async (conn) => {
      const before = await this.#row(conn, name);
      if (before?.lock_id && Number(before.live) === 1) return { held: false, holder: leaseOf(before) };
      if (!before) await conn.query(`INSERT IGNORE INTO ${this.s.table} (name) VALUES (?)`, [name]);
      await conn.query(
        `UPDATE ${this.s.table} SET lock_id = ?, pid = ?, host = ?, time = UTC_TIMESTAMP(6), operation = ?, ${EXTEND} WHERE name = ?`,
        [id, process.pid, hostname().slice(0, 255), migration, leaseMs * 1000, name],
      );
      const after = await this.#row(conn, name);
      if (!after) throw new Error(`the lease row ${name} vanished inside its own transaction`);
      const lease = leaseOf(after);
      return before?.lock_id ? { held: true, lease, takenOver: leaseOf(before) } : { held: true, lease };
    });
  }

  /** A lease that lapsed but nobody took over is still ours: nobody else can have run meanwhile. */
  async renew(migration: string, id: string, leaseMs: number): Promise<boolean> {
    checkLeaseArgs(migration, leaseMs);
    const [res] = await this.pool.query<ResultSetHeader>(`UPDATE ${this.s.table} SET ${EXTEND} WHERE name = ? AND lock_id = ?`, [
      leaseMs * 1000,
      leaseRowName(this.s.state, migration),
      id,
    ]);
    return res.affectedRows === 1;
  }

  async release(migration: string, id: string): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.s.table} SET lock_id = NULL, pid = NULL, host = NULL, time = NULL, operation = NULL, lease_until = NULL
       WHERE name = ? AND lock_id = ?`,
      [leaseRowName(this.s.state, migration), id],
    );
  }

  async live(): Promise<Record<string, RunnerLease>> {
    const [plain, hashed] = leaseRowPrefixes(this.s.state).map((p) => `${p.replace(/[!%_]/g, '!$&')}%`);
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT ${COLUMNS} FROM ${this.s.table}
       WHERE (name LIKE ? ESCAPE '!' OR name LIKE ? ESCAPE '!') AND lock_id IS NOT NULL AND lease_until > UTC_TIMESTAMP(6)
       ORDER BY name`,
      [plain, hashed],
    );
    const out: Record<string, RunnerLease> = {};
    for (const row of rows as LeaseRow[]) out[String(row.migration)] = leaseOf(row);
    return out;
  }

  /**
   * Inside a write's transaction: locks each fenced lease's row, refuses the write unless it still
   * names our holding, and renews it, so the check and the write commit together or not at all.
   */
  async fence(conn: PoolConnection, fence: LeaseFence[]): Promise<void> {
    // One order for every writer, so two fenced writes never wait on each other's rows in a cycle.
    const named = fence.map((f) => ({ f, name: leaseRowName(this.s.state, f.migration) })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const { f, name } of named) {
      checkLeaseArgs(f.migration, f.leaseMs);
      const row = await this.#row(conn, name);
      if (row?.lock_id !== f.leaseId) throw leaseLostError(this.s.location, f, row?.lock_id ? leaseOf(row) : undefined);
      await conn.query(`UPDATE ${this.s.table} SET ${EXTEND} WHERE name = ?`, [f.leaseMs * 1000, name]);
    }
  }

  async #row(conn: PoolConnection, name: string): Promise<LeaseRow | undefined> {
    const [rows] = await conn.query<RowDataPacket[]>(`SELECT ${COLUMNS} FROM ${this.s.table} WHERE name = ? FOR UPDATE`, [name]);
    return rows[0] as LeaseRow | undefined;
  }
}

/**
 * `<state>#run:<migration>` while that fits the 190-character name column; a long state name is
 * replaced by its digest instead, which keeps the row unique to the state without widening the
 * column (an ALTER that users granted only SELECT/INSERT/UPDATE could not run).
 */
export function leaseRowName(state: string, migration: string): string {
  const plain = `${state}${LEASE_ROW_MARK}${migration}`;
  return [...plain].length <= MAX_STATE_NAME ? plain : `${leaseRowPrefixes(state)[1]}${migration}`;
}

/** What a state's lease rows start with: its name when it fits, its digest when not. */
function leaseRowPrefixes(state: string): [string, string] {
  const digest = createHash('sha256').update(state, 'utf8').digest('hex').slice(0, 32);
  return [`${state}${LEASE_ROW_MARK}`, `${LEASE_ROW_MARK}${digest}:`];
}

interface LeaseRow {
  lock_id: string | null;
  pid: number | null;
  host: string | null;
  since: string | null;
  migration: string | null;
  expires_at: string | null;
  live: number | string | null;
}

function leaseOf(row: LeaseRow): RunnerLease {
  return {
    id: String(row.lock_id),
    migration: row.migration ?? '',
    pid: Number(row.pid ?? 0),
    host: row.host ?? '',
    since: isoMillis(row.since ?? ''),
    expiresAt: isoMillis(row.expires_at ?? ''),
  };
}
