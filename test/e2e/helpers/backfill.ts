// What the backfill e2e tests share: the state a runner records for a migration (file backend), read
// with the fields the backfill contract names, and a writer that moves primary keys while a table is
// copied (the paced write load never changes a key, and a key move is the case the watermark window
// must handle on both keys).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { sleep, type Json } from './runner.js';

// Everything optional: a field the product stops writing fails an assertion, not a cast.
export interface TableSt {
  phase?: string;
  rowsCopied?: number;
  fullDoneAt?: string;
  targetOrigin?: string;
  backfill?: { generation?: number; startedAt?: string; doneAt?: string; chunks?: number; superseded?: number };
}
export interface MigSt {
  generation?: number;
  observedGeneration?: number;
  runner?: { status?: string; pid?: number; lastError?: Json };
  tables: Record<string, TableSt>;
}

export function readMigState(cwd: string, name: string): MigSt {
  const s = JSON.parse(readFileSync(path.join(cwd, '.mig', 'state.json'), 'utf8')) as { migrations: Record<string, MigSt> };
  const m = s.migrations[name];
  if (!m) throw new Error(`no migration ${name} in the state`);
  return m;
}

export interface KeyMover {
  /** Key moves that changed a row. */
  readonly moved: number;
  stop(): Promise<void>;
}

/**
 * Moves rows of `table` (a load table, ids 1..`upTo` filled) to id + `offset`, `perSecond` statements
 * a second on its own connection. A row the load already deleted or that moved before changes nothing;
 * a moved id never meets a load insert, whose ids stay far below `offset`.
 */
export function startKeyMover(conn: Connection, table: string, upTo: number, perSecond: number, offset = 1_000_000): KeyMover {
  let stopping = false;
  let moved = 0;
  const run = (async () => {
    for (let i = 0; !stopping; i++) {
      const id = 1 + ((i * 7919) % upTo);
      const [res] = await conn.query(`UPDATE ${table} SET id = id + ?, note = 'moved' WHERE id = ?`, [offset, id]);
      moved += (res as { affectedRows: number }).affectedRows;
      await sleep(1000 / perSecond);
    }
  })();
  run.catch(() => undefined);
  return {
    get moved() {
      return moved;
    },
    stop: async () => {
      stopping = true;
      await run;
    },
  };
}

/** Root connections a test opens for its writers, ended together when the file is done. */
export class WriterConnections {
  private readonly open: Connection[] = [];
  constructor(private readonly connect: () => Promise<Connection>) {}
  async next(): Promise<Connection> {
    const c = await this.connect();
    this.open.push(c);
    return c;
  }
  async endAll(): Promise<void> {
    for (const c of this.open.splice(0)) await c.end().catch(() => undefined);
  }
}

/** Stops writers whatever state they are in: for cleanup after a failed assertion, where a writer's own error must not hide it. */
export async function stopQuietly(writers: { stop(): Promise<void> }[]): Promise<void> {
  await Promise.all(writers.map((w) => w.stop().catch(() => undefined)));
}
