// The binlog stream's view of time on the source: the heartbeat it writes there while it runs
// (spec.heartbeat), and the source clock's offset from this one, measured as the stream starts.
// Lag (model/progress.ts) is source time now − the newest durable commit time; the heartbeat keeps
// that commit time fresh on a quiet source, the offset turns this clock's now into the source's.
import type { Connection } from 'mysql2/promise';
import type { TableInfo } from '../model/source-data.js';
import { heartbeatOf } from '../spec/heartbeat.js';
import { HeartbeatWriter, measureSourceClock } from '../connectors/sources/mysql/heartbeat.js';
import { HeartbeatFilter } from './heartbeat-filter.js';
import type { RunContext } from './context.js';

export interface StreamHeartbeat {
  filter: HeartbeatFilter;
  stop(): Promise<void>;
}

/**
 * Starts writing the heartbeat when the spec enables it: the table is created if missing and its
 * shape put into `watch` (tables the reader decodes besides the migration's). A write that fails is
 * reported once as a warning and tried again every interval; the stream goes on without it.
 */
export async function startHeartbeat<O>(ctx: RunContext<O>, watch: Map<string, TableInfo>): Promise<StreamHeartbeat | undefined> {
  const h = heartbeatOf(ctx.migration);
  if (!h) return undefined;
  const name = ctx.migration.metadata.name;
  const writer = new HeartbeatWriter({
    endpoint: ctx.endpoint,
    table: h,
    migration: name,
    intervalMs: h.intervalSeconds * 1000,
    onTable: (shape) => watch.set(h.id, shape),
    onProblem: (e) => ctx.hook({ type: 'table-warning', migration: name, table: h.id, message: `${e.message} (${e.hint ?? ''})` }),
    onRecovered: () => ctx.hook({ type: 'change-applied', migration: name, summary: `heartbeat: writing ${h.id} on the source again` }),
  });
  await writer.start();
  return { filter: new HeartbeatFilter(h), stop: () => writer.stop() };
}

/** Records the source clock's offset in the state; a failure leaves the last one (lag then assumes the clocks agree). */
export async function noteSourceClock<O>(ctx: RunContext<O>, conn: Connection): Promise<void> {
  try {
    const { offsetMs } = await measureSourceClock(conn);
    ctx.mstate.sourceClock = { offsetMs, measuredAt: new Date().toISOString() };
  } catch {
    // Not worth failing a stream over: only the lag reading depends on it.
  }
}
