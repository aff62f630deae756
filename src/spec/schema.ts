// The public contract of a migration spec (apiVersion mig/v1), as zod schemas.
// Every object is strict: an unknown field is an error, so a typo never passes silently.
import { z } from 'zod';
import { IGNORABLE_CHECK_IDS } from './precheck-ids.js';
import { name, topicName } from './schema-common.js';
import { Source } from './schema-source.js';
import { Destination, TablestoreType } from './schema-destination.js';
import { RetryWindows, Throttle } from './schema-operations.js';
import { DeadLetter, OnError } from './schema-errors.js';
import { Alerts, Heartbeat, Labels } from './schema-observe.js';

export { SECRET_REF } from './schema-common.js';
export * from './schema-source.js';
export * from './schema-destination.js';
export * from './schema-operations.js';
export * from './schema-errors.js';

export const Operation = z.enum(['insert', 'update', 'delete', 'ddl']);
export type Operation = z.infer<typeof Operation>;

/**
 * What a replicated DDL statement does to the stream: replicate it (DTS's default), ignore it (the
 * destination keeps its shape), or stop the stream before it so someone makes the change by hand.
 */
export const DdlPolicy = z.enum(['replicate', 'ignore', 'stop']);
export type DdlPolicy = z.infer<typeof DdlPolicy>;

export const MigrationType = z.enum(['schema', 'full', 'incremental']);
export type MigrationType = z.infer<typeof MigrationType>;

export const TableSpec = z.strictObject({
  name: name('table name').describe('Table name on the source.'),
  topic: topicName.optional().describe('Topic for this table (default: destination.topic).'),
  partitions: z
    .number()
    .int()
    .min(1)
    .max(10000)
    .optional()
    .describe("Partition count of this table's own topic; only applies when the table sets `topic`."),
  filter: z
    .string()
    .min(1)
    .optional()
    .describe('SQL WHERE condition evaluated on the source row (full load and binlog).'),
  operations: z
    .array(Operation)
    .min(1)
    .optional()
    .describe('Operations replicated for this table (default: insert, update, delete, ddl). A list without ddl means ddl: ignore.'),
  ddl: DdlPolicy.optional().describe("DDL on this table: replicate, ignore, or stop the stream before it (default: spec.ddl, else replicate; Tablestore reports DDL without replicating it)."),
  onError: OnError.optional().describe("This table's poison-event policy, overriding spec.onError."),
  partitionKey: z
    .array(name('column name'))
    .min(1)
    .optional()
    .describe('Kafka: columns hashed by the primary-key partition policy (default: the primary key).'),
  columns: z
    .union([
      z.strictObject({ include: z.array(name('column name')).min(1) }),
      z.strictObject({ exclude: z.array(name('column name')).min(1) }),
    ])
    .optional()
    .describe('Columns carried to the destination (messages, Tablestore attributes, MySQL columns): include lists the ones to keep, exclude the ones to drop.'),
  rename: z
    .record(z.string().min(1), z.string().min(1))
    .optional()
    .describe('Column names at the destination: source name → destination name.'),
  target: name('destination table name')
    .optional()
    .describe('Table name at the destination (tablestore, mysql; default the source name). Several source tables with one Tablestore target are merged.'),
  primaryKey: z
    .array(
      z.strictObject({
        column: name('column name').describe('Source column.'),
        type: z.enum(['STRING', 'INTEGER', 'BINARY']).optional().describe('Tablestore key type (default from the column type).'),
      }),
    )
    .min(1)
    .max(4)
    .optional()
    .describe('Tablestore primary key, 1 to 4 columns, the first is the partition key (default: the source primary key).'),
  columnTypes: z
    .record(z.string().min(1), TablestoreType)
    .optional()
    .describe('Tablestore attribute type per source column, overriding the default mapping.'),
});
export type TableSpec = z.infer<typeof TableSpec>;

export const ObjectSpec = z.strictObject({
  database: name('database name').describe('Database (schema) name on the source.'),
  target: name('destination database name').optional().describe('Database name at a mysql destination (default the source name).'),
  tables: z.array(TableSpec).min(1).optional().describe('Omit to take every table of the database.'),
});
export type ObjectSpec = z.infer<typeof ObjectSpec>;

export const FullLoadOptions = z.strictObject({
  chunkSize: z.number().int().min(1).max(1_000_000).default(5000).describe('Rows read per chunk during the full load.'),
});

export const MigrationSpecBody = z.strictObject({
  source: Source,
  destination: Destination,
  types: z
    .array(MigrationType)
    .min(1)
    .default(['schema', 'full', 'incremental'])
    .describe('Phases to run: schema, full (snapshot) and incremental (the binlog, or a TiDB source\'s feed).'),
  objects: z.array(ObjectSpec).min(1).describe('Databases and tables to migrate, processed in this order.'),
  ddl: DdlPolicy.optional().describe('DDL policy of tables that set none, and of DDL naming no migrated table (CREATE/DROP of other tables, DROP DATABASE): replicate (default), ignore or stop.'),
  full: FullLoadOptions.default({ chunkSize: 5000 }).describe('Full-load (snapshot) settings.'),
  conflictMode: z
    .enum(['error', 'ignore'])
    .optional()
    .describe('A topic holding messages mig did not write, or a destination table it did not create: error (default) fails the precheck; ignore writes into it (DTS: full load keeps existing rows, incremental overwrites).'),
  retry: RetryWindows.optional().describe('How long a failed run is retried in the process before it fails (DTS retry windows).'),
  onError: OnError.optional().describe('What the migration does with a change its destination refuses or mig cannot encode (default block; per table: objects[].tables[].onError).'),
  deadLetter: DeadLetter.optional().describe('Where dead letters go under onError: dead-letter (default: a topic or table named for the migration).'),
  throttle: Throttle.optional().describe('Rate limits for the full load and the stream, so a migration does not hurt production.'),
  heartbeat: Heartbeat.optional().describe('A heartbeat row written on the source so lag stays true while it is quiet (off unless enabled).'),
  alerts: Alerts.optional().describe('Webhooks called when the migration fails or its lag stays over a threshold.'),
  precheck: z
    .strictObject({
      ignore: z.array(z.enum(IGNORABLE_CHECK_IDS)).optional().describe('Ignorable precheck ids whose failures this migration accepts; reported as ignored.'),
    })
    .optional()
    .describe('Precheck settings.'),
});

export const MigrationDoc = z.strictObject({
  apiVersion: z.literal('mig/v1'),
  kind: z.literal('Migration'),
  metadata: z.strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,63}$/, {
        message: "must be 1 to 63 letters, digits or '-'",
      })
      .describe('Unique name of the migration; keys its state.'),
    description: z.string().optional().describe('Free text for people; part of the spec digest.'),
    labels: Labels.optional().describe("Labels such as env: prod (DTS's environment tag): shown by plan and status, attached to metrics and alerts."),
  }),
  spec: MigrationSpecBody,
});

/** A validated spec document, defaults applied. */
export type Migration = z.infer<typeof MigrationDoc>;
export type MigrationInput = z.input<typeof MigrationDoc>;
