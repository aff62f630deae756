// Everything one migration's run needs, passed explicitly (no global state).
import type { Connection } from 'mysql2/promise';
import type { Migration } from '../spec/schema.js';
import type { ValueOptions } from '../connectors/sources/mysql/type-map.js';
import type { MigrationState } from '../state/model.js';
import type { TableInfo } from '../model/source-data.js';
import type { SourceEndpoint } from '../connectors/sources/mysql/connect.js';
import type { DesiredTable, LiveSource } from '../model/targets.js';
import type { LiveView } from '../plan/build.js';
import { MigError } from '../util/errors.js';
import type { ChangeSink } from '../connectors/contract.js';
import type { Checkpointer } from './checkpointer.js';
import type { ApplyHook } from '../model/events.js';

/** `Out` is the destination's unit of write (a Kafka message, a Tablestore row operation…). */
export interface RunContext<Out> {
  migration: Migration;
  mstate: MigrationState;
  endpoint: SourceEndpoint;
  flavor: 'mariadb' | 'mysql';
  sink: ChangeSink<Out>;
  /** Current shape of every migrated table, `db.table` → info. */
  shapes: Map<string, TableInfo>;
  desired: Map<string, DesiredTable>;
  checkpointer: Checkpointer;
  hook: ApplyHook;
  /** Full-load chunks written at the same time (Tablestore's threads); default 1, which keeps Kafka's order. */
  chunksInFlight?: number;
  /** Starts the consistent snapshot on `conn` and records where incremental will start. */
  openSnapshot: (conn: Connection) => Promise<void>;
  /** Aborted on SIGINT/SIGTERM: stop at the next boundary, checkpoint, return. */
  signal: AbortSignal;
}

/** How FLOAT and DOUBLE values are read (DTS's ROUND rule), from the spec. */
export function valueOptions(m: Migration): ValueOptions {
  return { floatPrecision: m.spec.source.floatPrecision ?? 38, doublePrecision: m.spec.source.doublePrecision ?? 308 };
}

/** How apply runs: where the specs are, how far to stream, and how to stop and report. */
export interface ApplyOptions {
  specDir: string;
  /**
   * The live systems as the plan saw them, by migration: apply works from the same inspection the
   * reviewer's plan was built on instead of reading the source again.
   */
  live: ReadonlyMap<string, LiveView>;
  untilCaughtUp: boolean;
  follow: boolean;
  signal: AbortSignal;
  hook: ApplyHook;
}

/** The source tables the plan read for `m`; apply refuses a plan whose source was not read. */
export function plannedSource(m: Migration, opts: ApplyOptions): Extract<LiveSource, { ok: true }> {
  const name = m.metadata.name;
  const source = opts.live.get(name)?.source ?? { ok: false as const, error: 'not inspected' };
  if (!source.ok) throw new MigError('source-unreachable', `${name}: cannot read the source: ${source.error}`, 'check spec.source and that the server is running');
  return source;
}
