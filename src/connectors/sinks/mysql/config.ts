// The spec of a MySQL destination. Spec layer: src/spec composes it into the destination union.
import { z } from 'zod';
import { secretRef } from '../../../spec/schema-common.js';

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
