// The protobuf messages mig encodes and decodes itself (BulkImport, and the service's Error body,
// which the SDK fails to parse), read from bulk-import.proto next to this module.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type protobuf from 'protobufjs';
import { protobufModule } from '../../protobuf-module.js';

export interface OtsErrorBody {
  code: string;
  message?: string;
}

export interface BulkImportRow {
  /** OperationType: 1 PUT, 2 UPDATE, 3 DELETE. */
  type: 1 | 2 | 3;
  rowChange: Uint8Array;
}

export interface BulkImportResult {
  isOk: boolean;
  error?: OtsErrorBody;
}

const PROTO = 'bulk-import.proto';

/**
 * tsc does not copy .proto files: under dist/ the file is looked up next to the module first, then
 * in the source tree it was built from (the package build copies it next to the module).
 */
function protoPath(): string {
  const here = new URL(`./${PROTO}`, import.meta.url);
  if (existsSync(here)) return fileURLToPath(here);
  const src = new URL(`../../../../src/connectors/sinks/tablestore/${PROTO}`, import.meta.url);
  if (existsSync(src)) return fileURLToPath(src);
  throw new Error(`${PROTO} is missing next to ${fileURLToPath(import.meta.url)}: the build must copy src/connectors/sinks/tablestore/${PROTO}`);
}

let root: protobuf.Root | undefined;
const type = (name: string): protobuf.Type => {
  root ??= protobufModule().loadSync(protoPath());
  return root.lookupType(`mig.tablestore.${name}`);
};

export function encodeBulkImportRequest(table: string, rows: BulkImportRow[]): Buffer {
  const t = type('BulkImportRequest');
  return Buffer.from(t.encode(t.create({ tableName: table, rows })).finish());
}

export function decodeBulkImportResponse(body: Uint8Array): { tableName: string; rows: BulkImportResult[] } {
  const t = type('BulkImportResponse');
  const o = t.toObject(t.decode(body), { defaults: true }) as { tableName: string; rows: Array<{ isOk: boolean; error?: OtsErrorBody }> };
  return { tableName: o.tableName, rows: o.rows.map((r) => ({ isOk: r.isOk, ...(r.error ? { error: r.error } : {}) })) };
}

/** The service's error body; undefined when the bytes are not one (an empty body, a proxy's HTML page). */
export function decodeErrorBody(body: Uint8Array | undefined): OtsErrorBody | undefined {
  if (!body || body.length === 0) return undefined;
  try {
    const t = type('Error');
    const o = t.toObject(t.decode(body)) as OtsErrorBody;
    return /^OTS\w+$/.test(o.code) ? o : undefined;
  } catch {
    return undefined;
  }
}
