// What the precheck gathers once per migration and its checks read: the source's facts and the
// destination's. Kept in the model so that each source and sink kind can gather its own part
// without depending on the precheck.

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

/** Tablestore: tables in the instance, and what keeps source tables from mapping (names, keys). */
export interface TablestoreFacts {
  tableCount: number;
  newTables: number;
  mappingProblems: string[];
}

/** A change feed in Kafka (TiDB sources): its topic's partitions and how many messages it holds. */
export interface FeedFacts {
  partitions: number;
  messages: number;
}

export interface DestinationFacts {
  connection: { ok: true } | { ok: false; error: string; hint?: string };
  /** Every topic on the cluster. */
  topics: Known<string[]>;
  /** Messages in the topics this migration writes that exist but are not in its state. */
  messages: Map<string, Known<number>>;
  /** Tablestore and MySQL destinations: the destination tables this migration writes that exist. */
  tables?: Known<string[]>;
  tablestore?: Known<TablestoreFacts>;
  /** TiDB sources: the feed topic, read by the source kind. */
  feed?: Known<FeedFacts>;
}

/**
 * The facts of a destination without topics (Tablestore, MySQL) from what its kind reads: a
 * failure to read is the connection's, and no destination table is known.
 */
export async function tableDestinationFacts(read: () => Promise<Pick<DestinationFacts, 'tables' | 'tablestore'>>): Promise<DestinationFacts> {
  const base = { topics: { ok: false as const, error: 'not a Kafka destination' }, messages: new Map<string, Known<number>>() };
  try {
    return { ...base, ...(await read()), connection: { ok: true } };
  } catch (e) {
    const err = e as Error & { hint?: string };
    return { ...base, connection: { ok: false, error: err.message, hint: err.hint }, tables: { ok: false, error: err.message } };
  }
}
