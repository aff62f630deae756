// Request authentication as the service does it, and the signed response headers.
// Request signature: base64(HMAC-SHA1(secret, "/<Op>\nPOST\n\n" + canonical headers + "\n")),
// canonical headers = every x-ots-* header except x-ots-signature, "name:value" with the name
// lower-cased, sorted by name, joined by "\n". The Node SDK sends an ISO-8601 x-ots-date, other
// SDKs RFC 1123, so any date Date.parse understands is accepted (within 15 minutes).
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Errors } from './errors.js';

export interface Credentials {
  instance: string;
  accessKeyId: string;
  accessKeySecret: string;
}

const REQUIRED = ['x-ots-date', 'x-ots-apiversion', 'x-ots-accesskeyid', 'x-ots-contentmd5', 'x-ots-signature', 'x-ots-instancename'];
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function canonicalHeaders(headers: Record<string, string>): string {
  return Object.keys(headers)
    .map((k) => k.toLowerCase())
    .filter((k) => k.startsWith('x-ots-') && k !== 'x-ots-signature')
    .sort()
    .map((k) => `${k}:${headers[k]}`)
    .join('\n');
}

export function requestSignature(secret: string, path: string, headers: Record<string, string>): string {
  const toSign = `${path}\nPOST\n\n${canonicalHeaders(headers)}\n`;
  return createHmac('sha1', secret).update(toSign).digest('base64');
}

/** Throws the service's error for the first check that fails. */
export function authenticate(creds: Credentials, path: string, headers: IncomingHttpHeaders, body: Buffer, now: number): void {
  for (const name of REQUIRED) {
    if (header(headers, name) === undefined) throw Errors.invalid(`Missing header: ${name}.`);
  }
  const date = header(headers, 'x-ots-date') ?? '';
  const t = Date.parse(date);
  if (Number.isNaN(t)) throw Errors.invalid(`Invalid date format: ${date}.`);
  if (Math.abs(now - t) > MAX_CLOCK_SKEW_MS) throw Errors.auth(`Mismatch between system time and x-ots-date: ${date}.`);
  if (header(headers, 'x-ots-instancename') !== creds.instance) throw Errors.auth('The instance is not found.');
  if (header(headers, 'x-ots-accesskeyid') !== creds.accessKeyId) throw Errors.auth('The AccessKeyID does not exist.');
  const md5 = createHash('md5').update(body).digest('base64');
  if (header(headers, 'x-ots-contentmd5') !== md5)
    throw Errors.auth('Mismatch between MD5 value of request body and x-ots-contentmd5 in header.');
  const flat: Record<string, string> = {};
  for (const k of Object.keys(headers)) {
    const v = header(headers, k);
    if (v !== undefined) flat[k] = v;
  }
  if (header(headers, 'x-ots-signature') !== requestSignature(creds.accessKeySecret, path, flat))
    throw Errors.auth('Signature mismatch.');
}

/**
 * Headers on every response. The Node SDK reads only x-ots-requestid; other SDKs check the body
 * MD5, the content type, the date and the `authorization` signature
 * (HMAC-SHA1 over the sorted x-ots-* headers, "\n", then the path).
 */
export function responseHeaders(creds: Credentials, path: string, body: Buffer): Record<string, string> {
  const h: Record<string, string> = {
    'x-ots-contentmd5': createHash('md5').update(body).digest('base64'),
    'x-ots-requestid': randomUUID(),
    'x-ots-contenttype': 'protocol buffer',
    'x-ots-date': new Date().toUTCString(),
  };
  const sig = createHmac('sha1', creds.accessKeySecret).update(`${canonicalHeaders(h)}\n${path}`).digest('base64');
  return { ...h, authorization: `OTS ${creds.accessKeyId}:${sig}`, 'content-length': String(body.length) };
}
