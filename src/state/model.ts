// The in-memory model of mig's recorded state: what was applied, and how far each migration got.
// Serialisation and upgrades live in statefile.ts; persistence and locking in the stores.
import type { Migration } from '../spec/schema.js';

/** A point in the source's binary log. Checkpoints only ever sit at transaction (Xid) or DDL boundaries. */
export interface BinlogPosition {
  file: string;
  pos: number;
  /** GTID set at this point (MariaDB domain-server-seq list, or MySQL uuid:interval set), when known. */
  gtidSet?: string;
  /** server_id of the source server that wrote the log. */
  serverId?: number;
  /** Source time (ms since epoch) of the last event at or before this point, for lag. */
  timestamp?: number;
}

export type TablePhase = 'pending' | 'schema' | 'full' | 'incremental';

export interface TableState {
  /** `database.table` on the source. */
  id: string;
  phase: TablePhase;
  /** Where the table's rows go: its Kafka topic, or its destination table (Tablestore, MySQL). */
  target: string;
  /** Digest of the table's settings that, when changed, force a re-snapshot (filter, columns…). */
  snapshotDigest: string;
  /** Key columns used for chunking (primary key, else first unique key with NOT NULL columns). */
  keyColumns: string[];
  /** Keyset cursor: key values of the last row of the last acknowledged chunk. Absent before the first chunk. */
  cursor?: (string | null)[];
  rowsCopied: number;
  /** The source's row estimate when the copy started (for progress and ETA). */
  estimatedRows?: number;
  /** Rows read a second time after resuming (the duplicate window of the full load). */
  rowsReread?: number;
  /**
   * MySQL and Tablestore destinations: whether this migration created the destination table, or
   * found it and kept it (conflictMode: ignore) with rows of its own. Only a table mig created may be
   * emptied when a keyless table's load starts over, or dropped by destroy --delete-destination.
   * Absent when mig made no such choice (no schema phase, other destinations, state written before
   * this was recorded): the table is then not taken as mig's.
   */
  targetOrigin?: 'created' | 'kept';
  /**
   * Copied again (filter or columns changed, --replace): the destination object exists already. A
   * destination table mig created is emptied before the copy, so rows the new filter leaves out go.
   */
  recopy?: boolean;
  fullStartedAt?: string;
  fullDoneAt?: string;
  /**
   * TiDB sources: the commit ts this table's copy was read at, when later than the migration's
   * snapshot (a table added to a migration whose feed already runs). The feed applies only this
   * table's transactions committed after it.
   */
  snapshotTs?: string;
  /** A copy made while the stream ran (a table added to, or re-snapshotted in, a streaming migration). */
  backfill?: BackfillProgress;
  /** Keys of set-aside changes `mig redrive` asked for: read again from the source, in watermark windows. */
  redrive?: RedriveRequest;
}

/** What `mig redrive` asked of a table: its rows by these source keys, written again. */
export interface RedriveRequest {
  requestedAt: string;
  /** Source key values per row (binary ones as base64), in the table's chunk-key order. */
  keys: Array<Array<string | null | { base64: string }>>;
}

/** A table's copy read in watermark windows while the stream runs (engine/backfill.ts). */
export interface BackfillProgress {
  /** The generation that asked for it. */
  generation: number;
  startedAt: string;
  doneAt?: string;
  /** Chunks read between a low and a high watermark. */
  chunks: number;
  /** Chunk rows left out because the stream changed their key inside the window (the change is newer). */
  superseded: number;
}

/**
 * A plan approved by `mig apply` that the runner has not taken up yet. Apply writes only this (and
 * `generation`); the runner owns everything else in the migration's state, so the two never race.
 */
export interface DesiredGeneration {
  generation: number;
  recordedAt: string;
  /** The approved spec; absent when the plan removes the migration. */
  spec?: Migration;
  digest?: string;
  /** The whole migration is copied again from a new snapshot (apply --replace MIGRATION). */
  resnapshot?: boolean;
  /** Tables whose recorded progress is dropped: removed ones, and ones that are copied again. */
  dropTables: string[];
  /** Tables that start (new, or copied again), as the plan resolved them. */
  addTables: TableState[];
  /** Topics apply created for this generation (with their partitions): mig's own once taken up. */
  createdTopics?: Record<string, number>;
  /** `mig redrive` asked for the set-aside changes to be written again (from the source's current rows). */
  redrive?: { requestedAt: string; table?: string };
}

