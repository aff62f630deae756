// The source a migration reads: a MySQL-family server (binlog), or TiDB (MySQL protocol for schema
// and full data, its TiDB-Binlog change feed in Kafka for incremental). Each kind's schema sits in
// its folder (connectors/sources/<kind>/config.ts); this is their union.
import { z } from 'zod';
import { MysqlSource } from '../connectors/sources/mysql/config.js';
import { TidbSource } from '../connectors/sources/tidb/config.js';

export { MysqlSource, SourceFlavor } from '../connectors/sources/mysql/config.js';
export { BinlogKafka, TidbSource } from '../connectors/sources/tidb/config.js';
export { brokerList, kafkaSasl, kafkaTls } from '../connectors/kafka/config.js';

export const Source = z.discriminatedUnion('type', [MysqlSource, TidbSource]);
export type Source = z.infer<typeof Source>;
