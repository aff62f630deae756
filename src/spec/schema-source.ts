// The source a migration reads: a MySQL-family server (binlog), or TiDB (MySQL protocol for schema
// and full data, its TiDB-Binlog change feed in Kafka for incremental).
import { z } from 'zod';
import { secretRef, topicName } from './schema-common.js';

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

export const kafkaSasl = z
  .strictObject({
    mechanism: z.enum(['scram-sha-256', 'scram-sha-512', 'plain']),
    username: z.string().min(1),
    password: secretRef,
  })
  .describe('SASL authentication; the password only by reference.');

export const kafkaTls = z
  .strictObject({
    ca: z.string().min(1).optional().describe('PEM file of the CA that signed the brokers\' certificates (relative to the project root).'),
    servername: z.string().min(1).optional().describe('Name expected in the brokers\' certificates (default: the broker host).'),
  })
  .describe('Connect to the brokers over TLS.');

export const brokerList = z
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
