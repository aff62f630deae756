// The Tablestore test server at the wire: authentication, PlainBuffer checksums and codec parity
// with the SDK, BulkImport (not in the SDK), service limits, and injected faults.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTablestoreServer, type TablestoreTestServer } from '../support/tablestore/index.js';
import { decodeRows } from '../support/tablestore/plain-buffer-reader.js';
import { encodeRow } from '../support/tablestore/plain-buffer-writer.js';
import type { PlainRow } from '../support/tablestore/plain-buffer-types.js';
import { decodeError, decodeMessage, sendMessage } from '../support/tablestore/raw-client.js';
import { sdkClient, TableStore, type SdkClient, type SdkError } from '../support/tablestore/sdk.js';

const ignore = () => new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null);
const long = (n: number) => TableStore.Long.fromNumber(n);

async function failure(p: Promise<unknown>): Promise<SdkError> {
  const err = await p.then(
    () => undefined,
    (e: SdkError) => e,
  );
  if (!err) throw new Error('expected the call to fail');
  return err;
}

let server: TablestoreTestServer;
let client: SdkClient;

const createTable = (c: SdkClient, tableName: string) =>
  c.createTable({
    tableMeta: { tableName, primaryKey: [{ name: 'id', type: 'INTEGER' }] },
    reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
    tableOptions: { timeToLive: -1, maxVersions: 1 },
  });
const put = (id: number, attributeColumns: object[] = [{ v: 'x' }]) =>
  client.putRow({ tableName: 't', condition: ignore(), primaryKey: [{ id: long(id) }], attributeColumns });
const row = (id: number, cells: PlainRow['cells'] = [{ name: 'v', value: { type: 'STRING', value: `r${id}` }, op: 'PUT' }]): PlainRow => ({
  primaryKey: [{ name: 'id', value: { type: 'INTEGER', value: BigInt(id) } }],
  cells,
  deleteMarker: false,
});

beforeEach(async () => {
  server = await startTablestoreServer({ accessKeySecret: 'right-secret' });
  client = sdkClient(server);
  await createTable(client, 't');
});
afterEach(async () => {
  TableStore.DefaultRetryPolicy.maxRetryTimes = 0;
  await server.close();
});

describe('authentication', () => {
  it('rejects a wrong secret, key id or instance with OTSAuthFailed (403)', async () => {
    const cases: [Parameters<typeof sdkClient>[1], string][] = [
      [{ accessKeySecret: 'wrong-secret' }, 'Signature mismatch.'],
      [{ accessKeyId: 'someone-else' }, 'The AccessKeyID does not exist.'],
      [{ instance: 'other-instance' }, 'The instance is not found.'],
    ];
    for (const [overrides, text] of cases) {
      const err = await failure(sdkClient(server, overrides).listTable({}));
      expect(err.code).toBe(403);
      expect(err.message).toContain('OTSAuthFailed');
      expect(err.message).toContain(text);
    }
    expect(server.requests('ListTable')).toBe(3);
    expect((await client.listTable({})).tableNames).toEqual(['t']);
  });

  it('signs responses and returns the request id header', async () => {
    const res = await sendMessage(server, 'ListTable', {});
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ots-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('authorization')).toMatch(new RegExp(`^OTS ${server.accessKeyId}:[A-Za-z0-9+/=]+$`));
    expect(decodeMessage<{ tableNames: string[] }>('ListTableResponse', res.body).tableNames).toEqual(['t']);
  });
});

