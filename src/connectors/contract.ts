// The connector contract: what the engine, the planner and the precheck may ask of a source or a
// sink kind. Each kind's folder implements it; registry.ts is the only list of kinds.
import type { Connection } from 'mysql2/promise';
import type { ChangeEvent, Row, SqlValue, TableInfo } from '../model/source-data.js';
import type { ValueOptions } from '../model/float-rounding.js';
import type { Desired, DesiredTable, DesiredTopic, LiveDestination, LiveSource } from '../model/targets.js';
import type { DestinationFacts, FeedFacts, Known } from '../model/precheck-facts.js';
import type { ApplyHook } from '../model/events.js';
import type { Destination, Migration, Source, TableSpec } from '../spec/schema.js';
import type { MigrationState, TableState } from '../state/model.js';

/**
 * How the engine treats a failure (Debezium's RetriableException, DTS's two retry windows): a lost
 * or refused connection, another failure worth retrying (throttling, a busy server), or one that a
 * retry cannot fix (bad credentials, a refused row, a bug).
 */
export type ErrorClass = 'retryable-connection' | 'retryable-other' | 'fatal';

/** What a sink promises, so the engine drives every sink with one loop. */
export interface SinkCapabilities {
  /**
   * When a source position may be recorded: after the sink acknowledged everything before it
   * (`after-ack`: Kafka, Tablestore), or only by the sink itself, in the same destination
   * transaction as the rows (`transactional`: MySQL, whose checkpoint table is the authority).
   */
  checkpoint: 'after-ack' | 'transactional';
  /** Changes to one key reach the destination in the order they were sent. */
  perKeyOrder: boolean;
  /** Sending a batch again leaves the destination as one delivery did (Kafka: duplicates instead). */
  idempotentReplay: boolean;
  /** Full-load chunks written at the same time; 1 keeps the source order. */
  chunksInFlight: number;
  /** Changes read ahead of the sink before the reader is paused. */
  queueSize: number;
}

/** What a sink did with the rows an interrupted load of a keyless table had written. */
export interface RestartOutcome {
  /** True when those rows are gone from the destination; false when they stay (duplicates possible). */
  emptied: boolean;
  /** For the user: what was done, or why not. */
  message: string;
}

export interface ChangeSink<Out> {
  readonly capabilities: SinkCapabilities;
  /** A full-load row (already filtered by the snapshot's WHERE); undefined when it is not written. */
  snapshotRow(shape: TableInfo, row: Row, es: number, now: number): Out | undefined;
  /** A source change; undefined when the operation selection, the filter or the mapping leave it out. */
  change(ev: ChangeEvent, shapeOf: (id: string) => TableInfo | undefined, now: number): Out | undefined;
  /**
   * Resolves once every item is durable at the destination; only then may the engine move its
   * checkpoint. What a sink did besides writing (a topic found, a row skipped) it announces as an
   * event through the request's hook; the engine records it. A sink never writes migration state.
   */
  send(items: Out[]): Promise<void>;
  /**
   * Called before a table without a key is read again from its start because an earlier run began
   * loading it: no cursor tells which of its rows arrived, so those rows would be written a second
   * time. A sink that can remove them does. Absent: they stay (Kafka documents re-sent messages;
   * Tablestore needs a key to write at all).
   */
  restartTable?(shape: TableInfo, table: TableState): Promise<RestartOutcome>;
  /** How the engine should treat a failure this sink threw. */
  classify(e: unknown): ErrorClass;
  close(): Promise<void>;
}

/** A source position as a transactional sink records it: a feed, and an offset growing along it. */
export interface PositionRecord {
  feed: string;
  offset: string | number | bigint;
  /** Upstream commit timestamp (TiDB TSO), when the feed has one. */
  commitTs?: string | number | bigint;
}

/** One source transaction (all its parts) and the position just after it. */
export interface UpstreamTransaction {
  events: ChangeEvent[];
  checkpoint: PositionRecord;
}

/** A position the sink holds, written with the data it covers. */
export interface RecordedPosition {
  feed: string;
  commitTs: string | null;
  kafkaOffset: string | null;
  updatedAt: string;
}

