// Which of DTS's two retry windows a failed run falls in, or none. The codes every client shares
// (a socket reset, a MySQL-protocol server gone or a lock wait) are read here, anywhere along the
// error's causes; what only a client can read (the Kafka client's canRetry flags, Tablestore's throttling
// codes) its connector kind answers. A failure nobody recognises is fatal: retrying a bug or a
// refusal for hours only hides it.
import type { ErrorClass } from '../connectors/contract.js';
import { sinkKindOf, sourceKindOf } from '../connectors/registry.js';
import type { Migration } from '../spec/schema.js';
import { MigError } from '../util/errors.js';

/** Socket-level codes: the peer is gone, refused or silent. */
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'EAI_AGAIN', 'PROTOCOL_CONNECTION_LOST', 'ER_SERVER_SHUTDOWN', 'ER_CONNECTION_KILLED']);
/**
 * MySQL-protocol error numbers: 2002/2003 cannot connect, 2006 server gone away, 2013 lost during
 * a query, 1053 shutdown in progress, 1927 connection killed (a restart), 1317 query interrupted.
 */
const CONNECTION_ERRNOS = new Set([2002, 2003, 2006, 2013, 1053, 1927, 1317]);
/** 1205 lock wait timeout, 1213 deadlock, 1040 too many connections, 1615 prepared statement needs re-preparing. */
const OTHER_ERRNOS = new Set([1205, 1213, 1040, 1615]);
/** Codes mig gives errors that mean a connection could not be made or was lost. */
const CONNECTION_CODES = new Set(['source-unreachable', 'destination-unreachable', 'kafka-unreachable', 'tablestore-unreachable', 'state-unreachable']);
/** Codes a retry cannot fix even when a connection error is among their causes. */
const FATAL_CODES = new Set(['source-auth', 'kafka-auth', 'kafka-tls', 'destination-auth', 'destination-tls', 'state-auth', 'tablestore-auth', 'spec-invalid', 'lease-lost', 'binlog-position-lost', 'feed-offset-lost', 'ddl-stop', 'osc-alter-unseen']);
/** Codes mig gives failures worth the other window: a state write that met another writer's claim. */
const OTHER_CODES = new Set(['state-busy', 'tablestore-busy']);

interface Link {
  code?: unknown;
  errno?: unknown;
  fatal?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** The error, its causes and the members of aggregate errors, breadth first. */
function links(e: unknown): unknown[] {
  const out: unknown[] = [];
  const queue = [e];
  while (queue.length > 0 && out.length < 16) {
    const cur = queue.shift();
    if (cur === null || typeof cur !== 'object' || out.includes(cur)) continue;
    out.push(cur);
    const l = cur as Link;
    if (l.cause !== undefined) queue.push(l.cause);
    if (Array.isArray(l.errors)) queue.push(...(l.errors as unknown[]));
  }
  return out;
}

/** What the shared codes say about one link; undefined when they say nothing. */
function byCodes(link: unknown): ErrorClass | undefined {
  const l = link as Link;
  if (link instanceof MigError) {
    if (FATAL_CODES.has(link.code)) return 'fatal';
    if (CONNECTION_CODES.has(link.code)) return 'retryable-connection';
    if (OTHER_CODES.has(link.code)) return 'retryable-other';
  }
  if (typeof l.code === 'string' && NET_CODES.has(l.code)) return 'retryable-connection';
  if (typeof l.errno === 'number') {
    if (CONNECTION_ERRNOS.has(l.errno)) return 'retryable-connection';
    if (OTHER_ERRNOS.has(l.errno)) return 'retryable-other';
  }
  return undefined;
}

const RANK: Record<ErrorClass, number> = { fatal: 0, 'retryable-other': 1, 'retryable-connection': 2 };

/** The retry window a run's failure falls in: the most hopeful reading, unless a link is known fatal. */
export function classifyFailure(e: unknown, m: Migration | undefined): ErrorClass {
  const chain = links(e);
  const coded = chain.map(byCodes);
  // The first link that knows decides a refusal: an auth error is not retried because its socket closed.
  const first = coded.find((c) => c !== undefined);
  if (first === 'fatal') return 'fatal';
  const answers: ErrorClass[] = coded.filter((c): c is ErrorClass => c !== undefined);
  // Without the spec (the state could not be read) only the shared codes can tell.
  const sink = m && sinkKindOf(m.spec.destination);
  const source = m && sourceKindOf(m.spec.source);
  for (const link of chain) {
    if (sink) answers.push(sink.classify(link));
    if (source?.classify) answers.push(source.classify(link));
  }
  return answers.reduce<ErrorClass>((best, c) => (RANK[c] > RANK[best] ? c : best), 'fatal');
}