describe('PlainBuffer', () => {
  it('encodes rows byte-for-byte like the SDK', () => {
    const mine = encodeRow({
      primaryKey: [{ name: 'id', value: { type: 'INTEGER', value: 42n } }],
      cells: [
        { name: 's', value: { type: 'STRING', value: 'héllo' }, op: 'PUT' },
        { name: 'd', value: { type: 'DOUBLE', value: -1.25 }, op: 'PUT' },
        { name: 'b', value: { type: 'BOOLEAN', value: true }, op: 'PUT', timestamp: 1700000000000n },
        { name: 'x', value: { type: 'BINARY', value: Buffer.from('ab') }, op: 'PUT' },
      ],
      deleteMarker: false,
    });
    const sdk = TableStore.PlainBufferBuilder.serializeForPutRow([{ id: long(42) }], [{ s: 'héllo' }, { d: -1.25 }, { b: true, timestamp: 1700000000000 }, { x: Buffer.from('ab') }]);
    expect(mine.toString('hex')).toBe(Buffer.from(sdk).toString('hex'));
  });

  it('rejects a request whose cell or row checksum is wrong, and accepts it intact', async () => {
    const good = encodeRow(row(1));
    // The buffer ends: TAG_CELL_CHECKSUM, cell crc, TAG_ROW_CHECKSUM, row crc.
    expect([good[good.length - 4], good[good.length - 2]]).toEqual([0x0a, 0x09]);
    for (const [at, what] of [
      [good.length - 3, "cell 'v'"],
      [good.length - 1, 'row'],
    ] as const) {
      const bad = Buffer.from(good);
      bad[at] ^= 0x01;
      const res = await sendMessage(server, 'PutRow', { tableName: 't', row: bad, condition: { rowExistence: 0 } });
      expect(res.status).toBe(400);
      const err = decodeError(res.body);
      expect(err.code).toBe('OTSParameterInvalid');
      expect(err.message).toBe(`Checksum mismatch in PlainBuffer ${what}: expected ${bad[at]}, computed ${good[at]}.`);
    }
    expect(server.rows('t')).toEqual([]);
    const ok = await sendMessage(server, 'PutRow', { tableName: 't', row: good, condition: { rowExistence: 0 } });
    expect(ok.status).toBe(200);
    expect(server.rows('t')).toEqual([{ primaryKey: { id: 1n }, attributes: { v: 'r1' } }]);
  });

  it('returns GetRange rows the codec and the SDK read alike', async () => {
    await put(1, [{ a: long(-9) }]);
    await put(2, [{ a: long(7) }]);
    const res = await sendMessage(server, 'GetRange', {
      tableName: 't',
      direction: 0,
      inclusiveStartPrimaryKey: encodeRow({ primaryKey: [{ name: 'id', value: { type: 'INF_MIN' } }], cells: [], deleteMarker: false }),
      exclusiveEndPrimaryKey: encodeRow({ primaryKey: [{ name: 'id', value: { type: 'INF_MAX' } }], cells: [], deleteMarker: false }),
      maxVersions: 1,
    });
    const rows = decodeRows(decodeMessage<{ rows: Uint8Array }>('GetRangeResponse', res.body).rows);
    expect(rows.map((r) => [r.primaryKey[0].value, r.cells.map((c) => c.value)])).toEqual([
      [{ type: 'INTEGER', value: 1n }, [{ type: 'INTEGER', value: -9n }]],
      [{ type: 'INTEGER', value: 2n }, [{ type: 'INTEGER', value: 7n }]],
    ]);
  });
});

describe('BulkImport', () => {
  it('writes PUT/UPDATE/DELETE rows with per-row results', async () => {
    await put(3);
    const res = await sendMessage(server, 'BulkImport', {
      tableName: 't',
      rows: [
        { type: 1, rowChange: encodeRow(row(1)) },
        { type: 2, rowChange: encodeRow(row(2, [{ name: 'u', value: { type: 'DOUBLE', value: 0.5 }, op: 'PUT' }])) },
        { type: 3, rowChange: encodeRow({ ...row(3, []), deleteMarker: true }) },
      ],
    });
    expect(res.status).toBe(200);
    const body = decodeMessage<{ tableName: string; rows: { isOk: boolean }[] }>('BulkImportResponse', res.body);
    expect(body.tableName).toBe('t');
    expect(body.rows.map((r) => r.isOk)).toEqual([true, true, true]);
    expect(server.rows('t')).toEqual([
      { primaryKey: { id: 1n }, attributes: { v: 'r1' } },
      { primaryKey: { id: 2n }, attributes: { u: 0.5 } },
    ]);
    expect(server.requests('BulkImport')).toBe(1);
  });

  it('fails single rows on injected row faults', async () => {
    server.failNextRows(1, 'OTSServerBusy', 'BulkImport');
    const res = await sendMessage(server, 'BulkImport', { tableName: 't', rows: [1, 2].map((id) => ({ type: 1, rowChange: encodeRow(row(id)) })) });
    const body = decodeMessage<{ rows: { isOk: boolean; error?: { code: string; message: string } }[] }>('BulkImportResponse', res.body);
    expect(body.rows.map((r) => [r.isOk, r.error?.code])).toEqual([
      [false, 'OTSServerBusy'],
      [true, undefined],
    ]);
    expect(server.rows('t').map((r) => r.primaryKey.id)).toEqual([2n]);
  });
});