/**
 * A sink whose checkpoint is written in the same destination transaction as the rows (MySQL):
 * each source transaction takes effect once, and where to resume is read back from the sink.
 */
export interface TransactionalSink<Out> extends ChangeSink<Out> {
  /** Applies the transactions in order, each with its position; ones already recorded are skipped. */
  applyTransactions(txs: UpstreamTransaction[]): Promise<{ applied: number; rows: number }>;
  readCheckpoints(): Promise<RecordedPosition[]>;
  /** Runs a DDL an earlier run recorded but may not have run (a crash between the two). */
  finishPendingDdl(): Promise<{ sql: string }[]>;
}

export function isTransactional<O>(s: ChangeSink<O>): s is TransactionalSink<O> {
  return s.capabilities.checkpoint === 'transactional';
}

/** Everything a sink kind needs to open for one migration's apply. */
export interface SinkOpenRequest {
  migration: Migration;
  mstate: Readonly<MigrationState>;
  tables: DesiredTable[];
  shapes: Map<string, TableInfo>;
  /** Topics with their partition counts (Kafka; empty for table destinations). */
  topics: DesiredTopic[];
  flavor: 'mariadb' | 'mysql';
  /** "schema" is in spec.types: the sink creates what is missing. */
  createMissing: boolean;
  sourceVersion: string;
  /** A session on the source (the caller ends it), for a schema phase that copies its definitions. */
  openSourceSession: () => Promise<Connection>;
  specDir: string;
  hook: ApplyHook;
}

/** A setting change a reviewer must see; the planner turns it into a plan change. */
export interface SettingChange {
  field: string;
  was: unknown;
  now: unknown;
  reason: string;
  risks: ('destructive' | 'breaks-key-order')[];
}

/**
 * What the precheck hands a kind gathering its facts. The source view and the spec resolved against
 * it are read on first ask (the plan's view when the caller has one), so a kind that needs neither
 * costs the source nothing.
 */
export interface PrecheckFactsContext {
  specDir: string;
  /** The migration's recorded state, when it was applied before. */
  state: MigrationState | undefined;
  /** Every topic the migration writes: data topics, the default topic and the DDL topic. */
  topics: readonly string[];
  /** The live source: its databases and the tables of spec.objects. */
  source(): Promise<LiveSource>;
  /** The spec resolved against that source: the tables and where each one's rows go. */
  desired(): Promise<Desired>;
}

