// A Tablestore wire-protocol server for tests, driven through the unmodified `tablestore` SDK:
// protobuf over HTTP, PlainBuffer rows with CRC-8, signed requests, in-memory tables with the
// service's semantics and limits, plus request counters and injected failures.
import type { AddressInfo } from 'node:net';
import type { FaultCode } from './errors.js';
import { Faults } from './faults.js';
import { createHttpServer } from './http-server.js';
import { Instance } from './instance.js';
import type { CellValue, PkValue } from './plain-buffer-types.js';
import { loadProtocol } from './protocol.js';

export type PrimaryKeyJs = bigint | string | Buffer;
export type AttributeJs = bigint | string | Buffer | number | boolean;

export interface TablestoreTestServer {
  endpoint: string; // http://127.0.0.1:PORT
  instance: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** Rows of a table in primary-key order, newest visible version of each column, values as plain JS. */
  rows(table: string): { primaryKey: Record<string, PrimaryKeyJs>; attributes: Record<string, AttributeJs> }[];
  tables(): string[];
  describe(table: string): { primaryKey: { name: string; type: 'INTEGER' | 'STRING' | 'BINARY' }[]; timeToLive: number; maxVersions: number } | undefined;
  /** Requests received for an operation (e.g. 'BatchWriteRow'), or in all, whatever their outcome. */
  requests(op?: string): number;
  /** Fails the next n requests: of `op`, or without `op` of any write (PutRow, UpdateRow, DeleteRow, BatchWriteRow, BulkImport). */
  failNext(n: number, code: FaultCode, op?: string): void;
  /** Fails the next n rows of BatchWriteRow/BulkImport requests (of `op` if given) as per-row errors. */
  failNextRows(n: number, code: FaultCode, op?: 'BatchWriteRow' | 'BulkImport'): void;
  close(): Promise<void>;
}

export interface TablestoreServerOptions {
  instance?: string;
  accessKeyId?: string;
  accessKeySecret?: string;
  port?: number;
  /** Rows per GetRange response at most (service: 5000); small values exercise paging loops. */
  rangePageRows?: number;
}

export type { FaultCode } from './errors.js';

function pkJs(v: PkValue): PrimaryKeyJs {
  return v.type === 'BINARY' ? Buffer.from(v.value) : v.value;
}

function cellJs(v: CellValue): AttributeJs {
  return v.type === 'BINARY' ? Buffer.from(v.value) : v.value;
}

export async function startTablestoreServer(opts: TablestoreServerOptions = {}): Promise<TablestoreTestServer> {
  loadProtocol(); // fail here, not on the first request, if a .proto file is missing
  const creds = {
    instance: opts.instance ?? 'mig-test',
    accessKeyId: opts.accessKeyId ?? 'test-access-key-id',
    accessKeySecret: opts.accessKeySecret ?? 'test-access-key-secret',
  };
  const instance = new Instance();
  const faults = new Faults();
  const server = createHttpServer({ creds, instance, faults, rangePageRows: opts.rangePageRows ?? 5000 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    ...creds,
    rows(name) {
      const t = instance.peek(name);
      if (!t) throw new Error(`tablestore test server: no table '${name}'`);
      const now = Date.now();
      return t
        .ordered()
        .filter((r) => t.visible(r, now))
        .map((r) => {
          const primaryKey: Record<string, PrimaryKeyJs> = {};
          r.pk.forEach((v, i) => (primaryKey[t.schema[i].name] = pkJs(v)));
          const attributes: Record<string, AttributeJs> = {};
          for (const c of t.readCells(r, { maxVersions: 1 }, now)) if (c.value) attributes[c.name] = cellJs(c.value);
          return { primaryKey, attributes };
        });
    },
    tables: () => instance.names(),
    describe(name) {
      const t = instance.peek(name);
      if (!t) return undefined;
      return {
        primaryKey: t.schema.map((c) => ({ name: c.name, type: c.type })),
        timeToLive: t.settings.timeToLive,
        maxVersions: t.settings.maxVersions,
      };
    },
    requests: (op) => faults.requests(op),
    failNext: (n, code, op) => faults.failNext(n, code, op),
    failNextRows: (n, code, op) => faults.failNextRows(n, code, op),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
