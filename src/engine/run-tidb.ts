// One migration from TiDB into MySQL: schema and full data over TiDB's MySQL protocol, then the
// transactions TiDB-Binlog (or a canal-json producer) wrote to Kafka, each applied once: the rows
// and the feed's checkpoint commit together at the destination.
import type { Connection } from 'mysql2/promise';
import type { Migration, TidbSource } from '../spec/schema.js';
import type { DesiredTable } from '../model/targets.js';
import { connectSource, sourceError } from '../connectors/sources/mysql/connect.js';
import { describeTable } from '../connectors/sources/mysql/inspect.js';
import { snapshotCommitTs } from '../connectors/sources/tidb/index.js';
import type { TableInfo } from '../model/source-data.js';
import { MigError } from '../util/errors.js';
import type { Checkpointer } from './checkpointer.js';
import type { RunContext } from './context.js';
import { isTransactional } from '../connectors/contract.js';
import type { ApplyOptions } from './context.js';
import { runFeed } from './feed.js';
import { enterIncremental, runFullLoad, tablesNeedingFull } from './full-load.js';
import { openRunSink, plannedRun } from './open-run.js';

export async function runTidbMigration(m: Migration, source: TidbSource, cp: Checkpointer, opts: ApplyOptions): Promise<boolean> {
  const name = m.metadata.name;
  try {
    const run = await plannedRun(m, cp, opts);
    const { mstate, types, endpoint, live, desired } = run;
    const { sink, hook } = await openRunSink(run, cp, opts, { flavor: 'mysql', version: '' });
    try {
      // Validation pairs a TiDB source with MySQL only; its feed is applied with the destination's checkpoint.
      if (!isTransactional(sink)) throw new MigError('unsupported-pairing', `${name}: a tidb source needs a destination that records its position with the rows`, 'set destination.type: mysql');
      const tables = new Map<string, DesiredTable>(desired.tables.map((t) => [t.id, t]));
      const ctx: RunContext<unknown> = {
        migration: m, mstate, endpoint, flavor: 'mysql', sink,
        shapes: live.tables, desired: tables, checkpointer: cp, hook, signal: opts.signal,
        openSnapshot: (conn) => openTidbSnapshot(ctx, conn),
      };
      if (types.has('full')) await runFullLoad(ctx);
      if (opts.signal.aborted || !types.has('incremental')) return false;
      if (!mstate.feed) await startFeedNow(ctx);
      await enterIncremental(ctx);
      const feed = source.binlogKafka!;
      if (!opts.untilCaughtUp && !opts.follow) {
        opts.hook({ type: 'handoff', migration: name, at: `${feed.topic}, transactions after commit ts ${mstate.feed!.startTs}` });
        return true;
      }
      const meta = await connectSource(endpoint);
      try {
        await runFeed(ctx, {
          feed, applier: sink, untilCaughtUp: opts.untilCaughtUp && !opts.follow, specDir: opts.specDir,
          refreshShape: (db, table) => describeTable(meta, db, table).then((t): TableInfo | undefined => t ?? undefined),
        });
      } finally {
        await meta.end().catch(() => undefined);
      }
      return false;
    } finally {
      await sink.close();
    }
  } finally {
    opts.hook({ type: 'migration-done', migration: name });
  }
}

/**
 * The snapshot's commit ts is what incremental starts after: every transaction committed at or
 * before it is in the snapshot. The first snapshot's ts is kept on resume, as for the binlog.
 */
async function openTidbSnapshot(ctx: RunContext<unknown>, conn: Connection): Promise<void> {
  try {
    await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
  } catch (e) {
    throw sourceError(ctx.endpoint, e);
  }
  const ts = await snapshotCommitTs(conn);
  const reused = ctx.mstate.feed !== undefined;
  if (!ctx.mstate.feed) {
    ctx.mstate.feed = { startTs: ts.toString(), takenAt: new Date().toISOString(), positions: {} };
  } else {
    // A table whose copy starts now (added to a migration whose feed runs) is read as of `ts`: the
    // feed must not apply its transactions up to `ts` again over the copy, which would take its rows
    // back in time. A table whose copy began under an earlier snapshot keeps that one's ts.
    for (const t of tablesNeedingFull(ctx)) if (t.fullStartedAt === undefined && t.rowsCopied === 0) t.snapshotTs ??= ts.toString();
  }
  await ctx.checkpointer.save();
  ctx.hook({ type: 'snapshot-opened', migration: ctx.migration.metadata.name, at: `commit ts ${ts}`, reused });
}

/** Without a full load, incremental starts at the source's current commit ts. */
async function startFeedNow(ctx: RunContext<unknown>): Promise<void> {
  const conn = await connectSource(ctx.endpoint);
  try {
    const ts = await snapshotCommitTs(conn);
    ctx.mstate.feed = { startTs: ts.toString(), takenAt: new Date().toISOString(), positions: {} };
    await ctx.checkpointer.save();
  } finally {
    await conn.end().catch(() => undefined);
  }
}
