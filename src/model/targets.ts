// What a migration spec resolves to against the live source: the tables, where each one's rows go
// (its target), and the topics; plus what the live systems were seen to hold.
import { createHash } from 'node:crypto';
import type { Operation, TableSpec } from '../spec/schema.js';
import type { ResolvedDdlPolicy } from '../spec/ddl-policy.js';
import type { TableInfo } from './source-data.js';

export const ALL_OPERATIONS: Operation[] = ['insert', 'update', 'delete', 'ddl'];

export interface DesiredTable {
  id: string;
  database: string;
  table: string;
  /** Where the rows go: the Kafka topic, the Tablestore table, or `database.table` at a MySQL destination. */
  target: string;
  /** The table's own settings in the spec (destination-specific mapping reads them). */
  settings: TableSpec;
  filter?: string;
  operations: Operation[];
  /** What DDL on this table does to the stream: replicate, ignore, or stop before it (spec/ddl-policy.ts). */
  ddl: ResolvedDdlPolicy;
  /** Columns carried in messages, and their names there. */
  columns?: { include: string[] } | { exclude: string[] };
  rename?: Record<string, string>;
  /** Columns the primary-key partition policy hashes (default: the key). */
  partitionKey?: string[];
  /** Changes to what this digest covers make the table's copy in Kafka wrong: it is re-snapshotted. */
  snapshotDigest: string;
  /** From the live source, when it was read: the key used for chunks and message keys, and the size. */
  live?: { key: string[]; keyKind: 'primary' | 'unique' | 'none'; estimatedRows: number; columns: number };
}

export interface DesiredTopic {
  name: string;
  partitions: number;
}

export type LiveSource =
  | { ok: true; tables: Map<string, TableInfo>; databases: Set<string> }
  | { ok: false; error: string };

export type LiveTopics = { ok: true; topics: Map<string, number> } | { ok: false; error: string };

/** Destination tables that exist (Tablestore, MySQL destinations). */
export type LiveTargets = { ok: true; names: Set<string> } | { ok: false; error: string };

/**
 * What a plan learns from the live destination: the topics that exist with their partitions
 * (`{ok, empty}` for a destination without topics), and the destination tables that exist.
 */
export interface LiveDestination {
  topics: LiveTopics;
  targets?: LiveTargets;
}

export interface Desired {
  tables: DesiredTable[];
  topics: DesiredTopic[];
  /** Problems resolving the spec against the source (a listed table that does not exist…). */
  errors: string[];
  /** Databases whose table list comes from the live source and could not be read. */
  unresolved: string[];
}

/**
 * `layout` holds what else shapes the destination's copy (Tablestore key and types); it is left out
 * when empty so Kafka digests recorded before it existed stay the same.
 */
export function snapshotDigest(topic: string, filter: string | undefined, layout?: object): string {
  const basis = layout ? { topic, filter: filter ?? null, layout } : { topic, filter: filter ?? null };
  return 'sha256:' + createHash('sha256').update(JSON.stringify(basis)).digest('hex').slice(0, 16);
}

