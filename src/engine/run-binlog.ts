// One migration from a MySQL-family source: the destination opened through its sink kind (which
// runs its schema phase), the full load from a consistent snapshot, then the binlog stream. A sink
// that records positions itself (transactional, MySQL) gets whole transactions with their position
// (delivery-tx.ts); the others get changes and the engine checkpoints after their acks (delivery-ack.ts).
import type { Migration, MysqlSource } from '../spec/schema.js';
import type { MigrationState, TableState } from '../state/model.js';
import type { DesiredTable } from '../model/targets.js';
import { desiredFor } from '../plan/desired.js';
import { defaultServerId, endpointFor } from '../connectors/sources/mysql/endpoint.js';
import { connectSource, type SourceEndpoint } from '../connectors/sources/mysql/connect.js';
import { currentBinlogEnd, serverInfo } from '../connectors/sources/mysql/inspect.js';
import { formatPosition } from '../connectors/sources/mysql/position.js';
import { isTransactional, type ChangeSink } from '../connectors/contract.js';
import { sinkKindOf, sourceKindOf } from '../connectors/registry.js';
import { MigError } from '../util/errors.js';
import type { Checkpointer } from './checkpointer.js';
import type { RunContext } from './context.js';
import { plannedSource, type ApplyOptions } from './context.js';
import { enterIncremental, openBinlogSnapshot, runFullLoad } from './full-load.js';
import { recordingHook } from './record-events.js';
import { runStream } from './stream.js';
import { ackDelivery } from './delivery-ack.js';
import { txDelivery } from './delivery-tx.js';

export async function runBinlogMigration(m: Migration, source: MysqlSource, cp: Checkpointer, opts: ApplyOptions): Promise<boolean> {
  const name = m.metadata.name;
  const mstate = cp.state.migrations[name]!;
  opts.hook({ type: 'migration-start', migration: name });
  const endpoint = await endpointFor(m, opts.specDir);
  const live = plannedSource(m, opts);
  const desired = desiredFor(m, live);
  if (desired.errors.length > 0) throw new MigError('spec-source-mismatch', `${name}: ${desired.errors.join('; ')}`, 'fix spec.objects or create the objects on the source');
  const types = new Set(m.spec.types);
  const probe = await connectSource(endpoint);
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

  for (const t of desired.tables) {
    if (!mstate.tables[t.id]) mstate.tables[t.id] = newTableState(t, types.has('full'));
    mstate.tables[t.id]!.target = t.target;
  }
  const hook = recordingHook(mstate, opts.hook);
  const dest = m.spec.destination;
  try {
    const sink = await sinkKindOf(dest).open(dest, {
      migration: m, mstate, tables: desired.tables, topics: desired.topics, shapes: live.tables, flavor,
      createMissing: types.has('schema'), sourceVersion: version, specDir: opts.specDir, hook,
      openSourceSession: () => connectSource(endpoint),
    });
    return await runWith(sink, { migration: m, mstate, tables: desired.tables, shapes: live.tables, flavor, endpoint }, source, cp, { ...opts, hook });
  } finally {
    opts.hook({ type: 'migration-done', migration: name });
  }
}

interface Run {
  migration: Migration;
  mstate: MigrationState;
  tables: DesiredTable[];
  shapes: RunContext<unknown>['shapes'];
  flavor: 'mariadb' | 'mysql';
  endpoint: SourceEndpoint;
}

async function runWith<O>(sink: ChangeSink<O>, r: Run, source: MysqlSource, cp: Checkpointer, opts: ApplyOptions): Promise<boolean> {
  const { migration: m, mstate } = r;
  const name = m.metadata.name;
  const types = new Set(m.spec.types);
  try {
    // The destination's objects exist now (the sink created them): the tables move on from `schema`.
    for (const t of r.tables) if (mstate.tables[t.id]!.phase === 'pending') mstate.tables[t.id]!.phase = 'schema';
    await cp.save();
    const ctx: RunContext<O> = {
      migration: m, mstate, endpoint: r.endpoint, flavor: r.flavor, sink,
      shapes: r.shapes, desired: new Map(r.tables.map((t) => [t.id, t])), checkpointer: cp, hook: opts.hook, signal: opts.signal,
      openSnapshot: (conn) => openBinlogSnapshot(ctx, conn),
      chunksInFlight: sink.capabilities.chunksInFlight,
    };
    if (types.has('full')) await runFullLoad(ctx);
    if (opts.signal.aborted || !types.has('incremental')) return false;
    await enterIncremental(ctx);
    if (!opts.untilCaughtUp && !opts.follow) {
      opts.hook({ type: 'handoff', migration: name, at: formatPosition(mstate.checkpoint ?? mstate.snapshot!.position) });
      return true;
    }
    const untilCaughtUp = opts.untilCaughtUp && !opts.follow;
    const serverId = sourceKindOf(source).serverId(source) ?? defaultServerId(name);
    const delivery = isTransactional(sink) ? txDelivery(ctx, sink) : ackDelivery(ctx);
    await runStream(ctx, delivery, { untilCaughtUp, serverId });
    return false;
  } finally {
    await sink.close();
  }
}

export function newTableState(t: DesiredTable, full: boolean): TableState {
  return { id: t.id, phase: 'pending', target: t.target, snapshotDigest: t.snapshotDigest, keyColumns: [], rowsCopied: 0, ...(full ? {} : { fullDoneAt: undefined }) };
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
