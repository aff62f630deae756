// Kafka connections (@platformatic/kafka): the options every client of a destination or feed shares
// (brokers, SASL, TLS, timeouts, retries), and its errors turned into messages a user can act on.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import type { BaseOptions, SASLOptions } from '@platformatic/kafka';
import type { KafkaDestination } from '../../spec/schema.js';
import { redactSecrets } from '../../spec/secrets.js';
import type { ErrorClass } from '../contract.js';
import { MigError } from '../../util/errors.js';
import type { KafkaSecrets } from './secrets.js';

/**
 * What a connection needs from a Kafka spec: the destination's, or a source feed's (the TiDB
 * source's binlogKafka has the same fields).
 */
export type KafkaEndpoint = Pick<KafkaDestination, 'brokers' | 'sasl' | 'tls' | 'clientId'>;

export interface KafkaClientOptions {
  /** Attempts after the first, per request (default 8). */
  retries?: number;
  /** From resolveKafkaSecrets; required when the destination sets sasl. */
  secrets?: KafkaSecrets;
}

/**
 * The options of every client (producer, admin, consumer) for the endpoint. Timeouts are set
 * deliberately: the client nests retries (metadata around connecting), so a silent broker costs
 * retries × requestTimeout per level; 10 s per request keeps a dead cluster's failure within
 * about a minute at the default retries, and the engine's retry window takes over from there.
 */
export function clientOptions(dest: KafkaEndpoint, opts: KafkaClientOptions = {}): BaseOptions {
  const secrets = opts.secrets ?? {};
  const out: BaseOptions = {
    clientId: dest.clientId ?? 'mig',
    bootstrapBrokers: dest.brokers,
    connectTimeout: 5000,
    requestTimeout: 10_000,
    // The produce request's own timeout, sent to the broker (acks=all waits for the replicas).
    timeout: 30_000,
    retries: opts.retries ?? 8,
    retryDelay: 250,
    autocreateTopics: false,
  };
  const sasl = saslOptions(dest, secrets);
  if (sasl) out.sasl = sasl;
  const tls = tlsOptions(dest, secrets);
  if (tls) {
    out.tls = tls;
    // Only when set: the client sends each broker's host name as SNI unless this overrides it.
    if (dest.tls?.servername) out.tlsServerName = dest.tls.servername;
  }
  return out;
}

function saslOptions(dest: KafkaEndpoint, secrets: KafkaSecrets): SASLOptions | undefined {
  if (!dest.sasl) return undefined;
  const { mechanism, username } = dest.sasl;
  if (secrets.saslPassword === undefined) {
    // A caller that forgot resolveKafkaSecrets; connecting without the password would only
    // produce a misleading authentication failure.
    throw new MigError('secret-unresolved', `the password for Kafka user ${username} (spec.destination.sasl.password) was not resolved before connecting`);
  }
  const mech = mechanism === 'plain' ? 'PLAIN' : mechanism === 'scram-sha-256' ? 'SCRAM-SHA-256' : 'SCRAM-SHA-512';
  return { mechanism: mech, username, password: secrets.saslPassword };
}

function tlsOptions(dest: KafkaEndpoint, secrets: KafkaSecrets): ConnectionOptions | undefined {
  if (!dest.tls) return undefined;
  // An empty object still means TLS: Node then verifies against its bundled CAs.
  const out: ConnectionOptions = {};
  if (dest.tls.ca) {
    const file = secrets.caFile ?? path.resolve(dest.tls.ca);
    out.ca = [readCa(file)];
  }
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
  /** The broker's error name (ProtocolError's apiId: SASL_AUTHENTICATION_FAILED, MESSAGE_TOO_LARGE …). */
  type: string;
  /** What the client says of the error: true a later attempt can get past it, false it cannot. */
  canRetry: boolean | undefined;
}

/**
 * The error with its causes and the errors it aggregates, breadth first: the client wraps a
 * request's failures in retry and per-broker aggregates, and the socket's error sits inside.
 */
function chain(e: unknown): ErrorLink[] {
  const out: ErrorLink[] = [];
  const queue: unknown[] = [e];
  while (queue.length > 0 && out.length < 24) {
    const cur = queue.shift();
    if (!cur) continue;
    const err = cur as Error & { apiId?: unknown; type?: unknown; code?: unknown; cause?: unknown; canRetry?: unknown; errors?: unknown };
    out.push({ name: String(err.name ?? ''), message: String(err.message ?? cur), code: String(err.code ?? ''), type: String(err.apiId ?? err.type ?? ''), canRetry: typeof err.canRetry === 'boolean' ? err.canRetry : undefined });
    if (Array.isArray(err.errors)) queue.push(...(err.errors as unknown[]));
    if (err.cause) queue.push(err.cause);
  }
  return out;
}

/** The innermost message: what a wrapper ("Producing messages failed.") says is not the reason. */
function reason(links: ErrorLink[]): string {
  const deepest = [...links].reverse().find((l) => l.message && !/^(Producing messages failed|.* failed \d+ times|Cannot connect to any broker)\.?$/.test(l.message));
  return (deepest ?? links[0]!).message;
}

