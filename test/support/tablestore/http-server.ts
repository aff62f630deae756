// The HTTP front: POST /<Operation>, authenticate, count, inject faults, dispatch, and answer
// with a protobuf body (the response message, or `Error { code, message }` with the error's
// HTTP status).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { authenticate, responseHeaders, type Credentials } from './auth.js';
import type { Ctx, Handler } from './context.js';
import { Errors, OtsError } from './errors.js';
import type { Faults } from './faults.js';
import type { Instance } from './instance.js';
import { batchGetRow, batchWriteRow, bulkImport } from './ops-batch.js';
import { getRange } from './ops-range.js';
import { deleteRow, getRow, putRow, updateRow } from './ops-row.js';
import { createTable, deleteTable, describeTable, listTable, updateTable } from './ops-table.js';
import { encodeMessage } from './protocol.js';

/** Larger bodies get OTSRequestBodyTooLarge before they are read to the end. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

const HANDLERS: Record<string, Handler> = {
  CreateTable: createTable,
  DescribeTable: describeTable,
  ListTable: listTable,
  DeleteTable: deleteTable,
  UpdateTable: updateTable,
  PutRow: putRow,
  UpdateRow: updateRow,
  DeleteRow: deleteRow,
  GetRow: getRow,
  GetRange: getRange,
  BatchWriteRow: batchWriteRow,
  BatchGetRow: batchGetRow,
  BulkImport: bulkImport,
};

export interface ServerState {
  creds: Credentials;
  instance: Instance;
  faults: Faults;
  rangePageRows: number;
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, state: ServerState, path: string, status: number, body: Buffer): void {
  res.writeHead(status, responseHeaders(state.creds, path, body));
  res.end(body);
}

function sendError(res: ServerResponse, state: ServerState, path: string, e: OtsError): void {
  send(res, state, path, e.status, encodeMessage('Error', { code: e.code, message: e.message }));
}

async function handle(state: ServerState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  const body = await readBody(req);
  try {
    if (req.method !== 'POST') throw new OtsError('OTSMethodNotAllowed', 'Only POST method for requests is supported.');
    if (body === undefined) throw new OtsError('OTSRequestBodyTooLarge', 'The size of POST data is too large.');
    const op = path.replace(/^\//, '');
    const handler = Object.prototype.hasOwnProperty.call(HANDLERS, op) ? HANDLERS[op] : undefined;
    if (!handler) throw Errors.invalid(`Unsupported operation: ${op}.`);
    state.faults.count(op);
    const now = Date.now();
    authenticate(state.creds, path, req.headers, body, now);
    const fault = state.faults.takeRequestFault(op);
    if (fault) throw fault;
    const ctx: Ctx = { instance: state.instance, faults: state.faults, now, rangePageRows: state.rangePageRows };
    const reply = handler(ctx, body);
    send(res, state, path, 200, encodeMessage(reply.type, reply.message));
  } catch (e) {
    if (e instanceof OtsError) return sendError(res, state, path, e);
    // A server bug: report it loudly to the test output and as the service's internal error.
    console.error('[tablestore test server]', e);
    sendError(res, state, path, new OtsError('OTSInternalServerError', `Internal server error: ${(e as Error).message}`));
  }
}

export function createHttpServer(state: ServerState): Server {
  return createServer((req, res) => {
    handle(state, req, res).catch((e: unknown) => {
      console.error('[tablestore test server]', e);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
}