export interface SinkKind<D extends Destination = Destination> {
  readonly type: D['type'];
  /** For messages: "Kafka", "Tablestore", "MySQL". */
  readonly label: string;
  /** What a table's rows go to, for status and plans: "topic", "table". */
  readonly targetNoun: 'topic' | 'table';
  /** The destination object a source table's rows go to. */
  targetOf(d: D, database: string, t: TableSpec, targetDatabase: string | undefined): string;
  /** What else shapes the destination's copy of a table (a change re-snapshots it); undefined when nothing. */
  snapshotLayout(d: D, t: TableSpec): object | undefined;
  /** Targets the destination has besides the tables' own (Kafka's DDL, checkpoint and dead-letter topics), with their partitions. */
  extraTopics(d: D, m: Migration): [string, number][];
  /** One line on where and how the data is written, for a new migration's plan. */
  describe(d: D): string;
  /**
   * Which retry window a failure of this destination falls in (the engine also recognises lost
   * connections and lock waits by their codes): its client's own errors, which only it can read.
   */
  classify(e: unknown): ErrorClass;
  /** Where the destination is, for connection messages. */
  where(d: D): string;
  /** What to check when the destination cannot be reached. */
  reachFix: string;
  /** What a table without a key means at this destination, as the plan, apply and precheck say it. */
  keylessConsequence: { plan: string; apply: string; precheck: string };
  /**
   * Whether replicated DDL is run (MySQL) or sent on (Kafka); false where it can only be reported
   * (Tablestore), which the spec check and the plan say (spec/semantic-ddl.ts, plan/ddl-settings.ts).
   */
  readonly replicatesDdl: boolean;
  /** Whether the schema phase creates the views of databases taken whole (else base tables only). */
  readonly copiesViews: boolean;
  /** What the plan calls a target of this kind. */
  readonly targetKind: 'topic' | 'tablestore-table' | 'mysql-table';
  /**
   * The key each destination table would be created with, as text (`id STRING, …`), for the plan;
   * absent when the destination keeps the source's own definition (or has no tables).
   */
  targetKeys?(d: D, tables: { t: DesiredTable; info: TableInfo }[]): Map<string, string>;
  /** The status table's heading for where a table's rows go. */
  targetColumn: string;
  /**
   * Plan notes this destination warrants for a migration (e.g. DDL not replicated); information
   * unless the note says it is a warning (a setting consumers are likely to trip over), which the
   * plan shows while the migration's spec is new or edited.
   */
  planNotes(m: Migration): { message: string; hint: string; severity?: 'warning' }[];
  /** The setting changes between two applied versions of this destination. */
  settingChanges(a: D, b: D): SettingChange[];
  /** Reads the live destination for plan and drift: topics and their partitions, or the tables that exist. */
  inspect(m: Migration, d: D, specDir: string, knownTargets: string[]): Promise<LiveDestination>;
  /** The live view when nothing was read (plan --offline). */
  offline(): LiveDestination;
  /** Opens the sink for apply, running its schema phase first (topics or tables made to match). */
  open(d: D, r: SinkOpenRequest): Promise<ChangeSink<unknown>>;
  /**
   * Reads what the precheck's destination checks look at: whether it answers, the topics or tables
   * there that this migration would write into. Never throws: what could not be read is a fact.
   */
  precheckFacts(m: Migration, d: D, ctx: PrecheckFactsContext): Promise<DestinationFacts>;
  /**
   * The destination objects this migration's runs created, as the state records them (found ones,
   * kept or adopted, are never listed): what `mig destroy --delete-destination` drops.
   */
  createdTargets(ms: MigrationState): string[];
  /** Drops these topics or tables (Kafka deleteTopics, Tablestore DeleteTable, DROP TABLE); ones already gone are fine. */
  dropTargets(m: Migration, d: D, specDir: string, targets: string[]): Promise<void>;
  /**
   * A destination that keeps the migration's position itself (MySQL's checkpoint table): where, for
   * the destroy plan, and removing the migration's rows once its state is forgotten, so a migration
   * created again under the name does not resume from them. Absent when the state is the only record.
   */
  checkpointRecord?: {
    /** Where the records are; undefined when this destination's settings keep none (Kafka at least once). */
    where(d: D): string | undefined;
    /** Removes the migration's rows; returns how many there were (0 when the table does not exist). */
    forget(m: Migration, d: D, specDir: string): Promise<number>;
  };
  /** Reads the destination back for `mig verify`; absent when the destination cannot be verified. */
  verifier?(d: D, r: VerifyOpenRequest): Promise<DestinationVerifier>;
}

/**
 * A source kind: a MySQL-family flavour read through its binary log, or TiDB, whose changes
 * arrive as a feed in Kafka. What differs between flavours is data here, never a branch elsewhere.
 */
export interface SourceKind<S extends Source = Source> {
  readonly type: S['type'];
  readonly label: string;
  /** How incremental reads changes: the server's binary log, or a feed topic in Kafka. */
  readonly changes: 'binlog' | 'kafka-feed';
  /** Destinations this source can feed. */
  readonly destinations: readonly Destination['type'][];
  /** The server flavour it must report, when the type implies one. */
  readonly flavor?: 'mariadb' | 'mysql';
  /** A managed service whose parameters are set in its console, not with SET GLOBAL. */
  readonly console?: string;
  /** Days of binary log the precheck asks the source to keep (managed services keep theirs too). */
  readonly binlogRetentionDays: number;
  /** Whether its version reports a MySQL version it must be held to (PolarDB-X reports varying ones). */
  readonly mysqlVersionFloor: boolean;
  /** The variables that switch the binary log on, first found wins, and how to switch it on. */
  readonly logBin: { variables: readonly string[]; enable: string };
  /** The replication server id it registers with, when it reads a binary log. */
  serverId(s: S): number | undefined;
  /** Which retry window a failure of this source's own client falls in, when the engine's codes do not tell. */
  classify?(e: unknown): ErrorClass;
  /** Seconds the recorded checkpoint is behind the source: 0 when caught up, null when unknown. */
  lag(m: Migration, s: S, ms: MigrationState, specDir: string): Promise<number | null>;
  /**
   * For the precheck, a source whose changes arrive as a feed in Kafka: whether its topic can be
   * read. Absent, or undefined, when the migration reads no feed.
   */
  feedFacts?(m: Migration, s: S, specDir: string): Promise<Known<FeedFacts> | undefined>;
  /**
   * For the plan: whether the source still holds the recorded position incremental resumes from
   * (the checkpoint, else the snapshot's). `ok: false` names what is gone (a purged binlog file, feed
   * offsets deleted by retention): only a new snapshot repairs it. Undefined when there is no such
   * position or the source could not tell (its reachability is the precheck's to report); never throws.
   */
  resumable?(m: Migration, s: S, ms: MigrationState, specDir: string): Promise<{ ok: true } | { ok: false; reason: string } | undefined>;
}

