// The registry: the one list of source and sink kinds. Planner, precheck and engine find a kind
// here by its spec type and use it through the contract; nothing else names a kind.
import type { Destination, MysqlSource, Source, TidbSource } from '../spec/schema.js';
import type { SinkKind, SourceKind } from './contract.js';
import { kafkaSink } from './sinks/kafka/kind.js';
import { mysqlSink } from './sinks/mysql/kind.js';
import { tablestoreSink } from './sinks/tablestore/kind.js';
import { mariadbSource, mysqlSource, polardbMysqlSource, polardbXSource } from './sources/mysql/kind.js';
import { tidbSource } from './sources/tidb/kind.js';

type SinkRegistry = { [K in Destination['type']]: SinkKind<Extract<Destination, { type: K }>> };
// Every MySQL-family flavour shares one spec shape; TiDB has its own.
type SourceRegistry = { [K in MysqlSource['type']]: SourceKind<MysqlSource> } & { tidb: SourceKind<TidbSource> };

export const SINKS: SinkRegistry = { kafka: kafkaSink, tablestore: tablestoreSink, mysql: mysqlSink };
export const SOURCES: SourceRegistry = {
  mysql: mysqlSource,
  mariadb: mariadbSource,
  'polardb-mysql': polardbMysqlSource,
  'polardb-x': polardbXSource,
  tidb: tidbSource,
};

/**
 * The sink kind of a destination. TypeScript cannot tie an indexed kind to the union member it was
 * indexed with, so the registry's mapped type is the proof, and this is the one cast.
 */
export function sinkKindOf<D extends Destination>(d: D): SinkKind<D> {
  return SINKS[d.type] as unknown as SinkKind<D>;
}

export function sourceKindOf<S extends Source>(s: S): SourceKind<S> {
  return SOURCES[s.type] as unknown as SourceKind<S>;
}

/** Whether the source can feed the destination (a spec that pairs them otherwise is refused). */
export function pairAllowed(s: Source['type'], d: Destination['type']): boolean {
  return SOURCES[s].destinations.includes(d);
}

/** The source narrowed to the spec shape of the way its kind delivers changes. */
export function sourceByChanges(s: Source): { changes: 'binlog'; source: MysqlSource } | { changes: 'kafka-feed'; source: TidbSource } {
  return s.type === 'tidb' ? { changes: 'kafka-feed', source: s } : { changes: 'binlog', source: s };
}
