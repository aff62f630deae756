// One migration from a MySQL-family source: the destination opened through its sink kind (which
// runs its schema phase), the full load from a consistent snapshot, then the binlog stream. A sink
// that records positions itself (transactional, MySQL) gets whole transactions with their position
// (delivery-tx.ts); the others get changes and the engine checkpoints after their acks (delivery-ack.ts).
import type { Migration, MysqlSource } from '../spec/schema.js';
import { defaultServerId } from '../connectors/sources/mysql/endpoint.js';
import { connectSource } from '../connectors/sources/mysql/connect.js';
import { currentBinlogEnd, serverInfo } from '../connectors/sources/mysql/inspect.js';
import { formatPosition } from '../connectors/sources/mysql/position.js';
import { isTransactional, type ChangeSink } from '../connectors/contract.js';
import { sourceKindOf } from '../connectors/registry.js';
import { MigError } from '../util/errors.js';
import type { Checkpointer } from './checkpointer.js';
import type { ApplyOptions, RunContext } from './context.js';
import { enterIncremental, openBinlogSnapshot, runFullLoad } from './full-load.js';
import { openRunSink, plannedRun, type PlannedRun } from './open-run.js';
import { runStream } from './stream.js';
import { ackDelivery } from './delivery-ack.js';
import { txDelivery } from './delivery-tx.js';
import { Backfill } from './backfill.js';

export async function runBinlogMigration(m: Migration, source: MysqlSource, cp: Checkpointer, opts: ApplyOptions): Promise<boolean> {
  const name = m.metadata.name;
  try {
    const run = await plannedRun(m, cp, opts);
    const { mstate, types } = run;
    const probe = await connectSource(run.endpoint);
    let flavor: 'mariadb' | 'mysql';
    let version: string;
    try {
      const info = await serverInfo(probe);
      flavor = info.flavor;
      version = info.version;
      if (types.has('incremental')) requireBinlog(name, info);
      // A migration without full load streams from wherever the log is when it first runs.
      if (types.has('incremental') && !types.has('full') && !mstate.snapshot) {
        const end = await currentBinlogEnd(probe);
        mstate.snapshot = { position: { ...end, serverId: info.serverId }, takenAt: new Date().toISOString() };
      }
    } finally {
      await probe.end().catch(() => undefined);
    }
    const { sink, hook } = await openRunSink(run, cp, opts, { flavor, version });
    try {
      return await streamPhases(sink, run, flavor, source, cp, { ...opts, hook });
    } finally {
      await sink.close();
    }
  } finally {
    opts.hook({ type: 'migration-done', migration: name });
  }
}

/** The full load, then (with --until-caught-up or --follow) the binlog stream into `sink`. */
async function streamPhases<O>(sink: ChangeSink<O>, run: PlannedRun, flavor: 'mariadb' | 'mysql', source: MysqlSource, cp: Checkpointer, opts: ApplyOptions): Promise<boolean> {
  const { migration: m, mstate, types } = run;
  const name = m.metadata.name;
  const ctx: RunContext<O> = {
    migration: m, mstate, endpoint: run.endpoint, flavor, sink,
    shapes: run.live.tables, desired: new Map(run.desired.tables.map((t) => [t.id, t])), checkpointer: cp, hook: opts.hook, signal: opts.signal,
    openSnapshot: (conn) => openBinlogSnapshot(ctx, conn),
    chunksInFlight: sink.capabilities.chunksInFlight,
  };
  // A migration that has streamed copies its new and re-snapshotted tables while the stream runs
  // (without --follow, apply streams until they are copied and caught up); a first load takes one
  // consistent snapshot.
  const backfilling = types.has('incremental') && mstate.checkpoint !== undefined && Backfill.tablesFor(ctx).length > 0;
  if (types.has('full') && !backfilling) await runFullLoad(ctx);
  if (opts.signal.aborted || !types.has('incremental')) return false;
  await enterIncremental(ctx);
  if (!opts.untilCaughtUp && !opts.follow && !backfilling) {
    opts.hook({ type: 'handoff', migration: name, at: formatPosition(mstate.checkpoint ?? mstate.snapshot!.position) });
    return true;
  }
  const untilCaughtUp = !opts.follow;
  const serverId = sourceKindOf(source).serverId(source) ?? defaultServerId(name);
  const delivery = isTransactional(sink) ? txDelivery(ctx, sink) : ackDelivery(ctx);
  const backfill = backfilling ? new Backfill(ctx, Backfill.tablesFor(ctx), mstate.observedGeneration ?? mstate.generation ?? 0) : undefined;
  await runStream(ctx, delivery, { untilCaughtUp, serverId, backfill: backfill as Backfill<unknown> | undefined });
  return false;
}

function requireBinlog(name: string, info: Awaited<ReturnType<typeof serverInfo>>): void {
  const fixes: string[] = [];
  if (!info.logBin) fixes.push('enable the binary log (log_bin=ON in the server configuration; needs a restart)');
  if (info.binlogFormat.toUpperCase() !== 'ROW') fixes.push("SET GLOBAL binlog_format = 'ROW'");
  if (info.binlogRowImage.toUpperCase() !== 'FULL') fixes.push("SET GLOBAL binlog_row_image = 'FULL'");
  if (info.binlogRowMetadata !== null && info.binlogRowMetadata.toUpperCase() !== 'FULL') fixes.push("SET GLOBAL binlog_row_metadata = 'FULL'");
  if (fixes.length > 0) {
    throw new MigError('source-binlog-settings', `${name}: the source's binary log cannot feed incremental migration (log_bin=${info.logBin ? 'ON' : 'OFF'}, binlog_format=${info.binlogFormat}, binlog_row_image=${info.binlogRowImage}, binlog_row_metadata=${info.binlogRowMetadata ?? 'n/a'})`, fixes.join('; '));
  }
}
