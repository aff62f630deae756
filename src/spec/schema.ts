// The public contract of a migration spec (apiVersion mig/v1), as zod schemas.
// Every object is strict: an unknown field is an error, so a typo never passes silently.
import { z } from 'zod';
import { IGNORABLE_CHECK_IDS } from '../precheck/catalog.js';

/** `${env:NAME}` or `${file:PATH}`: secrets are only ever referenced, never written inline. */
export const SECRET_REF = /^\$\{(env|file):([^}]+)\}$/;

const secretRef = z
  .string()
  .regex(SECRET_REF, {
    message: 'must be a secret reference: write ${env:NAME} or ${file:PATH}, never the secret itself',
  })
  .describe('A secret reference: ${env:NAME} or ${file:PATH}. Resolved at run time; never stored.');

const name = (what: string) =>
  z
    .string()
    .min(1, { message: `${what} must not be empty` })
    .max(249, { message: `${what} is longer than 249 characters` });

const topicName = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,249}$/, {
    message: "must be a Kafka topic name: 1 to 249 of letters, digits, '.', '_' and '-'",
  });

export const Operation = z.enum(['insert', 'update', 'delete', 'ddl']);
export type Operation = z.infer<typeof Operation>;

export const MigrationType = z.enum(['schema', 'full', 'incremental']);
export type MigrationType = z.infer<typeof MigrationType>;

export const SourceFlavor = z.enum(['mysql', 'mariadb', 'polardb-mysql', 'polardb-x']);

export const MysqlSource = z
  .strictObject({
    type: SourceFlavor.describe('Source flavour; all speak the MySQL protocol and binlog.'),
    host: z.string().min(1).describe('Host name or address of the source server.'),
    port: z.number().int().min(1).max(65535).default(3306).describe('TCP port of the source server.'),
    user: z.string().min(1).describe('User mig connects to the source as.'),
    password: secretRef.optional(),
    serverId: z
      .number()
      .int()
      .min(1)
      .max(4294967295)
      .optional()
      .describe('Replication server id mig registers with; default derived from the migration name.'),
    floatPrecision: z
      .number()
      .int()
      .min(0)
      .max(38)
      .optional()
      .describe('Decimal places FLOAT values keep, as DTS reads them with ROUND(col, n) (default 38: nothing is cut).'),
    doublePrecision: z
      .number()
      .int()
      .min(0)
      .max(308)
      .optional()
      .describe('Decimal places DOUBLE values keep, as DTS reads them with ROUND(col, n) (default 308: nothing is cut).'),
    connectTimeoutMs: z.number().int().min(100).default(10000).describe('Connection timeout in milliseconds.'),
  })
  .describe('A MySQL-family source.');
export type MysqlSource = z.infer<typeof MysqlSource>;

const kafkaSasl = z
  .strictObject({
    mechanism: z.enum(['scram-sha-256', 'scram-sha-512', 'plain']),
    username: z.string().min(1),
    password: secretRef,
  })
  .describe('SASL authentication; the password only by reference.');

const kafkaTls = z
  .strictObject({
    ca: z.string().min(1).optional().describe('PEM file of the CA that signed the brokers\' certificates (relative to the project root).'),
    servername: z.string().min(1).optional().describe('Name expected in the brokers\' certificates (default: the broker host).'),
  })
  .describe('Connect to the brokers over TLS.');

const brokerList = z
  .array(z.string().regex(/^[^\s:]+:\d{1,5}$/, { message: 'must be host:port' }))
  .min(1)
  .describe('Bootstrap brokers, each host:port.');

/** The Kafka topic TiDB-Binlog's Drainer (or TiCDC, or mig) writes the change feed to. */
export const BinlogKafka = z
  .strictObject({
    brokers: brokerList,
    topic: topicName.describe('Topic holding the change feed.'),
    format: z
      .enum(['drainer', 'canal-json'])
      .default('drainer')
      .describe('drainer: TiDB-Binlog protobuf, one message per upstream transaction (partition 0); canal-json: one message per row change (TiCDC or mig), every partition.'),
    maxMessageBytes: z
      .number()
      .int()
      .min(1024)
      .max(2_147_483_647)
      .default(1_073_741_824)
      .describe('Largest message mig accepts (Drainer never splits a transaction; the manual raises Kafka to 1 GiB). A larger one stops the migration naming its offset.'),
    fetchBytes: z
      .number()
      .int()
      .min(1024)
      .max(2_147_483_647)
      .default(1_048_576)
      .describe("Bytes asked per fetch (Kafka's max.partition.fetch.bytes); a larger message is still fetched whole."),
    sasl: kafkaSasl.optional(),
    tls: kafkaTls.optional(),
    clientId: z.string().min(1).optional().describe('Client id mig identifies itself with to Kafka.'),
  })
  .describe('Where the incremental change feed is read from.');
