// One SDK client per destination: mig's retries instead of the SDK's, the service's error codes
// decoded, and failures turned into messages a user can act on (never showing a secret).
import http from 'node:http';
import https from 'node:https';
import type { TablestoreDestination } from '../../../spec/schema.js';
import { redactSecrets } from '../../../spec/secrets.js';
import { MigError, redact } from '../../../util/errors.js';
import { OtsRequestError, otsErrorOf, type OtsError } from './errors.js';
import { decodeBatchWriteRowResponse, encodeBatchWriteRow, type BatchRowResult } from './batch-request.js';
import { decodeBulkImportResponse, decodeErrorBody, encodeBulkImportRequest, type BulkImportResult, type BulkImportRow } from './proto.js';
import { DEFAULT_RETRY, withRetry, type RetryOptions } from './retry.js';
import { tablestoreSdk, type SdkClient, type SdkRequest, type SdkResponse } from './sdk.js';
import type { WriteOp } from './row-ops.js';
import type { TablestoreSecrets } from './secrets.js';

export type TablestoreEndpoint = Pick<TablestoreDestination, 'endpoint' | 'instance'>;

export interface TablestoreClientOptions {
  retry?: RetryOptions;
  /** Socket inactivity timeout of one request. */
  timeoutMs?: number;
  /** Called before each retry with the error code (metrics, tests). */
  onRetry?: (operation: string, code: string) => void;
}

export class TablestoreClient {
  readonly sdk: SdkClient;
  readonly retry: RetryOptions;
  private readonly timeoutMs: number;
  private readonly agent: http.Agent;

  constructor(
    readonly dest: TablestoreEndpoint,
    private readonly secrets: TablestoreSecrets,
    private readonly opts: TablestoreClientOptions = {},
  ) {
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.sdk = new (tablestoreSdk().Client)({
      accessKeyId: secrets.accessKeyId,
      secretAccessKey: secrets.accessKeySecret,
      endpoint: dest.endpoint,
      instancename: dest.instance,
      // The SDK's retry matches error codes its broken error parsing never produces, and its
      // maxRetries is a process-wide global: 0 turns it off so withRetry is the only loop.
      maxRetries: 0,
      httpOptions: { timeout: this.timeoutMs },
    });
    decodeServiceErrors(this.sdk);
    const Agent = new URL(dest.endpoint).protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: 256 });
  }

  /** Runs one SDK call with mig's retries; failures are OtsRequestError. */
  request<T>(operation: string, fn: (sdk: SdkClient) => Promise<T>): Promise<T> {
    return withRetry(operation, () => fn(this.sdk), this.retry, (code) => this.opts.onRetry?.(operation, code));
  }

  /** Like request, but failures are MigErrors with a fix. */
  async call<T>(operation: string, fn: (sdk: SdkClient) => Promise<T>, table?: string): Promise<T> {
    try {
      return await this.request(operation, fn);
    } catch (e) {
      throw this.error(e, operation, table);
    }
  }

  error(e: unknown, operation: string, table?: string): MigError {
    return tablestoreError(this.dest, otsErrorOf(e), operation, table, [this.secrets.accessKeySecret, this.secrets.accessKeyId]);
  }

  /** One BulkImport request (the SDK has no such call). No retry here; callers wrap it. */
  async bulkImport(table: string, rows: BulkImportRow[]): Promise<BulkImportResult[]> {
    const data = await this.post('BulkImport', encodeBulkImportRequest(table, rows));
    return this.decode('BulkImport', () => decodeBulkImportResponse(data).rows);
  }

  /**
   * One BatchWriteRow request of `rows` (condition IGNORE each), encoded by mig rather than the
   * SDK (see plain-buffer.ts); per row its result, in the order given. No retry here.
   */
  async batchWriteRow(rows: readonly WriteOp[]): Promise<BatchRowResult[]> {
    const { body, order } = encodeBatchWriteRow(rows);
    const data = await this.post('BatchWriteRow', body);
    const flat = this.decode('BatchWriteRow', () => decodeBatchWriteRowResponse(data));
    if (flat.length !== rows.length) {
      throw new OtsRequestError({ code: 'BadResponse', message: `BatchWriteRow answered ${flat.length} rows for ${rows.length}` }, 'BatchWriteRow');
    }
    const out = new Array<BatchRowResult>(rows.length);
    flat.forEach((r, j) => (out[order[j]!] = r));
    return out;
  }

  private decode<T>(operation: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw new OtsRequestError({ code: 'BadResponse', message: `cannot decode the ${operation} response: ${(e as Error).message}` }, operation);
    }
  }

  /**
   * POST /{operation} with a protobuf body, signed the way the SDK signs every request (its own
   * Signer); resolves with the response body, rejects with OtsRequestError.
   */
  private post(operation: string, body: Buffer): Promise<Buffer> {
    const headers: Record<string, string | number> = {
      'x-ots-apiversion': '2015-12-31',
      'x-ots-instancename': this.dest.instance,
      'x-ots-contentmd5': tablestoreSdk().util.crypto.md5(body, 'base64'),
    };
    const req = { path: `/${operation}`, method: 'POST', headers };
    new (tablestoreSdk().Signer)(req).addAuthorization({ accessKeyId: this.secrets.accessKeyId, secretAccessKey: this.secrets.accessKeySecret }, new Date());
    headers['Content-Length'] = body.length;
    const url = new URL(this.dest.endpoint);
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const r = client.request(
        { protocol: url.protocol, hostname: url.hostname, port: url.port || undefined, method: 'POST', path: req.path, headers, agent: this.agent, timeout: this.timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => reject(new OtsRequestError({ code: 'NetworkingError', message: e.message }, operation)));
          res.on('end', () => {
            const data = Buffer.concat(chunks);
            const status = res.statusCode ?? 0;
            const requestId = String(res.headers['x-ots-requestid'] ?? res.headers['x-ots-request-id'] ?? '');
            if (status >= 300) {
              const ots = decodeErrorBody(data);
              reject(new OtsRequestError({ code: ots?.code ?? `HTTP${status}`, message: ots?.message ?? data.toString('utf8').slice(0, 200), status, ...(requestId ? { requestId } : {}) }, operation));
              return;
            }
            resolve(data);
          });
        },
      );
      r.on('timeout', () => r.destroy(Object.assign(new Error(`no response within ${this.timeoutMs} ms`), { code: 'TimeoutError' })));
      r.on('error', (e: NodeJS.ErrnoException) => {
        const code = e.code === 'TimeoutError' ? 'TimeoutError' : 'NetworkingError';
        reject(new OtsRequestError({ code, message: e.message }, operation));
      });
      r.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * The SDK reports an error response as its HTTP status with the protobuf body as text. This adds
 * a listener, on this client only, that decodes the body into otsCode/otsMessage on the error.
 */
