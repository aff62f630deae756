// The Kafka connection settings of the spec, shared by the Kafka sink's destination and the TiDB
// source's feed: brokers, SASL and TLS. Spec layer (zod and the spec's building blocks only).
import { z } from 'zod';
import { secretRef } from '../../spec/schema-common.js';

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
