// The destination a migration writes: Kafka topics, Tablestore tables, or a MySQL database. Each
// kind's schema sits in its folder (connectors/sinks/<kind>/config.ts); this is their union.
import { z } from 'zod';
import { KafkaDestination } from '../connectors/sinks/kafka/config.js';
import { MysqlDestination } from '../connectors/sinks/mysql/config.js';
import { TablestoreDestination } from '../connectors/sinks/tablestore/config.js';

export { KafkaDestination } from '../connectors/sinks/kafka/config.js';
export { TablestoreDestination, TablestoreType } from '../connectors/sinks/tablestore/config.js';
export { MysqlDestination } from '../connectors/sinks/mysql/config.js';

export const Destination = z.discriminatedUnion('type', [KafkaDestination, TablestoreDestination, MysqlDestination]);
export type Destination = z.infer<typeof Destination>;
