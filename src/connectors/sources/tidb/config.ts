// The spec of a TiDB source: MySQL protocol for schema and full data, its TiDB-Binlog change feed
// in Kafka (BinlogKafka) for incremental. Spec layer: src/spec composes it into the source union.
import { z } from 'zod';
import { secretRef, topicName } from '../../../spec/schema-common.js';
import { brokerList, kafkaSasl, kafkaTls } from '../../kafka/config.js';
import { MysqlSource } from '../mysql/config.js';

/** A fixed UTC offset: `+05:30`, `-0800`. */
export const FIXED_OFFSET = /^([+-])(\d{2}):?(\d{2})$/;

/**
 * Whether `zone` names a time zone mig can convert from: an IANA name the runtime knows
 * (`Asia/Shanghai`, `UTC`) or a fixed offset `±HH:MM` up to ±14:00.
 */
export function isFeedTimeZone(zone: string): boolean {
  const fixed = FIXED_OFFSET.exec(zone.trim());
  if (fixed) return Number(fixed[3]) < 60 && Number(fixed[2]) * 60 + Number(fixed[3]) <= 14 * 60;
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

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
    timeZone: z
      .string()
      .refine(isFeedTimeZone, { message: 'expected an IANA time zone name (e.g. Asia/Shanghai, UTC) or an offset ±HH:MM (e.g. +05:30)' })
      .optional()
      .describe("Time zone the feed's TIMESTAMP values are written in when a message does not name one (default UTC): Drainer writes them in its own process's zone (its TZ) and usually leaves the message's time_zone unset; TiCDC canal-json in the changefeed's time zone. An IANA name (Asia/Shanghai) or an offset ±HH:MM."),
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

/** The destinations a TiDB source can feed, and why: its feed is applied with the destination's checkpoint. */
export const TIDB_DESTINATIONS = ['mysql'] as const;
export const TIDB_PAIRING_REASON = 'its changes come from TiDB-Binlog in Kafka, not a MySQL binlog';
