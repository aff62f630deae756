// The destination a migration writes: Kafka topics, Tablestore tables, or a MySQL database.
import { z } from 'zod';
import { secretRef, topicName } from './schema-common.js';
import { brokerList, kafkaSasl, kafkaTls } from './schema-source.js';

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
    queueSize: z.number().int().min(1).max(1_000_000).default(5000).describe('Rows buffered ahead of the writers before reading pauses.'),
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
