// A MySQL-family source into MySQL: the schema phase and the full load as for TiDB (SHOW CREATE TABLE
// under the spec's names, idempotent multi-row INSERTs), the snapshot's binlog position as for Kafka,
// then the binlog applied transaction by transaction with its position in mig_checkpoint
// (stream-mysql.ts), so each source transaction takes effect at the destination exactly once.
import type { MysqlSource } from '../spec/schema.js';
import type { DesiredTable } from '../model/targets.js';
import type { endpointFor } from '../plan/make.js';
import { formatPosition } from '../connectors/sources/mysql/position.js';
import { TargetNames } from '../connectors/sinks/mysql/index.js';
import { MigError } from '../util/errors.js';
import type { Checkpointer } from './checkpointer.js';
import type { RunContext } from './context.js';
import { mysqlEndpoint, mysqlLoadSink, prepareMysqlDestination, type MysqlLoadItem } from '../connectors/sinks/mysql/destination.js';
import type { ApplyOptions } from './execute.js';
import { defaultServerId } from './execute.js';
import { enterIncremental, openBinlogSnapshot, runFullLoad } from './full-load.js';
import type { SinkRequest } from './run-binlog.js';
import { runMysqlStream } from './stream-mysql.js';

export async function runBinlogIntoMysql(r: SinkRequest, source: MysqlSource, cp: Checkpointer, opts: ApplyOptions, endpoint: Awaited<ReturnType<typeof endpointFor>>): Promise<boolean> {
  const { migration: m, mstate, desired } = r;
  const name = m.metadata.name;
  const dest = m.spec.destination;
  if (dest.type !== 'mysql') throw new MigError('unsupported-pairing', `${name}: expected a mysql destination, not ${dest.type}`);
  const types = new Set(m.spec.types);
  const names = new TargetNames(m.spec.objects);
  const destEp = await mysqlEndpoint(m, dest, opts.specDir);
  try {
    const applier = await prepareMysqlDestination({ migration: m, mstate, tables: desired.tables, names, source: endpoint, dest: destEp, checkpointer: cp, hook: opts.hook });
    try {
      const ctx: RunContext<MysqlLoadItem> = {
        migration: m, mstate, endpoint, flavor: r.flavor, sink: mysqlLoadSink(applier, m, mstate),
        shapes: r.shapes, desired: new Map<string, DesiredTable>(desired.tables.map((t) => [t.id, t])),
        checkpointer: cp, hook: opts.hook, signal: opts.signal,
        openSnapshot: (conn) => openBinlogSnapshot(ctx, conn),
      };
      if (types.has('full')) await runFullLoad(ctx);
      if (opts.signal.aborted || !types.has('incremental')) return false;
      await enterIncremental(ctx);
      if (!opts.untilCaughtUp && !opts.follow) {
        opts.hook({ type: 'handoff', migration: name, at: formatPosition(mstate.checkpoint ?? mstate.snapshot!.position) });
        return true;
      }
      await runMysqlStream(ctx, { applier, untilCaughtUp: opts.untilCaughtUp && !opts.follow, serverId: source.serverId ?? defaultServerId(name) });
      return false;
    } finally {
      await applier.close();
    }
  } finally {
    opts.hook({ type: 'migration-done', migration: name });
  }
}
