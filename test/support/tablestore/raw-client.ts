// Sends hand-made, correctly signed requests: for what the SDK cannot send (BulkImport) and
// for malformed bodies (a flipped checksum). Signs like the SDK, so only the body differs.
import { createHash } from 'node:crypto';
import { requestSignature } from './auth.js';
import { decodeRequest, encodeMessage } from './protocol.js';

export interface RawTarget {
  endpoint: string;
  instance: string;
  accessKeyId: string;
  accessKeySecret: string;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: Buffer;
}

export async function sendRaw(target: RawTarget, op: string, body: Buffer): Promise<RawResponse> {
  const path = `/${op}`;
  const headers: Record<string, string> = {
    'x-ots-apiversion': '2015-12-31',
    'x-ots-instancename': target.instance,
    'x-ots-contentmd5': createHash('md5').update(body).digest('base64'),
    'x-ots-date': new Date().toISOString(),
    'x-ots-accesskeyid': target.accessKeyId,
  };
  headers['x-ots-signature'] = requestSignature(target.accessKeySecret, path, headers);
  const res = await fetch(`${target.endpoint}${path}`, { method: 'POST', headers, body });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

/** Encodes `<op>Request` from plain fields (camelCase, as protobufjs names them) and sends it. */
export function sendMessage(target: RawTarget, op: string, fields: object): Promise<RawResponse> {
  return sendRaw(target, op, encodeMessage(`${op}Request`, fields));
}

/** Decodes an error body: `Error { code, message }`. */
export function decodeError(body: Buffer): { code: string; message?: string } {
  return decodeMessage<{ code: string; message?: string }>('Error', body);
}

export function decodeMessage<T>(typeName: string, body: Buffer): T {
  return decodeRequest<T>(typeName, body, typeName);
}