/**
 * A row as `mig verify` compares it: its key as text (null when the table has none) and each column
 * under its destination name as text, both written the same way for the source's expected row and
 * the destination's actual one, so equal strings mean equal values.
 */
export interface VerifyRow {
  key: string | null;
  values: Record<string, string | null>;
}

/** Rows of a source table whose key is above `after` (absent: from the first) up to and including `upTo` (absent: to the last). */
export interface KeyRange {
  after?: SqlValue[];
  upTo?: SqlValue[];
}

/** A chunk's row count and checksum as one server computed it. */
export interface ChunkChecksum {
  rows: number;
  sum: string;
}

/**
 * A table compared by key ranges on both servers (MySQL destination): checksums per chunk, rows only
 * for a chunk whose checksums differ. The same SQL normalises values on both sides.
 */
export interface RangeVerifier {
  mode: 'ranges';
  /** Source key values every `every` rows inside the range (through the filter), for chunks. */
  boundaries(range: KeyRange, every: number): Promise<SqlValue[][]>;
  checksum(side: 'source' | 'destination', range: KeyRange): Promise<ChunkChecksum>;
  /** The range's rows as compared, in key order (the source's through the filter and the mapping). */
  rows(side: 'source' | 'destination', range: KeyRange): Promise<VerifyRow[]>;
  /** Why a table is compared row by row where checksums would be expected (no key). */
  fallback?: string;
}

/**
 * A table compared by reading the destination whole (Kafka's last state per key, Tablestore's range
 * reads) against the source rows mapped as the sink maps them.
 */
export interface ScanVerifier {
  mode: 'scan';
  /** The row the destination should hold for a source row; undefined when the sink writes none. */
  expected(row: Row): VerifyRow | undefined;
  /**
   * Hands what the destination holds for the table to `into`, in the order it was written: a key's
   * later row replaces its earlier one, and `remove` forgets a key (or one keyless row) again, so a
   * log (a topic) is replayed without holding it.
   */
  scan(into: ScanInto): Promise<void>;
}

/**
 * Where a scan puts the destination's rows (verify's comparison). `order` is the change's place in
 * the source log, given when the destination was not written in the source's order (a topic's
 * partitions read one after another): a key's row then only changes for a later change.
 */
export interface ScanInto {
  put(row: VerifyRow, order?: number): void;
  remove(key: string | null, values?: VerifyRow['values'], order?: number): void;
}

export type TableVerifier = RangeVerifier | ScanVerifier;

/** What a sink kind needs to read its destination back for one migration. */
export interface VerifyOpenRequest {
  migration: Migration;
  mstate: Readonly<MigrationState>;
  tables: DesiredTable[];
  shapes: Map<string, TableInfo>;
  flavor: 'mariadb' | 'mysql';
  sourceVersion: string;
  specDir: string;
  /** A session on the source (the verifier ends it), for checksums computed there. */
  openSourceSession: () => Promise<Connection>;
  /** How the migration reads FLOAT and DOUBLE (source.floatPrecision / doublePrecision). */
  values: ValueOptions;
}

export interface DestinationVerifier {
  table(t: DesiredTable, shape: TableInfo): Promise<TableVerifier>;
  close(): Promise<void>;
}
