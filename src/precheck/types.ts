// The shapes a precheck run produces and the checks consume: findings, reports, and the facts
// gathered once per migration so that every check itself is a pure function.
import type { Migration } from '../spec/schema.js';
import type { MigrationState } from '../state/model.js';
import type { CheckId, PrecheckSeverity } from '../model/precheck-catalog.js';

export type { Finding, FindingStatus, MigrationPrecheck, PrecheckReport } from '../model/precheck-report.js';
import type { Finding } from '../model/precheck-report.js';

/** What a check decides; severity and ignorability come from the catalog. */
export type Outcome = Pick<Finding, 'observed' | 'expected' | 'message' | 'fix'> & { status: 'pass' | 'fail' | 'skipped' };

export type Known<T> = { ok: true; value: T } | { ok: false; error: string };

export interface ServerFacts {
  version: string;
  flavor: 'mariadb' | 'mysql';
  serverId: number;
  /** CURRENT_USER(): the account the server matched, `user@host`. */
  account: string;
  /** Global variables by lower-case name; a name is absent when the server has no such variable. */
  variables: Record<string, string>;
}

export interface ReplicaFacts {
  isReplica: boolean;
  /** `host:port` of the servers it replicates from, when the statement shows them. */
  sources: string[];
  /** What the answer rests on, e.g. "SHOW ALL SLAVES STATUS is empty", for the observed text. */
  evidence: string;
}

export interface InvisibleColumn {
  name: string;
  columnType: string;
  nullable: boolean;
  /** As information_schema gives it (MariaDB quotes literals; MySQL does not). */
  default: string | null;
}

export interface TableFacts {
  database: string;
  table: string;
  /** A primary key, or a unique key over NOT NULL columns: what identifies a row for consumers. */
  hasKey: boolean;
  invisible: InvisibleColumn[];
}

export interface SourceFacts {
  connection: { ok: true; server: ServerFacts } | { ok: false; code: string; error: string; hint?: string };
  replica: Known<ReplicaFacts>;
  grants: Known<string[]>;
  /** Databases of spec.objects the user can see. */
  databases: Known<string[]>;
  /** Base tables of those databases. */
  tables: Known<TableFacts[]>;
  views: Known<{ database: string; name: string }[]>;
}

export interface DestinationFacts {
  connection: { ok: true } | { ok: false; error: string; hint?: string };
  /** Every topic on the cluster. */
  topics: Known<string[]>;
  /** Messages in the topics this migration writes that exist but are not in its state. */
  messages: Map<string, Known<number>>;
  /** Tablestore and MySQL destinations: the destination tables this migration writes that exist. */
  tables?: Known<string[]>;
  /** Tablestore: tables in the instance, and what keeps source tables from mapping (names, keys). */
  tablestore?: Known<{ tableCount: number; newTables: number; mappingProblems: string[] }>;
  /** TiDB sources: the feed topic's partitions and how many messages it holds. */
  feed?: Known<{ partitions: number; messages: number }>;
}

export interface CheckContext {
  migration: Migration;
  file: string;
  /** Every loaded migration, for cross-migration rules (server ids). */
  all: readonly Migration[];
  /** This migration's recorded state, when it was applied before. */
  state: MigrationState | undefined;
  /** Topics other migrations recorded in the same state, with the migration that did. */
  otherTopics: ReadonlyMap<string, string>;
  source: SourceFacts;
  destination: DestinationFacts;
}

export interface Check {
  id: CheckId;
  run(ctx: CheckContext): Outcome;
}