function decodeServiceErrors(sdk: SdkClient): void {
  const setup = sdk.setupRequestListeners.bind(sdk);
  sdk.setupRequestListeners = (request: SdkRequest) => {
    setup(request);
    request.addListener('extractError', (resp: SdkResponse) => {
      const body = decodeErrorBody(resp.httpResponse.body);
      if (body && resp.error) {
        resp.error.otsCode = body.code;
        resp.error.otsMessage = body.message ?? '';
      }
    });
  };
}

/** Failure → MigError with what to do. `secrets` are scrubbed from the service's text as well. */
export function tablestoreError(dest: TablestoreEndpoint, e: OtsError, operation: string, table?: string, secrets: string[] = []): MigError {
  const clean = (t: string) => redact(redactSecrets(t), secrets);
  const what = `${operation}${table ? ` on table ${table}` : ''} in Tablestore instance ${dest.instance} (${dest.endpoint})`;
  const detail = clean(`${e.code}${e.message ? `: ${e.message}` : ''}${e.requestId ? ` (request ${e.requestId})` : ''}`);
  switch (e.code) {
    case 'OTSAuthFailed':
      return new MigError('tablestore-auth', `${what} was refused: the AccessKey was not accepted (${detail})`, 'check the AccessKey pair behind spec.destination.accessKeyId and accessKeySecret, and that it belongs to the account owning the instance');
    case 'OTSNoPermissionAccess':
    case 'OTSAccessDenied':
      return new MigError('tablestore-permission', `${what} was refused: the AccessKey may not do this (${detail})`, `grant the RAM user of the AccessKey ots:${operation} on instance ${dest.instance}`);
    case 'OTSObjectNotExist':
      return new MigError('tablestore-table-missing', `${what} failed: the table does not exist (${detail})`, 'let mig create it (mig apply), or create it with the key columns the plan shows, or fix the table\'s target');
    case 'OTSObjectAlreadyExist':
      return new MigError('tablestore-table-exists', `${what} failed: the table already exists (${detail})`, 'see the plan for how the existing table compares; set conflictMode to use it');
    case 'NetworkingError':
    case 'TimeoutError':
      return new MigError('tablestore-unreachable', `${what} failed: the endpoint could not be reached (${detail})`, 'check spec.destination.endpoint and the network path to it (VPC endpoints answer only inside their VPC; use the public endpoint from elsewhere)');
    default:
      if (e.code.startsWith('OTS') && /throttl|busy|capacity|too frequent|partition|timeout|internal|unavailable/i.test(`${e.code} ${e.message}`)) {
        return new MigError('tablestore-busy', `${what} kept failing after retries: ${detail}`, 'lower spec.destination.concurrency, or raise the instance\'s capacity; mig resumes from its last checkpoint');
      }
      return new MigError('tablestore-error', `${what} failed: ${detail}`, 'see the Tablestore error code reference for the code above');
  }
}
