// One kafkajs client per destination, with errors turned into messages a user can act on.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import './kafkajs-grouping.js';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { KafkaDestination } from '../../spec/schema.js';
import { redactSecrets } from '../../spec/secrets.js';
import type { ErrorClass } from '../contract.js';
import { MigError } from '../../util/errors.js';
import { registerCompressionCodecs } from './compression.js';
import type { KafkaSecrets } from './secrets.js';

/**
 * What a connection needs from a Kafka spec: the destination's, or a source feed's (the TiDB
 * source's binlogKafka has the same fields).
 */
export type KafkaEndpoint = Pick<KafkaDestination, 'brokers' | 'sasl' | 'tls' | 'clientId'>;

export interface KafkaClientOptions {
  retries?: number;
  /** From resolveKafkaSecrets; required when the destination sets sasl. */
  secrets?: KafkaSecrets;
}

export function kafkaClient(dest: KafkaEndpoint, opts: KafkaClientOptions = {}): Kafka {
  registerCompressionCodecs();
  const secrets = opts.secrets ?? {};
  const config: KafkaConfig = {
    clientId: dest.clientId ?? 'mig',
    brokers: dest.brokers,
    connectionTimeout: 5000,
    requestTimeout: 30000,
    // kafkajs logs through console by default; mig reports errors itself.
    logLevel: logLevel.NOTHING,
    retry: { retries: opts.retries ?? 8, initialRetryTime: 200, maxRetryTime: 5000 },
  };
  const sasl = saslOptions(dest, secrets);
  if (sasl) config.sasl = sasl;
  const ssl = sslOptions(dest, secrets);
  if (ssl) config.ssl = ssl;
  return new Kafka(config);
}

function saslOptions(dest: KafkaEndpoint, secrets: KafkaSecrets): SASLOptions | undefined {
  if (!dest.sasl) return undefined;
  const { mechanism, username } = dest.sasl;
  if (secrets.saslPassword === undefined) {
    // A caller that forgot resolveKafkaSecrets; connecting without the password would only
    // produce a misleading authentication failure.
    throw new MigError('secret-unresolved', `the password for Kafka user ${username} (spec.destination.sasl.password) was not resolved before connecting`);
  }
  return { mechanism, username, password: secrets.saslPassword };
}

function sslOptions(dest: KafkaEndpoint, secrets: KafkaSecrets): ConnectionOptions | undefined {
  if (!dest.tls) return undefined;
  // An empty object still means TLS: Node then verifies against its bundled CAs.
  const out: ConnectionOptions = {};
  if (dest.tls.ca) {
    const file = secrets.caFile ?? path.resolve(dest.tls.ca);
    out.ca = [readCa(file)];
  }
  // Only when set: kafkajs sends each broker's host name as SNI unless this overrides it.
  if (dest.tls.servername) out.servername = dest.tls.servername;
  return out;
}

function readCa(file: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : code;
    throw new MigError('kafka-tls', `cannot read the CA file ${file} (spec.destination.tls.ca): ${why}`, 'fix the path; relative paths start at the project root');
  }
  // Node silently ignores a CA that is not PEM, which would surface later as an unrelated
  // verification failure.
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new MigError('kafka-tls', `the CA file ${file} (spec.destination.tls.ca) holds no PEM certificate`, 'give the CA certificate in PEM form (-----BEGIN CERTIFICATE-----)');
  }
  return pem;
}

interface ErrorLink {
  name: string;
  message: string;
  code: string;
  type: string;
  /** kafkajs marks the protocol errors a later attempt can get past. */
  retriable: boolean;
}