export type BinlogKafka = z.infer<typeof BinlogKafka>;

export const TidbSource = z
  .strictObject({
    type: z.literal('tidb'),
    host: z.string().min(1).describe('Host name or address of a TiDB server (MySQL protocol).'),
    port: z.number().int().min(1).max(65535).default(4000).describe('TCP port of the TiDB server.'),
    user: z.string().min(1).describe('User mig connects to TiDB as.'),
    password: secretRef.optional(),
    binlogKafka: BinlogKafka.optional().describe('The Drainer (or canal-json) topic feeding incremental migration; required when spec.types has incremental.'),
    floatPrecision: MysqlSource.shape.floatPrecision,
    doublePrecision: MysqlSource.shape.doublePrecision,
    connectTimeoutMs: MysqlSource.shape.connectTimeoutMs,
  })
  .describe('A TiDB cluster: schema and full data over its MySQL protocol, changes from TiDB-Binlog in Kafka.');
export type TidbSource = z.infer<typeof TidbSource>;

export const Source = z.discriminatedUnion('type', [MysqlSource, TidbSource]);
export type Source = z.infer<typeof Source>;

export const KafkaDestination = z
  .strictObject({
    type: z.literal('kafka'),
    brokers: brokerList,
    topic: topicName.describe('Default topic for tables without their own mapping.'),
    format: z.enum(['canal-json', 'dts-avro', 'shareplex-json']).default('canal-json').describe('Message format written to the topics.'),
    compression: z
      .enum(['lz4', 'gzip', 'snappy', 'none'])
      .optional()
      .describe('Compression of message batches (default lz4, as DTS).'),
    acks: z
      .enum(['none', 'leader', 'all'])
      .optional()
      .describe('Acknowledgement mig waits for before a checkpoint moves (default all; none and leader can lose acknowledged changes when a broker fails).'),
    partitioning: z
      .strictObject({
        policy: z
          .enum(['single', 'table', 'primary-key'])
          .describe('single: everything to partition 0; table: hash of database.table; primary-key: hash of the key columns.'),
      })
      .optional()
      .describe('How rows are spread over partitions (default primary-key). DDL and rows without a key go to partition 0.'),
    ddlTopic: topicName.optional().describe('Topic for DDL statements (default: the table\'s data topic).'),
    oversizedRow: z
      .enum(['fail', 'skip'])
      .optional()
      .describe('A message over maxMessageBytes: fail names the table and key; skip records it in the state and goes on (default fail).'),
    maxMessageBytes: z.number().int().min(1024).max(1_073_741_824).optional().describe('Largest message mig writes (default 10 MiB, as DTS).'),
    schemaRegistry: z
      .strictObject({ url: z.string().url().describe('Confluent-compatible schema registry base URL.') })
      .optional()
      .describe('With dts-avro: register the value schema per topic subject and frame messages with its id.'),
    sasl: kafkaSasl.optional(),
    tls: kafkaTls.optional(),
    nameCase: z
      .enum(['source', 'lower', 'upper'])
      .optional()
      .describe('Capitalisation of database, table and column names in messages (default source, as DTS).'),
    partitions: z.number().int().min(1).max(10000).default(1).describe('Partition count of topics mig creates.'),
    replicationFactor: z.number().int().min(1).max(32).default(1).describe('Replication factor of topics mig creates.'),
    clientId: z.string().min(1).optional().describe('Client id mig identifies itself with to Kafka.'),
  })
  .describe('An Apache Kafka cluster receiving the change stream.');
export type KafkaDestination = z.infer<typeof KafkaDestination>;

