// The spec of a MySQL-family source (MySQL, MariaDB, PolarDB for MySQL, PolarDB-X), read through
// its binary log. Spec layer: src/spec composes it into the source union.
import { z } from 'zod';
import { secretRef } from '../../../spec/schema-common.js';

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

/** A MySQL-family source's binary log feeds every destination kind. */
export const BINLOG_SOURCE_DESTINATIONS = ['kafka', 'tablestore', 'mysql'] as const;
