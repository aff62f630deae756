// One migration from a MySQL-family source: schema on the destination, the full load from a
// consistent snapshot, then the binlog stream, into whichever destination the spec names (MySQL
// destinations apply the binlog with their own checkpoint: run-binlog-mysql.ts).
import type { Migration, MysqlSource } from '../spec/schema.js';
import type { MigrationState, TableState } from '../state/model.js';
import { desiredFor, type Desired, type DesiredTable } from '../model/targets.js';
import { endpointFor } from '../plan/make.js';
import { inspectSource } from '../plan/live.js';
import { connectSource } from '../connectors/sources/mysql/connect.js';
import { currentBinlogEnd, serverInfo } from '../connectors/sources/mysql/inspect.js';
import { formatPosition } from '../connectors/sources/mysql/position.js';
import type { TableInfo } from '../model/source-data.js';
import { MigError } from '../util/errors.js';
import type { Checkpointer } from './checkpointer.js';
import type { RunContext } from './context.js';
import type { ApplyOptions } from './execute.js';
import { defaultServerId } from './execute.js';
import { openKafkaSink } from '../connectors/sinks/kafka/change-sink.js';
import { openTablestoreSink } from '../connectors/sinks/tablestore/change-sink.js';
import { enterIncremental, openBinlogSnapshot, runFullLoad } from './full-load.js';
import { runBinlogIntoMysql } from './run-binlog-mysql.js';
import type { ChangeSink } from '../connectors/contract.js';
import { runStream } from './stream.js';

export interface SinkRequest {
  migration: Migration;
  mstate: MigrationState;
  desired: Desired;
  shapes: Map<string, TableInfo>;
  createMissing: boolean;
  sourceVersion: string;
  flavor: 'mariadb' | 'mysql';
  specDir: string;
  hook: ApplyOptions['hook'];
}

export async function runBinlogMigration(m: Migration, source: MysqlSource, cp: Checkpointer, opts: ApplyOptions): Promise<boolean> {
  const name = m.metadata.name;
  const mstate = cp.state.migrations[name]!;
  opts.hook({ type: 'migration-start', migration: name });
  const endpoint = await endpointFor(m, opts.specDir);
  const live = await inspectSource(m, endpoint);
  if (!live.ok) throw new MigError('source-unreachable', `${name}: cannot read the source: ${live.error}`, 'check spec.source and that the server is running');
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
    mstate.tables[t.id]!.topic = t.topic;
  }
  const request: SinkRequest = { migration: m, mstate, desired, shapes: live.tables, createMissing: types.has('schema'), sourceVersion: version, flavor, specDir: opts.specDir, hook: opts.hook };
  const dest = m.spec.destination;
  switch (dest.type) {
    case 'kafka':
      return runWith(await openKafkaSink({ ...request, dest, desired: { tables: tableMap(desired), topics: desired.topics } }), request, source, cp, opts, endpoint);
    case 'tablestore':
      return runWith(await openTablestoreSink({ ...request, dest, checkpointer: cp }), request, source, cp, opts, endpoint);
    case 'mysql':
      return runBinlogIntoMysql(request, source, cp, opts, endpoint);
  }
}

function tableMap(d: Desired): Map<string, DesiredTable> {
  return new Map(d.tables.map((t) => [t.id, t]));
}

async function runWith<O>(sink: ChangeSink<O>, r: SinkRequest, source: MysqlSource, cp: Checkpointer, opts: ApplyOptions, endpoint: Awaited<ReturnType<typeof endpointFor>>): Promise<boolean> {
  const { migration: m, mstate, desired } = r;
  const name = m.metadata.name;
  const types = new Set(m.spec.types);
  try {
    // The destination's objects exist now (the sink created them): the tables move on from `schema`.
    for (const t of desired.tables) if (mstate.tables[t.id]!.phase === 'pending') mstate.tables[t.id]!.phase = 'schema';
    await cp.save();
    const ctx: RunContext<O> = {
      migration: m, mstate, endpoint, flavor: r.flavor, sink,
      shapes: r.shapes, desired: tableMap(desired), checkpointer: cp, hook: opts.hook, signal: opts.signal,
      openSnapshot: (conn) => openBinlogSnapshot(ctx, conn),
      chunksInFlight: m.spec.destination.type === 'tablestore' ? m.spec.destination.threads : 1,
    };
    if (types.has('full')) await runFullLoad(ctx);
    if (opts.signal.aborted || !types.has('incremental')) return false;
    await enterIncremental(ctx);
    if (!opts.untilCaughtUp && !opts.follow) {
      opts.hook({ type: 'handoff', migration: name, at: formatPosition(mstate.checkpoint ?? mstate.snapshot!.position) });
      return true;
    }
    const dest = m.spec.destination;
    // Tablestore's queueSize is the number of changes read ahead of the writers.
    const highWater = dest.type === 'tablestore' ? dest.queueSize : undefined;
    await runStream(ctx, { untilCaughtUp: opts.untilCaughtUp && !opts.follow, serverId: source.serverId ?? defaultServerId(name), highWater });
    return false;
  } finally {
    await sink.close();
    opts.hook({ type: 'migration-done', migration: name });
  }
}

export function newTableState(t: DesiredTable, full: boolean): TableState {
  return { id: t.id, phase: 'pending', topic: t.topic, snapshotDigest: t.snapshotDigest, keyColumns: [], rowsCopied: 0, ...(full ? {} : { fullDoneAt: undefined }) };
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