export const TablestoreDestination = z
  .strictObject({
    type: z.literal('tablestore'),
    endpoint: z.string().url().describe('Instance endpoint, e.g. https://myinstance.cn-hangzhou.ots.aliyuncs.com.'),
    instance: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{2,15}$/, { message: "must be a Tablestore instance name: 3 to 16 letters, digits or '-', starting with a letter" }).describe('Instance name.'),
    accessKeyId: secretRef.describe('AccessKey id, by reference.'),
    accessKeySecret: secretRef.describe('AccessKey secret, by reference.'),
    writeMode: z
      .enum(['update', 'overwrite'])
      .default('update')
      .describe('update: UpdateRow, columns the change does not carry keep their values; overwrite: PutRow, the row is replaced.'),
    batchMode: z
      .enum(['batch-write', 'bulk-import'])
      .default('batch-write')
      .describe('Request used for writes: batch-write (BatchWriteRow, 200 rows / 4 MB a request) or bulk-import (BulkImport, offline write).'),
    dirtyData: z
      .enum(['skip', 'block'])
      .default('block')
      .describe('A row Tablestore rejects: skip records the row and the error in the state and goes on; block stops the migration with the error.'),
    queueSize: z.number().int().min(1).max(1_000_000).default(10000).describe('Rows buffered ahead of the writers before reading pauses.'),
    threads: z.number().int().min(1).max(64).default(4).describe('Full-load chunks encoded and written at the same time.'),
    concurrency: z.number().int().min(1).max(256).default(8).describe('Requests in flight to the instance at most.'),
    buckets: z.number().int().min(1).max(256).default(4).describe('Ordered lanes for incremental writes (at most concurrency); a key always uses the same lane.'),
    maxVersions: z.number().int().min(1).max(2_147_483_647).default(1).describe('Versions kept per attribute column in tables mig creates.'),
    timeToLive: z.number().int().min(-1).max(2_147_483_647).default(-1).describe('Seconds data lives in tables mig creates (-1: forever).'),
    mergeColumn: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,254}$/)
      .default('__dts_data_source')
      .describe('Key column added to a table several source tables are merged into, holding database.table of each row.'),
  })
  .describe('An Alibaba Cloud Tablestore instance (wide-column tables).');
export type TablestoreDestination = z.infer<typeof TablestoreDestination>;

export const MysqlDestination = z
  .strictObject({
    type: z.literal('mysql'),
    host: z.string().min(1).describe('Host name or address of the destination server.'),
    port: z.number().int().min(1).max(65535).default(3306).describe('TCP port of the destination server.'),
    user: z.string().min(1).describe('User mig connects to the destination as.'),
    password: secretRef.optional(),
    tls: z
      .strictObject({
        ca: z.string().min(1).optional().describe('PEM file of the CA that signed the server certificate (relative to the project root).'),
        servername: z.string().min(1).optional().describe('Name expected in the server certificate.'),
      })
      .optional()
      .describe('Connect over TLS (the certificate is verified).'),
    checkpointDatabase: z
      .string()
      .regex(/^[A-Za-z0-9_$]{1,64}$/)
      .default('mig')
      .describe('Database of the mig_checkpoint table, written in the same transaction as each applied change.'),
    batchRows: z.number().int().min(1).max(100_000).default(1000).describe('Rows per INSERT during the full load.'),
    connectTimeoutMs: z.number().int().min(100).default(10000).describe('Connection timeout in milliseconds.'),
  })
  .describe('A MySQL-compatible database receiving the data.');
export type MysqlDestination = z.infer<typeof MysqlDestination>;

export const Destination = z.discriminatedUnion('type', [KafkaDestination, TablestoreDestination, MysqlDestination]);
export type Destination = z.infer<typeof Destination>;

export const TablestoreType = z.enum(['STRING', 'INTEGER', 'DOUBLE', 'BOOLEAN', 'BINARY']);
export type TablestoreType = z.infer<typeof TablestoreType>;

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
    .describe('Operations replicated for this table (default: insert, update, delete, ddl).'),
  partitionKey: z
    .array(name('column name'))
    .min(1)
    .optional()
    .describe('Columns hashed by the primary-key partition policy (default: the primary key).'),
  columns: z
    .union([
      z.strictObject({ include: z.array(name('column name')).min(1) }),
      z.strictObject({ exclude: z.array(name('column name')).min(1) }),
    ])
    .optional()
    .describe('Columns carried in messages: include lists the ones to keep, exclude the ones to drop.'),
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
    .describe('Phases to run: schema, full (snapshot) and incremental (binlog).'),
  objects: z.array(ObjectSpec).min(1).describe('Databases and tables to migrate, processed in this order.'),
  full: FullLoadOptions.default({ chunkSize: 5000 }).describe('Full-load (snapshot) settings.'),
  conflictMode: z
    .enum(['error', 'ignore'])
    .optional()
    .describe('A topic to write that holds messages mig did not write: error (default) fails the precheck; ignore appends after them (DTS: full load keeps existing rows, incremental overwrites).'),
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
  }),
  spec: MigrationSpecBody,
});

/** A validated spec document, defaults applied. */
export type Migration = z.infer<typeof MigrationDoc>;
export type MigrationInput = z.input<typeof MigrationDoc>;