/** The error and its causes (kafkajs wraps the socket's error in retry errors). */
function chain(e: unknown): ErrorLink[] {
  const out: ErrorLink[] = [];
  let cur: unknown = e;
  while (cur && out.length < 6) {
    const err = cur as Error & { type?: unknown; code?: unknown; cause?: unknown; retriable?: unknown };
    out.push({ name: String(err.name ?? ''), message: String(err.message ?? cur), code: String(err.code ?? ''), type: String(err.type ?? ''), retriable: err.retriable === true });
    cur = err.cause;
  }
  return out;
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS_|ERR_SSL_|EPROTO|HOSTNAME_MISMATCH/;
const TLS_TEXT = /certificate|self[- ]signed|secure TLS connection|SSL routines|wrong version number|altnames/i;

export function kafkaError(dest: KafkaEndpoint, e: unknown): MigError {
  if (e instanceof MigError) return e;
  const links = chain(e);
  const brokers = dest.brokers.join(', ');
  const msg = redactSecrets(links[0]!.message);
  const all = links.map((l) => `${l.name} ${l.type} ${l.code} ${l.message}`).join(' | ');
  if (dest.sasl && /KafkaJSSASLAuthenticationError|SASL_AUTHENTICATION_FAILED|ILLEGAL_SASL_STATE|UNSUPPORTED_SASL_MECHANISM/i.test(all)) {
    return authError(dest, brokers, msg, all);
  }
  if (dest.tls) {
    // The socket's own error carries the code (SELF_SIGNED_CERT_IN_CHAIN…); wrappers only repeat its text.
    const tls = links.find((l) => TLS_CODES.test(l.code)) ?? links.find((l) => TLS_TEXT.test(l.message));
    if (tls) return tlsError(dest, brokers, tls);
  }
  if (/KafkaJSConnectionClosedError|Closed connection/i.test(all)) {
    // What a broker does when the client's security protocol is not the listener's.
    const mine = `sasl ${dest.sasl ? dest.sasl.mechanism : 'off'}, tls ${dest.tls ? 'on' : 'off'}`;
    return new MigError('kafka-error', `the Kafka brokers ${brokers} closed the connection (this destination has ${mine})`,
      'when this happens on connecting, spec.destination.sasl or tls does not match the listener spec.destination.brokers names: brokers close connections that speak another security protocol', { cause: e });
  }
  if (/ECONNREFUSED|Connection error|connect ETIMEDOUT|KafkaJSConnectionError|Failed to connect/i.test(all)) {
    return new MigError('kafka-unreachable', `cannot reach the Kafka brokers ${brokers}: ${msg}`,
      'check spec.destination.brokers and that the cluster is running', { cause: e });
  }
  if (/UNKNOWN_TOPIC_OR_PARTITION|does not host this topic/i.test(all)) {
    return new MigError('kafka-topic-missing', `a topic is missing on ${brokers}: ${msg}`,
      'run mig plan: it shows the topic to recreate, and mig apply creates it');
  }
  return new MigError('kafka-error', `Kafka (${brokers}): ${msg}`, undefined, { cause: e });
}

const AUTH = /KafkaJSSASLAuthenticationError|SASL_AUTHENTICATION_FAILED|ILLEGAL_SASL_STATE|UNSUPPORTED_SASL_MECHANISM|AUTHORIZATION_FAILED/i;
const CONNECTION = /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|Connection error|KafkaJSConnectionError|KafkaJSConnectionClosedError|Closed connection|Failed to connect|KafkaJSRequestTimeoutError|kafka-unreachable/i;

/**
 * Lost or refused connections and timeouts are worth retrying with the connection window, errors
 * kafkajs marks retriable (a leader moving, too few in-sync replicas, throttling) with the other
 * window; authentication, authorisation, TLS and everything else a retry cannot fix.
 */
export function classifyKafkaError(e: unknown): ErrorClass {
  const links = chain(e);
  const all = links.map((l) => `${l.name} ${l.type} ${l.code} ${l.message}`).join(' | ');
  if (AUTH.test(all) || links.some((l) => TLS_CODES.test(l.code))) return 'fatal';
  if (e instanceof MigError && e.code === 'kafka-unreachable') return 'retryable-connection';
  if (CONNECTION.test(all)) return 'retryable-connection';
  return links.some((l) => l.retriable) ? 'retryable-other' : 'fatal';
}

function authError(dest: KafkaEndpoint, brokers: string, msg: string, all: string): MigError {
  const { mechanism, username } = dest.sasl!;
  const mech = mechanism.toUpperCase();
  const who = `SASL ${mech} as user ${username}`;
  if (/ILLEGAL_SASL_STATE/i.test(all)) {
    return new MigError('kafka-auth', `the Kafka brokers ${brokers} do not expect SASL on this listener (${who})`,
      'point spec.destination.brokers at the SASL listener, or remove spec.destination.sasl');
  }
  if (/UNSUPPORTED_SASL_MECHANISM/i.test(all)) {
    return new MigError('kafka-auth', `the Kafka brokers ${brokers} do not enable ${mech} (${who})`,
      "set spec.destination.sasl.mechanism to one the listener's sasl.enabled.mechanisms lists");
  }
  return new MigError('kafka-auth', `the Kafka brokers ${brokers} rejected ${who}: ${msg}`,
    `check the user name and the password behind ${dest.sasl!.password}, and that the user has ${mech} credentials`);
}

function tlsError(dest: KafkaEndpoint, brokers: string, link: ErrorLink): MigError {
  const caFile = dest.tls!.ca;
  const ca = caFile ? `the CA file ${caFile}` : "the system's CAs (spec.destination.tls.ca is not set)";
  const what = `${redactSecrets(link.message.replace(/^(Connection error|Failed to connect): /, ''))}${link.code ? ` (${link.code})` : ''}`;
  let hint = caFile
    ? `check that ${caFile} holds the CA that signed the brokers' certificates`
    : "set spec.destination.tls.ca to the PEM file of the CA that signed the brokers' certificates";
  if (/ALTNAME|HOSTNAME|altnames/i.test(`${link.code} ${link.message}`)) {
    hint = "set spec.destination.tls.servername to a name the brokers' certificate holds";
  } else if (/secure TLS connection|wrong version number|EPROTO|ERR_SSL_/i.test(`${link.code} ${link.message}`)) {
    hint = 'check that spec.destination.brokers names the TLS listener (a plaintext port closes the handshake)';
  }
  return new MigError('kafka-tls', `TLS to the Kafka brokers ${brokers} failed, verifying with ${ca}: ${what}`, hint);
}
