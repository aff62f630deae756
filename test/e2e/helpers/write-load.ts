// A steady write load on source tables, run from the test process while mig streams: inserts,
// updates and deletes at a fixed rate, one autocommit statement each, so every statement is its own
// binlog transaction. The load is the only writer of its tables, so it knows every value each row
// reached and when; tests compare that record with what arrived at the destination.
import type { Connection } from 'mysql2/promise';

/**
 * Every table the load writes has this shape: `grp` never changes after the insert (a row filter
 * on it selects the same rows over the row's whole life), `n` counts the row's updates.
 */
export const LOAD_TABLE_COLUMNS = 'id INT PRIMARY KEY, grp INT NOT NULL, n INT NOT NULL, note VARCHAR(64) NOT NULL';

export type LoadOpKind = 'insert' | 'update' | 'delete';

export interface LoadOp {
  /** `database.table` */
  table: string;
  op: LoadOpKind;
  id: number;
  /** The row's counter after the statement (for a delete, its last value). */
  n: number;
  /** Date.now() when the statement returned, i.e. after its commit. */
  at: number;
}

export interface LoadTable {
  /** `database.table` */
  table: string;
  /** Ids present when the load starts, each with its counter. */
  rows: Map<number, number>;
  /** First id the load inserts; above every existing one. */
  nextId: number;
}

export interface LoadOptions {
  tables: LoadTable[];
  /** Statements per second over all tables. */
  perSecond: number;
  /** Shares of inserts and deletes; the rest are updates. */
  insertShare: number;
  deleteShare: number;
  /** Seed of the load's choices, so a failing run can be replayed with the same statements. */
  seed?: number;
}

export interface WriteLoad {
  /** Every statement that committed, in commit order (the load is sequential). */
  readonly ops: LoadOp[];
  /** Stops after the statement in flight and resolves once it returned; rejects with the load's error. */
  stop(): Promise<void>;
  /** Live ids and counters per table as the load left them. */
  readonly tables: LoadTable[];
}

/** Small deterministic PRNG (mulberry32): the load's choices depend only on the seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The row the load inserts for an id: `grp` is derived from the id, so a test knows it without a read. */
export function loadGroup(id: number): number {
  return id % 10;
}

export function startWriteLoad(conn: Connection, opts: LoadOptions): WriteLoad {
  const rand = prng(opts.seed ?? 20261204);
  const ops: LoadOp[] = [];
  // Live ids as an array next to the map, so a random pick is O(1) and a delete a swap-remove.
  const live = opts.tables.map((t) => [...t.rows.keys()]);
  let stopping = false;
  const run = (async () => {
    const start = Date.now();
    for (let i = 0; !stopping; i++) {
      // Paced against the start time rather than per statement, so a slow statement is made up for.
      const due = start + (i * 1000) / opts.perSecond;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      const ti = i % opts.tables.length;
      const t = opts.tables[ti]!;
      const ids = live[ti]!;
      const r = rand();
      let kind: LoadOpKind = r < opts.insertShare ? 'insert' : r < opts.insertShare + opts.deleteShare ? 'delete' : 'update';
      if (ids.length === 0) kind = 'insert';
      if (kind === 'insert') {
        const id = t.nextId++;
        await conn.query(`INSERT INTO ${t.table} (id, grp, n, note) VALUES (?, ?, 0, ?)`, [id, loadGroup(id), `ins ${i}`]);
        t.rows.set(id, 0);
        ids.push(id);
        ops.push({ table: t.table, op: 'insert', id, n: 0, at: Date.now() });
      } else {
        const pick = Math.floor(rand() * ids.length);
        const id = ids[pick]!;
        const n = t.rows.get(id)!;
        if (kind === 'delete') {
          await conn.query(`DELETE FROM ${t.table} WHERE id = ?`, [id]);
          t.rows.delete(id);
          ids[pick] = ids[ids.length - 1]!;
          ids.pop();
          ops.push({ table: t.table, op: 'delete', id, n, at: Date.now() });
        } else {
          await conn.query(`UPDATE ${t.table} SET n = n + 1, note = ? WHERE id = ?`, [`upd ${i}`, id]);
          t.rows.set(id, n + 1);
          ops.push({ table: t.table, op: 'update', id, n: n + 1, at: Date.now() });
        }
      }
    }
  })();
  // Keep an early failure from being an unhandled rejection; stop() reports it.
  run.catch(() => undefined);
  return {
    ops,
    tables: opts.tables,
    stop: async () => {
      stopping = true;
      await run;
    },
  };
}

/** Fills a load table with ids 1..count (counter 0) in batches, and returns them for the load. */
export async function fillLoadTable(conn: Connection, table: string, count: number): Promise<LoadTable> {
  const rows = new Map<number, number>();
  for (let start = 1; start <= count; start += 5000) {
    const batch: [number, number, number, string][] = [];
    for (let id = start; id < Math.min(start + 5000, count + 1); id++) {
      batch.push([id, loadGroup(id), 0, `row ${id}`]);
      rows.set(id, 0);
    }
    await conn.query(`INSERT INTO ${table} (id, grp, n, note) VALUES ?`, [batch]);
  }
  return { table, rows, nextId: count + 1 };
}

export interface UpdateBurst {
  /** Each statement that changed rows: when it returned and how many rows it changed. */
  readonly statements: { at: number; rows: number }[];
  stop(): Promise<void>;
}

/**
 * Updates rows spread over the whole key range of one table, `perSecond` statements a second on its
 * own connection next to the paced load: each statement changes one row in every `spacing` ids, so
 * whichever chunk of the table a backfill is reading, the statement touches a row of it. Meant for a
 * short window (a backfill): a statement that commits while a chunk is between its watermarks makes
 * the copy drop that chunk row in favour of the stream's change (backfill.superseded). Only `note`
 * changes, so the paced load's counters stay right; ids the load deleted change nothing.
 */
export function startUpdateBurst(conn: Connection, t: LoadTable, spacing: number, perSecond: number, seed = 7): UpdateBurst {
  const rand = prng(seed);
  const statements: { at: number; rows: number }[] = [];
  let stopping = false;
  const run = (async () => {
    const start = Date.now();
    for (let i = 0; !stopping; i++) {
      const wait = start + (i * 1000) / perSecond - Date.now();
      if (wait > 0) await sleep(wait);
      const ids: number[] = [];
      for (let base = 0; base < t.nextId; base += spacing) ids.push(base + 1 + Math.floor(rand() * spacing));
      const [res] = await conn.query(`UPDATE ${t.table} SET note = ? WHERE id IN (?)`, [`burst ${i}`, ids]);
      statements.push({ at: Date.now(), rows: (res as { affectedRows: number }).affectedRows });
    }
  })();
  run.catch(() => undefined);
  return {
    statements,
    stop: async () => {
      stopping = true;
      await run;
    },
  };
}
