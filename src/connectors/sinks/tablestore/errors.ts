// Tablestore failures in one shape, whichever way they arrived (SDK error object, our own
// BulkImport request, a per-row error in a batch response), and which of them are worth a retry.
import { MigError } from '../../../util/errors.js';
import type { ErrorClass } from '../../contract.js';

/** A failed request or row: the service's OTS* code when there is one, else the transport's. */
export interface OtsError {
  /** e.g. OTSServerBusy, OTSAuthFailed; NetworkingError / TimeoutError for transport failures; HTTP<status> otherwise. */
  code: string;
  message: string;
  status?: number;
  requestId?: string;
}

/** Thrown by TablestoreClient.request: the normalised failure, after any retries. */
export class OtsRequestError extends Error {
  constructor(readonly ots: OtsError, readonly operation: string) {
    super(`${operation}: ${ots.code}: ${ots.message}`);
    this.name = 'OtsRequestError';
  }
}

/**
 * Throttling and transient failures: the same request can succeed later. Every write mig sends is
 * idempotent (condition IGNORE, whole values), so resending one whose fate is unknown (a timeout,
 * a reset connection) is safe.
 */
const TRANSIENT = new Set([
  'OTSServerBusy',
  'OTSNotEnoughCapacityUnit',
  'OTSOperationThrottled',
  'OTSPartitionUnavailable',
  'OTSTableNotReady',
  'OTSRowOperationConflict',
  'OTSTimeout',
  'OTSInternalServerError',
  'OTSServerUnavailable',
  'NetworkingError',
  'TimeoutError',
]);

export function isTransient(e: Pick<OtsError, 'code' | 'message' | 'status'>): boolean {
  if (TRANSIENT.has(e.code)) return true;
  // OTSQuotaExhausted is also returned for hard quotas (table count …); only its rate form passes.
  if (e.code === 'OTSQuotaExhausted') return /too frequent/i.test(e.message);
  // A gateway in front of the service answering 502/503/504 without an OTS body.
  return !e.code.startsWith('OTS') && e.status !== undefined && [500, 502, 503, 504].includes(e.status);
}

interface SdkErrorLike {
  code?: unknown;
  message?: unknown;
  otsCode?: unknown;
  otsMessage?: unknown;
  statusCode?: unknown;
  headers?: Record<string, string | undefined>;
}

/**
 * The SDK turns an error response into `{code: <HTTP status>, message: <raw protobuf bytes as text>}`
 * (its XML parser does not exist). client.ts decodes the body into otsCode/otsMessage; as a fallback
 * the OTS code is read out of the text.
 */
export function otsErrorOf(e: unknown): OtsError {
  if (e instanceof OtsRequestError) return e.ots;
  const x = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as SdkErrorLike;
  const rawMessage = typeof x.message === 'string' ? x.message : '';
  const requestId = x.headers?.['x-ots-requestid'] ?? x.headers?.['x-ots-request-id'] ?? /requestId:(\S+)/.exec(rawMessage)?.[1];
  const status = typeof x.code === 'number' ? x.code : typeof x.statusCode === 'number' ? x.statusCode : undefined;
  const ids = requestId ? { requestId } : {};
  if (typeof x.otsCode === 'string') {
    return { code: x.otsCode, message: typeof x.otsMessage === 'string' ? x.otsMessage : '', ...(status ? { status } : {}), ...ids };
  }
  const found = /OTS[A-Za-z]+/.exec(rawMessage);
  if (found) {
    // Text after the code: field 2's tag (0x12) and varint length (bytes >= 0x80 decode as U+FFFD),
    // then the message, then the SDK's " requestId:…".
    const rest = rawMessage.slice(found.index + found[0].length).replace(/\s*requestId:\S*\s*$/, '');
    const message = rest.replace(/^\x12\ufffd*[\s\S]/, '').trim();
    return { code: found[0], message, ...(status ? { status } : {}), ...ids };
  }
  if (typeof x.code === 'string') return { code: x.code, message: rawMessage, ...(status ? { status } : {}), ...ids };
  if (status !== undefined) return { code: `HTTP${status}`, message: rawMessage.replace(/\s*requestId:\S*\s*$/, ''), status, ...ids };
  return { code: 'Unknown', message: rawMessage };
}

const CONNECTION_CODES = new Set(['NetworkingError', 'TimeoutError', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

/**
 * For the engine's retry windows: transport failures are connection losses; throttling and the
 * service's transient codes are "other" retryable failures; the rest (auth, a refused row, a
 * missing table) a retry cannot fix.
 */
export function classifyTablestoreError(e: unknown): ErrorClass {
  // The client wraps failures it has already retried in a MigError named for what went wrong.
  if (e instanceof MigError) return e.code === 'tablestore-unreachable' ? 'retryable-connection' : e.code === 'tablestore-busy' ? 'retryable-other' : 'fatal';
  const ots = otsErrorOf(e);
  if (CONNECTION_CODES.has(ots.code)) return 'retryable-connection';
  return isTransient(ots) ? 'retryable-other' : 'fatal';
}