/** What the runner of a migration last reported. */
/** An outage the runner is retrying through (DTS's retry windows). */
export interface RetryStatus {
  /** When the first failure of the outage happened. */
  since: string;
  attempts: number;
  /** The window of the latest failure: a lost connection, or another retryable failure. */
  window: 'connection' | 'other';
  /** When that window ends and the run fails for good. */
  until: string;
  lastError: { code: string; message: string; fix?: string };
}

export interface RunnerStatus {
  status: 'starting' | 'loading' | 'streaming' | 'reconciling' | 'retrying' | 'stopped' | 'failed';
  pid: number;
  host: string;
  updatedAt: string;
  /** What the current reconcile is doing, one line per table. */
  reconciling?: string[];
  lastError?: { generation: number; at: string; code: string; message: string; fix?: string };
  /** While retrying (and while the next attempt starts): the outage. */
  retry?: RetryStatus;
}

export interface MigrationState {
  name: string;
  /** The normalised spec as applied (secrets stay references). */
  spec: Migration;
  digest: string;
  appliedAt: string;
  tables: Record<string, TableState>;
  /** Generation of the last plan `mig apply` approved for this migration (1, 2, …). */
  generation?: number;
  /** The generation the runner runs: `spec` and `tables` are its. Behind `generation` while it reconciles. */
  observedGeneration?: number;
  /** An approved generation waiting for the runner. */
  desired?: DesiredGeneration;
  runner?: RunnerStatus;
  /** Topics mig created or adopted, with the partition count it saw; `created` when mig created it (destroy may delete it). */
  topics: Record<string, { partitions: number; created?: true }>;
  /** Where the consistent snapshot was taken: incremental starts exactly here. Never moves forward on resume. */
  snapshot?: { position: BinlogPosition; takenAt: string };
  /**
   * TiDB sources: the commit ts the full load's snapshot was read at (incremental applies only later
   * transactions), and the feed's progress as last seen. The destination's own checkpoint table,
   * written in the same transaction as the data, is the authority; this copy is for status.
   */
  feed?: { startTs: string; takenAt: string; positions: Record<string, { offset: string; commitTs?: string }> };
  /** Last binlog point whose changes Kafka acknowledged. */
  checkpoint?: BinlogPosition;
  /** Before counters existed: changes written since incremental started. Read into counters.written. */
  eventsStreamed?: number;
  /** Change events read, written, filtered out and skipped since incremental started (model/progress.ts). */
  counters?: { read: number; written: number; filtered: number; skipped: number };
  /** The source's clock minus this machine's, measured when the stream started: lag is read in source time. */
  sourceClock?: { offsetMs: number; measuredAt: string };
  lastStreamedAt?: string;
  /** Changes not written under onError skip or dead-letter (or the older oversizedRow and dirtyData settings): refused by the destination or over its message size. */
  skippedRows?: SkippedRow[];
  /** `mig cutover` proved the destination equal to the source and recorded when, and at which source position. */
  cutover?: CutoverRecord;
}

export interface CutoverRecord {
  at: string;
  /** The source's end of log the migration had reached when it was verified; absent for a full load only. */
  position?: string;
  /** Whether cutover made the source read-only first. */
  sourceReadOnly: boolean;
  /** Tables and source rows verify found equal. */
  tables: number;
  rows: number;
}

export interface SkippedRow {
  table: string;
  /** The row's message key (its primary-key values), null for tables without a key. */
  key: string | null;
  bytes: number;
  at: string;
  phase: 'full' | 'incremental';
  /** Why the destination refused the row, or why mig could not encode it. */
  error?: string;
  /** What the poison-event policy did: skipped (recorded here only), or dead-lettered (also written to `deadLetter`). Absent: skipped. */
  outcome?: 'skipped' | 'dead-letter';
  /** The change refused: a row operation, or a full-load row. */
  op?: 'insert' | 'update' | 'delete' | 'snapshot';
  /** The source key's values (binary ones as base64), which `mig redrive` reads the row again by. */
  keyValues?: Array<string | null | { base64: string }>;
  /** The topic or table the dead letter was written to. */
  deadLetter?: string;
  /** When `mig redrive` wrote the key's current source row to the destination. */
  redrivenAt?: string;
}

export interface State {
  version: number;
  /** Increases on every write; plans record it so a stale plan is refused. */
  serial: number;
  /** Random id of this state's history: a plan built on another lineage is refused. */
  lineage: string;
  migrations: Record<string, MigrationState>;
}

export interface LockInfo {
  id: string;
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  time: string;
  operation: string;
}

/** The state file format version this mig writes (statefile.ts upgrades older ones on read). */
export const CURRENT_STATE_VERSION = 2;

export function emptyState(lineage: string): State {
  return { version: CURRENT_STATE_VERSION, serial: 0, lineage, migrations: {} };
}
