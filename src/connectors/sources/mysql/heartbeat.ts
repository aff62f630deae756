// The heartbeat table (DTS's heartbeat table): a row per migration on the source, upserted every
// intervalSeconds with the source's own time in ms. Each write is a committed transaction of its
// own, so the binary log carries a fresh commit every interval even when nothing else changes; the
// stream takes it as a checkpoint with that time (engine/heartbeat-filter.ts) and never forwards it.
// Also here: the source clock's offset from this one, so lag compares source times with source times.
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { ChangeEvent, TableInfo } from '../../../model/source-data.js';
import { MigError } from '../../../util/errors.js';
import { connectSource, type SourceEndpoint } from './connect.js';
import { describeTable } from './inspect.js';

export interface HeartbeatTable {
  database: string;
  table: string;
}

function qualified(t: HeartbeatTable): string {
  return `\`${t.database.replace(/`/g, '``')}\`.\`${t.table.replace(/`/g, '``')}\``;
}

/** Creates the table when missing and returns its shape, for the binlog reader to decode its rows. */
export async function ensureHeartbeatTable(conn: Connection, t: HeartbeatTable): Promise<TableInfo> {
  // Asked first: CREATE TABLE IF NOT EXISTS is written to the binary log even when the table exists.
  let shape = await describeTable(conn, t.database, t.table);
  if (shape) return shape;
  // A database of its own (spec.heartbeat.database outside spec.objects) is created too; one the
  // migration reads exists already, so no CREATE DATABASE of a migrated database reaches the log.
  const [dbs] = await conn.query<RowDataPacket[]>('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [t.database]);
  if (dbs.length === 0) await conn.query(`CREATE DATABASE IF NOT EXISTS \`${t.database.replace(/`/g, '``')}\``);
  await conn.query(`CREATE TABLE IF NOT EXISTS ${qualified(t)} (
    migration VARCHAR(191) NOT NULL PRIMARY KEY,
    beat_ms BIGINT NOT NULL COMMENT 'source time of the write, ms since the epoch',
    beat_at DATETIME(3) NOT NULL COMMENT 'the same time, UTC, for people'
  ) ENGINE=InnoDB COMMENT='written by mig every heartbeat interval; never migrated'`);
  shape = await describeTable(conn, t.database, t.table);
  if (!shape) throw new Error(`${t.database}.${t.table} is not readable after creating it`);
  return shape;
}

/** One heartbeat: the source's time now, in its own autocommitted transaction. */
export async function writeHeartbeat(conn: Connection, t: HeartbeatTable, migration: string): Promise<void> {
  // The session is UTC (connectSource), so NOW(3) converts to the epoch without a zone's DST gap.
  await conn.query(
    `INSERT INTO ${qualified(t)} (migration, beat_ms, beat_at) VALUES (?, ROUND(UNIX_TIMESTAMP(NOW(3)) * 1000), NOW(3))
     ON DUPLICATE KEY UPDATE beat_ms = VALUES(beat_ms), beat_at = VALUES(beat_at)`,
    [migration],
  );
}

/** The source time (ms) a binlog change of the heartbeat table carries; undefined for a change that is not a heartbeat row. */
export function heartbeatMs(ev: ChangeEvent, t: HeartbeatTable): number | undefined {
  if (ev.kind !== 'row' || ev.database !== t.database || ev.table !== t.table || !ev.after) return undefined;
  const v = ev.after.beat_ms;
  const ms = typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/**
 * The source's clock minus this one (ms), read once: the source's time is taken as of the middle of
 * the round trip, so the error is at most half of it.
 */
export async function measureSourceClock(conn: Connection): Promise<{ offsetMs: number; roundTripMs: number }> {
  const before = Date.now();
  const [rows] = await conn.query<RowDataPacket[]>('SELECT ROUND(UNIX_TIMESTAMP(NOW(3)) * 1000) AS ms');
  const after = Date.now();
  const source = Number(rows[0]?.ms);
  if (!Number.isFinite(source)) throw new Error('the source did not return its time');
  return { offsetMs: Math.round(source - (before + after) / 2), roundTripMs: after - before };
}

export interface HeartbeatWriterOptions {
  endpoint: SourceEndpoint;
  table: HeartbeatTable;
  migration: string;
  intervalMs: number;
  /** The table's shape once it exists (the reader decodes its rows with it). */
  onTable: (shape: TableInfo) => void;
  /** A write failed after writes worked, or the first one did: once per run of failures. */
  onProblem: (e: MigError) => void;
  /** Writes work again after a reported problem. */
  onRecovered?: () => void;
}

/**
 * Writes the heartbeat on its own connection until stopped. A failed write never stops the stream:
 * it is reported once, the connection is dropped, and the next tick connects and tries again (a lost
 * source is the stream's own failure and retry, which stops this writer with it).
 */
export class HeartbeatWriter {
  #conn: Connection | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #tableReady = false;
  #failing = false;
  #running: Promise<void> = Promise.resolve();

  constructor(private readonly o: HeartbeatWriterOptions) {}

  /** Creates the table and writes the first heartbeat before resolving, so the reader knows its shape from the start. */
  async start(): Promise<void> {
    await this.#tick();
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running.catch(() => undefined);
    const conn = this.#conn;
    this.#conn = undefined;
    await conn?.end().catch(() => undefined);
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.#tick().finally(() => this.#schedule());
    }, this.o.intervalMs);
    // The stream keeps the process alive, not its heartbeat.
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    try {
      this.#conn ??= await connectSource(this.o.endpoint);
      if (this.#stopped) return;
      if (!this.#tableReady) {
        this.o.onTable(await ensureHeartbeatTable(this.#conn, this.o.table));
        this.#tableReady = true;
      }
      await writeHeartbeat(this.#conn, this.o.table, this.o.migration);
      if (this.#failing) {
        this.#failing = false;
        this.o.onRecovered?.();
      }
    } catch (e) {
      const conn = this.#conn;
      this.#conn = undefined;
      await conn?.end().catch(() => undefined);
      if (this.#stopped || this.#failing) return;
      this.#failing = true;
      this.o.onProblem(heartbeatError(e, this.o.table, this.o.endpoint.spec.user));
    }
  }
}

function heartbeatError(e: unknown, t: HeartbeatTable, user: string): MigError {
  const err = e as { code?: string; message?: string };
  const text = `${err.code ?? ''} ${err.message ?? String(e)}`;
  const denied = /ACCESS_DENIED|command denied|DBACCESS/i.test(text);
  const readOnly = /READ.ONLY|super-read-only/i.test(text);
  const id = `${t.database}.${t.table}`;
  const fix = denied
    ? `GRANT CREATE, INSERT, UPDATE ON \`${t.database}\`.* TO '${user}'; or turn the heartbeat off (spec.heartbeat.enabled: false), and lag is measured from the last change`
    : readOnly
      ? 'point spec.source at a server that accepts writes (a read-only replica cannot take heartbeats), or turn the heartbeat off (spec.heartbeat.enabled: false)'
      : `check that the source accepts writes to ${id}; mig tries again every interval`;
  return new MigError('heartbeat-write', `cannot write the heartbeat to ${id} on the source: ${err.message ?? String(e)}; lag is measured from the last change until it works again`, fix, { cause: e });
}
