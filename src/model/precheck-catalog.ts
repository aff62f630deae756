// The precheck items by stable id: how serious a failure is, whether a spec may accept it, and
// what it reads. The ids a spec may ignore are listed in the spec layer (spec/precheck-ids.ts), as
// part of the spec contract; the ignorable flags here must name the same checks.
import { IGNORABLE_CHECK_IDS, type IgnorableCheckId } from '../spec/precheck-ids.js';

export type PrecheckSeverity = 'error' | 'warning';

export interface CheckMeta {
  severity: PrecheckSeverity;
  /** Whether `spec.precheck.ignore` may accept a failure (DTS's "Confirm Alert Details > Ignore"). */
  ignorable: boolean;
  /** One line for --help and docs. */
  title: string;
  /** What the check reads, so a failure can be reproduced by hand. */
  reads: string;
}

/**
 * Ids are part of the spec contract (`spec.precheck.ignore`): never rename one. Errors stop
 * apply and are not ignorable; warnings are risks a team may accept in review.
 */
export const CHECKS = {
  'source.connection': {
    severity: 'error',
    ignorable: false,
    title: 'the source is reachable and accepts the user',
    reads: 'a connection as spec.source.user; CURRENT_USER()',
  },
  'source.version': {
    severity: 'error',
    ignorable: false,
    title: 'the source server version is supported (MySQL 5.6+, MariaDB 10.2+)',
    reads: 'VERSION()',
  },
  'source.objects-exist': {
    severity: 'error',
    ignorable: false,
    title: 'the databases and tables in spec.objects exist on the source',
    reads: 'information_schema.SCHEMATA, information_schema.TABLES',
  },
  'source.binlog-enabled': {
    severity: 'error',
    ignorable: false,
    title: 'binary logging is on (incremental)',
    reads: 'log_bin; PolarDB for MySQL: polar_log_bin (loose_polar_log_bin)',
  },
  'source.binlog-format': {
    severity: 'error',
    ignorable: false,
    title: 'binlog_format is ROW (incremental)',
    reads: 'binlog_format',
  },
  'source.binlog-row-image': {
    severity: 'error',
    ignorable: false,
    title: 'binlog_row_image is FULL (incremental)',
    reads: 'binlog_row_image',
  },
  'source.binlog-row-metadata': {
    severity: 'error',
    ignorable: false,
    title: 'binlog_row_metadata is FULL where the server has it (incremental)',
    reads: 'binlog_row_metadata (MariaDB 10.5+, MySQL 8.0+)',
  },
  'source.log-slave-updates': {
    severity: 'warning',
    ignorable: true,
    title: 'a source that is itself a replica (dual-primary) logs what it replicates (incremental)',
    reads: 'SHOW REPLICA STATUS / SHOW ALL SLAVES STATUS / SHOW SLAVE STATUS; log_slave_updates, log_replica_updates',
  },
  'source.binlog-retention': {
    severity: 'warning',
    ignorable: true,
    title: 'binary logs are kept 3 days (PolarDB) or 7 days (self-managed) (incremental)',
    reads: 'binlog_expire_logs_seconds, expire_logs_days, binlog_expire_logs_auto_purge, expire_logs_hours',
  },
  'source.privilege-select': {
    severity: 'error',
    ignorable: false,
    title: 'the user may SELECT the migrated databases and tables',
    reads: 'SHOW GRANTS (with active roles)',
  },
  'source.privilege-replication': {
    severity: 'error',
    ignorable: false,
    title: 'the user has REPLICATION SLAVE and REPLICATION CLIENT (MariaDB 10.5+: or BINLOG MONITOR) (incremental)',
    reads: 'SHOW GRANTS (with active roles)',
  },
  'source.privilege-backfill': {
    severity: 'error',
    ignorable: false,
    title: 'a migration that has streamed and gets tables to backfill: the user may create and write mig_meta.* (the watermark table)',
    reads: 'SHOW GRANTS (with active roles); the recorded state (checkpoint, tables) and the spec resolved against the source',
  },
  'source.privilege-heartbeat': {
    severity: 'error',
    ignorable: false,
    title: 'with spec.heartbeat enabled: the user may create and write the heartbeat table (CREATE, INSERT, UPDATE on its database) (incremental)',
    reads: 'SHOW GRANTS (with active roles); spec.heartbeat',
  },
  'source.views': {
    severity: 'warning',
    ignorable: true,
    title: 'views: not migrated to Kafka or Tablestore (base tables only); created at a MySQL destination for databases taken whole, which needs SHOW VIEW',
    reads: 'information_schema.TABLES (TABLE_TYPE = VIEW); SHOW GRANTS for SHOW VIEW',
  },
  'source.primary-key': {
    severity: 'warning',
    ignorable: true,
    title: 'every table has a primary key or a unique key over NOT NULL columns',
    reads: 'information_schema.TABLES, information_schema.STATISTICS',
  },
  'source.invisible-columns': {
    severity: 'warning',
    ignorable: true,
    title: 'invisible columns (MySQL 8.0.23+, MariaDB 10.3+) are carried, though SELECT * hides them',
    reads: "information_schema.COLUMNS (EXTRA LIKE '%INVISIBLE%')",
  },
  'source.server-id': {
    severity: 'error',
    ignorable: false,
    title: "mig's replication server id differs from the source's and from other migrations' on the same source",
    reads: '@@server_id; spec.source.serverId of every loaded migration',
  },
  'destination.connection': {
    severity: 'error',
    ignorable: false,
    title: 'the destination (Kafka brokers, Tablestore instance or MySQL server) is reachable and accepts the credentials',
    reads: 'a Kafka admin connection and the topic list; ListTable on the Tablestore instance; a MySQL session',
  },
  'destination.topic-names': {
    severity: 'error',
    ignorable: false,
    title: "topic names are legal Kafka names: [A-Za-z0-9._-], at most 249 characters, not '.' or '..'",
    reads: 'the spec',
  },
  'destination.topic-collision': {
    severity: 'error',
    ignorable: false,
    title: "no topic to create differs from another only by '.' versus '_'",
    reads: "the spec; the brokers' topic list",
  },
  'destination.existing-topics': {
    severity: 'error',
    ignorable: false,
    title: 'topics holding messages exist only if this migration created them (conflictMode: error)',
    reads: "the brokers' topic list and offsets; the recorded state",
  },
  'destination.existing-tables': {
    severity: 'error',
    ignorable: false,
    title: 'destination tables exist only if this migration created them (conflictMode: error; DTS "Precheck and Report Errors")',
    reads: 'ListTable (Tablestore) or information_schema.TABLES (MySQL); the recorded state',
  },
  'destination.tablestore-limits': {
    severity: 'error',
    ignorable: false,
    title: 'Tablestore: at most 64 tables per instance, valid names, 1 to 4 key columns of STRING, INTEGER or BINARY, existing tables keyed as mig writes',
    reads: 'ListTable, DescribeTable of existing targets; the source tables and the spec mapping',
  },
  'source.feed-topic': {
    severity: 'error',
    ignorable: false,
    title: 'TiDB: the TiDB-Binlog (or canal-json) topic exists and is readable',
    reads: 'the topic metadata and offsets of spec.source.binlogKafka.topic',
  },
  'migration.table-count': {
    severity: 'warning',
    ignorable: true,
    title: 'at most 1,000 tables listed one by one in a migration',
    reads: 'the spec',
  },
} as const satisfies Record<string, CheckMeta>;

export type CheckId = keyof typeof CHECKS;

export const CHECK_IDS = Object.keys(CHECKS) as CheckId[];

/** The ids `spec.precheck.ignore` accepts. */
export { IGNORABLE_CHECK_IDS };

// Compile-time agreement: the checks flagged ignorable above are exactly the spec's list.
type FlaggedIgnorable = { [K in CheckId]: (typeof CHECKS)[K]['ignorable'] extends true ? K : never }[CheckId];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
true satisfies Same<FlaggedIgnorable, IgnorableCheckId>;
