// The spec of a Kafka destination: brokers, topics, message format and how messages are written.
// Spec layer: src/spec composes it into the destination union.
import { z } from 'zod';
import { topicName } from '../../../spec/schema-common.js';
import { brokerList, kafkaSasl, kafkaTls } from '../../kafka/config.js';

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
    ddlTopic: topicName
      .optional()
      .describe("Topic for DDL statements (default: the table's data topic, as DTS). Recommended: on a data topic DDL messages stop consumers that expect row changes (Flink's canal-json fails on ALTER)."),
    oversizedRow: z
      .enum(['fail', 'skip'])
      .optional()
      .describe('An older name for spec.onError: fail is block, skip is skip (default fail). A message over maxMessageBytes is one of the changes onError decides about.'),
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
    delivery: z
      .enum(['at-least-once', 'exactly-once'])
      .optional()
      .describe("at-least-once (default): after a crash some changes are sent again. exactly-once: each batch of source transactions and mig's checkpoint are written in one Kafka transaction (a read_committed consumer sees every change once); needs acks all."),
    checkpointTopic: topicName
      .optional()
      .describe('With delivery exactly-once: the compacted topic holding the checkpoints, one record per migration (default mig.checkpoints).'),
  })
  .describe('An Apache Kafka cluster receiving the change stream.');
export type KafkaDestination = z.infer<typeof KafkaDestination>;