describe('limits', () => {
  const putRows = (n: number, value = 'x') => Array.from({ length: n }, (_, i) => ({ type: 'PUT', condition: ignore(), primaryKey: [{ id: long(i) }], attributeColumns: [{ v: value }] }));

  it('BatchWriteRow takes at most 200 rows', async () => {
    const err = await failure(client.batchWriteRow({ tables: [{ tableName: 't', rows: putRows(201) }] }));
    expect(err.code).toBe(400);
    expect(err.message).toContain('OTSParameterInvalid');
    expect(err.message).toContain('Rows count exceeds the upper limit: 200.');
    const ok = await client.batchWriteRow({ tables: [{ tableName: 't', rows: putRows(200) }] });
    expect(ok.tables.filter((r) => r.isOk)).toHaveLength(200);
    expect(server.rows('t')).toHaveLength(200);
  });

  it('BatchWriteRow takes at most 4 MB', async () => {
    const big = 'x'.repeat(1024 * 1024);
    const err = await failure(client.batchWriteRow({ tables: [{ tableName: 't', rows: putRows(4, big) }] }));
    expect(err.code).toBe(400);
    expect(err.message).toContain('The total data size of BatchWriteRow request exceeds the limit, limit size: 4194304');
    expect(server.rows('t')).toEqual([]);
    const ok = await client.batchWriteRow({ tables: [{ tableName: 't', rows: putRows(3, big) }] });
    expect(ok.tables.every((r) => r.isOk)).toBe(true);
  });

  it('an instance holds at most 64 tables', async () => {
    for (let i = 1; i < 64; i++) await createTable(client, `t${i}`);
    expect(server.tables()).toHaveLength(64);
    const err = await failure(createTable(client, 'one_too_many'));
    expect(err.code).toBe(403);
    expect(err.message).toContain('OTSQuotaExhausted');
    expect(err.message).toContain('Number of tables exceeded the quota.');
    await client.deleteTable({ tableName: 't1' });
    await createTable(client, 'one_too_many');
    expect(server.tables()).toHaveLength(64);
  });
});

describe('fault injection', () => {
  it('fails the next n write requests, then recovers; reads are untouched', async () => {
    server.failNext(2, 'OTSServerBusy');
    const e1 = await failure(put(1));
    expect(e1.code).toBe(503);
    expect(e1.message).toContain('OTSServerBusy');
    await client.getRow({ tableName: 't', primaryKey: [{ id: long(1) }] });
    const e2 = await failure(client.batchWriteRow({ tables: [{ tableName: 't', rows: [{ type: 'PUT', condition: ignore(), primaryKey: [{ id: long(2) }], attributeColumns: [{ v: 'y' }] }] }] }));
    expect(e2.code).toBe(503);
    await put(1);
    expect(server.rows('t').map((r) => r.primaryKey.id)).toEqual([1n]);
    expect([server.requests('PutRow'), server.requests('BatchWriteRow'), server.requests('GetRow')]).toEqual([2, 1, 1]);
  });

  it('targets one operation and uses the throttling and timeout codes', async () => {
    server.failNext(1, 'OTSQuotaExhausted', 'UpdateRow');
    server.failNext(1, 'OTSTimeout', 'GetRow');
    await put(1);
    const throttled = await failure(client.updateRow({ tableName: 't', condition: ignore(), primaryKey: [{ id: long(1) }], updateOfAttributeColumns: [{ PUT: [{ v: 'z' }] }] }));
    expect(throttled.code).toBe(403);
    expect(throttled.message).toContain('OTSQuotaExhausted');
    expect(throttled.message).toContain('Too frequent table operations.');
    const timeout = await failure(client.getRow({ tableName: 't', primaryKey: [{ id: long(1) }] }));
    expect(timeout.code).toBe(503);
    expect(timeout.message).toContain('OTSTimeout');
    expect(server.rows('t')[0].attributes).toEqual({ v: 'x' });
  });

  it('lets the SDK retry a 503 on a read and succeed', async () => {
    await put(1);
    server.failNext(2, 'OTSServerBusy', 'GetRow');
    const retrying = sdkClient(server, { maxRetries: 3 });
    const { row: got } = await retrying.getRow({ tableName: 't', primaryKey: [{ id: long(1) }] });
    expect(got.attributes?.[0].columnValue).toBe('x');
    expect(server.requests('GetRow')).toBe(3);
  });

  it('fails single BatchWriteRow rows', async () => {
    server.failNextRows(2, 'OTSQuotaExhausted');
    const res = await client.batchWriteRow({
      tables: [{ tableName: 't', rows: [1, 2, 3].map((id) => ({ type: 'PUT', condition: ignore(), primaryKey: [{ id: long(id) }], attributeColumns: [{ v: 'b' }] })) }],
    });
    expect(res.tables.map((r) => [r.isOk, r.errorCode, r.errorMessage])).toEqual([
      [false, 'OTSQuotaExhausted', 'Too frequent table operations.'],
      [false, 'OTSQuotaExhausted', 'Too frequent table operations.'],
      [true, null, null],
    ]);
    expect(server.rows('t').map((r) => r.primaryKey.id)).toEqual([3n]);
  });
});