/** The error's whole chain as one text, for matching. */
export function errorText(e: unknown): string {
  return chain(e).map((l) => `${l.name} ${l.type} ${l.code} ${l.message}`).join(' | ');
}

/** The broker error of that name in the chain (MESSAGE_TOO_LARGE, TOPIC_ALREADY_EXISTS …). */
export function hasBrokerError(e: unknown, apiId: string): boolean {
  return chain(e).some((l) => l.type === apiId);
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS_|ERR_SSL_|EPROTO|HOSTNAME_MISMATCH/;
const TLS_TEXT = /certificate|self[- ]signed|secure TLS connection|SSL routines|wrong version number|altnames/i;

export function kafkaError(dest: KafkaEndpoint, e: unknown): MigError {
  if (e instanceof MigError) return e;
  const links = chain(e);
  const brokers = dest.brokers.join(', ');
  const msg = redactSecrets(reason(links));
  const all = links.map((l) => `${l.name} ${l.type} ${l.code} ${l.message}`).join(' | ');
  if (dest.sasl && /AuthenticationError|SASL_AUTHENTICATION_FAILED|ILLEGAL_SASL_STATE|UNSUPPORTED_SASL_MECHANISM/i.test(all)) {
    return authError(dest, brokers, msg, all);
  }
  if (dest.tls) {
    // The socket's own error carries the code (SELF_SIGNED_CERT_IN_CHAIN…); wrappers only repeat its text.
    const tls = links.find((l) => TLS_CODES.test(l.code)) ?? links.find((l) => TLS_TEXT.test(l.message));
    if (tls) return tlsError(dest, brokers, tls);
  } else if (/Broker requires TLS/i.test(all)) {
    return new MigError('kafka-tls', `the Kafka brokers ${brokers} require TLS on this listener`,
      'set spec.destination.tls (with tls.ca for a private CA), or point spec.destination.brokers at a plaintext listener');
  }
  if (/Closed connection|socket hang up|Connection closed/i.test(all)) {
    // What a broker does when the client's security protocol is not the listener's.
    const mine = `sasl ${dest.sasl ? dest.sasl.mechanism : 'off'}, tls ${dest.tls ? 'on' : 'off'}`;
    return new MigError('kafka-error', `the Kafka brokers ${brokers} closed the connection (this destination has ${mine})`,
      'when this happens on connecting, spec.destination.sasl or tls does not match the listener spec.destination.brokers names: brokers close connections that speak another security protocol', { cause: e });
  }
  if (/ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ETIMEDOUT|Connection error|PLT_KFK_NETWORK|Failed to connect|Cannot connect to any broker/i.test(all)) {
    return new MigError('kafka-unreachable', `cannot reach the Kafka brokers ${brokers}: ${msg}`,
      'check spec.destination.brokers and that the cluster is running', { cause: e });
  }
  if (/UNKNOWN_TOPIC_OR_PARTITION|does not host this topic|Unknown topic/i.test(all)) {
    return new MigError('kafka-topic-missing', `a topic is missing on ${brokers}: ${msg}`,
      'run mig plan: it shows the topic to recreate, and mig apply creates it');
  }
  return new MigError('kafka-error', `Kafka (${brokers}): ${msg}`, undefined, { cause: e });
}

const AUTH = /AuthenticationError|SASL_AUTHENTICATION_FAILED|ILLEGAL_SASL_STATE|UNSUPPORTED_SASL_MECHANISM|AUTHORIZATION_FAILED|Broker requires TLS/i;
const CONNECTION = /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|PLT_KFK_NETWORK|PLT_KFK_TIMEOUT|Connection error|Closed connection|Failed to connect|Cannot connect to any broker|kafka-unreachable/i;

/**
 * Lost or refused connections and timeouts are worth retrying with the connection window; errors
 * the client marks retriable and none marks final (a leader moving, too few in-sync replicas,
 * throttling) with the other window; authentication, authorisation, TLS and everything a retry
 * cannot fix are fatal (the client's own rule: one `canRetry: false` in the chain ends it).
 */
export function classifyKafkaError(e: unknown): ErrorClass {
  const links = chain(e);
  const all = links.map((l) => `${l.name} ${l.type} ${l.code} ${l.message}`).join(' | ');
  if (AUTH.test(all) || links.some((l) => TLS_CODES.test(l.code))) return 'fatal';
  if (e instanceof MigError && e.code === 'kafka-unreachable') return 'retryable-connection';
  if (links.some((l) => l.canRetry === false)) return 'fatal';
  if (CONNECTION.test(all)) return 'retryable-connection';
  return links.some((l) => l.canRetry === true) ? 'retryable-other' : 'fatal';
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
  const code = link.code && !link.code.startsWith('PLT_KFK_') ? ` (${link.code})` : '';
  const what = `${redactSecrets(link.message.replace(/^(Connection error|Failed to connect): /, ''))}${code}`;
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
