// The spec of a Tablestore destination, and the attribute types a table may set per column.
// Spec layer: src/spec composes it into the destination union.
import { z } from 'zod';
import { secretRef } from '../../../spec/schema-common.js';

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
      .optional()
      .describe('An older name for spec.onError (block or skip) that only Tablestore had: a row Tablestore rejects stops the migration (block, the default) or is recorded and skipped.'),
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

export const TablestoreType = z.enum(['STRING', 'INTEGER', 'DOUBLE', 'BOOLEAN', 'BINARY']);
export type TablestoreType = z.infer<typeof TablestoreType>;

/** Why `ddl: replicate` is refused here: the spec check says it, and the sink reports DDL instead. */
export const TABLESTORE_DDL_NOT_REPLICATED =
  'Tablestore has no DDL to run: an ALTER on the source is reported during apply and the destination table keeps its key and attribute types';
