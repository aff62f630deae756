// The Tablestore test server driven through the unmodified official SDK: tables, rows, ranges
// and batches. Wire-level checks (signature, CRC, BulkImport, limits, faults) are in
// tablestore-server-wire.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTablestoreServer, type TablestoreTestServer } from '../support/tablestore/index.js';
import { sdkClient, TableStore, type SdkClient, type SdkError, type SdkRow } from '../support/tablestore/sdk.js';

const ignore = () => new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null);
const expect_ = (e: number) => new TableStore.Condition(e, null);
const long = (n: number) => TableStore.Long.fromNumber(n);

/** Asserts the SDK rejected with this HTTP status and the OTS code in the (raw protobuf) message. */
async function rejectsWith(p: Promise<unknown>, status: number, code: string, text?: string): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: SdkError) => e,
  );
  expect(err, `expected ${code}`).toBeDefined();
  expect(err?.code).toBe(status);
  expect(err?.message).toContain(code);
  if (text) expect(err?.message).toContain(text);
}

function attrs(row: SdkRow): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of row.attributes ?? []) out[a.columnName] = Buffer.isBuffer(a.columnValue) ? `0x${a.columnValue.toString('hex')}` : String(a.columnValue);
  return out;
}

let server: TablestoreTestServer;
let client: SdkClient;

async function createOrders(name = 'orders', tableOptions = { timeToLive: -1, maxVersions: 1 }): Promise<void> {
  await client.createTable({
    tableMeta: { tableName: name, primaryKey: [{ name: 'region', type: 'STRING' }, { name: 'id', type: 'INTEGER' }] },
    reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
    tableOptions,
  });
}

beforeEach(async () => {
  server = await startTablestoreServer();
  client = sdkClient(server);
});
afterEach(async () => {
  await server.close();
});

describe('tables', () => {
  it('creates, describes, lists, updates and deletes', async () => {
    await client.createTable({
      tableMeta: { tableName: 'orders', primaryKey: [{ name: 'region', type: 'STRING' }, { name: 'id', type: 'INTEGER' }, { name: 'blob', type: 'BINARY' }] },
      reservedThroughput: { capacityUnit: { read: 1, write: 2 } },
      tableOptions: { timeToLive: 86400 * 7, maxVersions: 3 },
    });
    const d = await client.describeTable({ tableName: 'orders' });
    expect(d.tableMeta.tableName).toBe('orders');
    expect(d.tableMeta.primaryKey.map((c) => [c.name, c.type])).toEqual([['region', 2], ['id', 1], ['blob', 3]]);
    expect(d.tableOptions.timeToLive).toBe(604800);
    expect(d.tableOptions.maxVersions).toBe(3);
    expect(d.reservedThroughputDetails.capacityUnit).toMatchObject({ read: 1, write: 2 });
    expect(d.tableStatus).toBe(1);
    expect(server.describe('orders')).toEqual({
      primaryKey: [{ name: 'region', type: 'STRING' }, { name: 'id', type: 'INTEGER' }, { name: 'blob', type: 'BINARY' }],
      timeToLive: 604800,
      maxVersions: 3,
    });

    await createOrders('b_table');
    expect((await client.listTable({})).tableNames).toEqual(['b_table', 'orders']);
    await rejectsWith(createOrders('orders'), 409, 'OTSObjectAlreadyExist', 'Requested table already exists.');

    const u = await client.updateTable({ tableName: 'orders', tableOptions: { maxVersions: 5 } });
    expect(u.tableOptions.maxVersions).toBe(5);
    expect(server.describe('orders')?.maxVersions).toBe(5);

    await client.deleteTable({ tableName: 'orders' });
    expect(server.tables()).toEqual(['b_table']);
    await rejectsWith(client.describeTable({ tableName: 'orders' }), 404, 'OTSObjectNotExist', 'Requested table does not exist.');
    await rejectsWith(client.deleteTable({ tableName: 'orders' }), 404, 'OTSObjectNotExist');
    expect(server.describe('orders')).toBeUndefined();
  });

  it('rejects bad names, key schemas and options like the service', async () => {
    await rejectsWith(createOrders('1orders'), 400, 'OTSParameterInvalid', "Invalid table name: '1orders'.");
    await rejectsWith(createOrders('x'.repeat(256)), 400, 'OTSParameterInvalid');
    const withPk = (primaryKey: object[]) =>
      client.createTable({ tableMeta: { tableName: 't', primaryKey }, reservedThroughput: { capacityUnit: { read: 0, write: 0 } }, tableOptions: { timeToLive: -1, maxVersions: 1 } });
    await rejectsWith(withPk([]), 400, 'OTSParameterInvalid');
    await rejectsWith(withPk([1, 2, 3, 4, 5].map((i) => ({ name: `k${i}`, type: 'INTEGER' }))), 400, 'OTSParameterInvalid');
    await rejectsWith(withPk([{ name: 'bad-name', type: 'STRING' }]), 400, 'OTSParameterInvalid', "Invalid column name: 'bad-name'.");
    await rejectsWith(createOrders('t', { timeToLive: 60, maxVersions: 1 }), 400, 'OTSParameterInvalid');
    expect(server.tables()).toEqual([]);
  });
});

describe('rows', () => {
  beforeEach(() => createOrders());

  it('round-trips every cell type, int64 beyond 2^53 included', async () => {
    await client.putRow({
      tableName: 'orders',
      condition: ignore(),
      primaryKey: [{ region: 'eu' }, { id: long(1) }],
      attributeColumns: [
        { big: TableStore.Long.fromString('9007199254740993') },
        { neg: long(-5) },
        { name: 'Zoë ✓' },
        { price: 12.5 },
        { paid: true },
        { raw: Buffer.from([0, 255, 7]) },
      ],
    });
    const { row } = await client.getRow({ tableName: 'orders', primaryKey: [{ region: 'eu' }, { id: long(1) }] });
    expect(row.primaryKey?.map((c) => [c.name, String(c.value)])).toEqual([['region', 'eu'], ['id', '1']]);
    // Columns come back sorted by name.
    expect(row.attributes?.map((a) => a.columnName)).toEqual(['big', 'name', 'neg', 'paid', 'price', 'raw']);
    expect(attrs(row)).toEqual({ big: '9007199254740993', neg: '-5', name: 'Zoë ✓', price: '12.5', paid: 'true', raw: '0x00ff07' });
    expect(server.rows('orders')).toEqual([
      {
        primaryKey: { region: 'eu', id: 1n },
        attributes: { big: 9007199254740993n, neg: -5n, name: 'Zoë ✓', price: 12.5, paid: true, raw: Buffer.from([0, 255, 7]) },
      },
    ]);
  });

  it('PutRow replaces the row, UpdateRow changes only the named columns', async () => {
    const pk = [{ region: 'eu' }, { id: long(2) }];
    await client.putRow({ tableName: 'orders', condition: ignore(), primaryKey: pk, attributeColumns: [{ a: 'a1' }, { b: 'b1' }, { c: 'c1' }] });
    await client.putRow({ tableName: 'orders', condition: ignore(), primaryKey: pk, attributeColumns: [{ a: 'a2' }, { b: 'b2' }, { c: 'c2' }, { d: 'd2' }] });
    const ts = Date.now() - 1000;
    await client.updateRow({
      tableName: 'orders',
      condition: ignore(),
      primaryKey: pk,
      updateOfAttributeColumns: [{ PUT: [{ a: 'a3' }, { e: long(5), timestamp: ts }] }, { DELETE_ALL: ['b'] }, { DELETE: [{ e: long(ts) }] }],
    });
    expect(server.rows('orders')[0].attributes).toEqual({ a: 'a3', c: 'c2', d: 'd2' });
    // UpdateRow on a missing row creates it.
    await client.updateRow({ tableName: 'orders', condition: ignore(), primaryKey: [{ region: 'us' }, { id: long(1) }], updateOfAttributeColumns: [{ PUT: [{ x: 1.5 }] }] });
    expect(server.rows('orders').map((r) => r.primaryKey)).toEqual([{ region: 'eu', id: 2n }, { region: 'us', id: 1n }]);
  });

  it('deletes rows; a missing row reads as empty', async () => {
    const pk = [{ region: 'eu' }, { id: long(3) }];
    await client.putRow({ tableName: 'orders', condition: ignore(), primaryKey: pk, attributeColumns: [{ a: 'x' }] });
    await client.deleteRow({ tableName: 'orders', condition: ignore(), primaryKey: pk });
    expect(server.rows('orders')).toEqual([]);
    const { row } = await client.getRow({ tableName: 'orders', primaryKey: pk });
    expect(row).toEqual({});
  });

  it('checks row existence conditions', async () => {
    const pk = [{ region: 'eu' }, { id: long(4) }];
    const put = (e: number, v: string) => client.putRow({ tableName: 'orders', condition: expect_(e), primaryKey: pk, attributeColumns: [{ v }] });
    await rejectsWith(put(TableStore.RowExistenceExpectation.EXPECT_EXIST, 'no'), 403, 'OTSConditionCheckFail', 'Condition check failed.');
    await put(TableStore.RowExistenceExpectation.EXPECT_NOT_EXIST, 'first');
    await rejectsWith(put(TableStore.RowExistenceExpectation.EXPECT_NOT_EXIST, 'second'), 403, 'OTSConditionCheckFail');
    await put(TableStore.RowExistenceExpectation.EXPECT_EXIST, 'third');
    await rejectsWith(
      client.updateRow({ tableName: 'orders', condition: expect_(1), primaryKey: [{ region: 'xx' }, { id: long(0) }], updateOfAttributeColumns: [{ PUT: [{ v: 'n' }] }] }),
      403,
      'OTSConditionCheckFail',
    );
    await rejectsWith(client.deleteRow({ tableName: 'orders', condition: expect_(1), primaryKey: [{ region: 'xx' }, { id: long(0) }] }), 403, 'OTSConditionCheckFail');
    expect(server.rows('orders')).toEqual([{ primaryKey: { region: 'eu', id: 4n }, attributes: { v: 'third' } }]);
  });

  it('rejects keys that do not match the schema, and bad column names', async () => {
    const put = (primaryKey: object[], attributeColumns: object[] = [{ v: 1.5 }]) => client.putRow({ tableName: 'orders', condition: ignore(), primaryKey, attributeColumns });
    await rejectsWith(put([{ region: 'eu' }, { id: 'not-an-int' }]), 400, 'OTSParameterInvalid', 'Validate PK type fail. Input: VT_STRING, Meta: VT_INTEGER.');
    await rejectsWith(put([{ zone: 'eu' }, { id: long(1) }]), 400, 'OTSParameterInvalid', 'Validate PK name fail. Input: zone, Meta: region.');
    await rejectsWith(put([{ region: 'eu' }]), 400, 'OTSParameterInvalid', 'Validate PK size fail. Input: 1, Meta: 2.');
    await rejectsWith(put([{ region: 'eu' }, { id: long(1) }], [{ '9lives': 1.5 }]), 400, 'OTSParameterInvalid', "Invalid column name: '9lives'.");
    await rejectsWith(put([{ region: 'eu' }, { id: long(1) }], [{ id: 1.5 }]), 400, 'OTSParameterInvalid');
    await rejectsWith(client.getRow({ tableName: 'missing', primaryKey: [{ region: 'eu' }, { id: long(1) }] }), 404, 'OTSObjectNotExist');
    expect(server.rows('orders')).toEqual([]);
  });

  it('keeps max_versions versions and returns them newest first', async () => {
    await createOrders('versioned', { timeToLive: -1, maxVersions: 2 });
    const pk = [{ region: 'eu' }, { id: long(1) }];
    const now = Date.now();
    await client.putRow({ tableName: 'versioned', condition: ignore(), primaryKey: pk, attributeColumns: [{ s: 'v0', timestamp: now - 4000 }, { t: 'only' }] });
    for (const [i, v] of ['v1', 'v2', 'v3'].entries())
      await client.updateRow({ tableName: 'versioned', condition: ignore(), primaryKey: pk, updateOfAttributeColumns: [{ PUT: [{ s: v, timestamp: now - 2000 + i * 1000 }] }] });
    const { row } = await client.getRow({ tableName: 'versioned', primaryKey: pk, maxVersions: 5, columnsToGet: ['s'] });
    expect(row.attributes?.map((a) => [a.columnValue, a.timestamp.toString()])).toEqual([
      ['v3', String(now)],
      ['v2', String(now - 1000)],
    ]);
    const latest = await client.getRow({ tableName: 'versioned', primaryKey: pk });
    expect(attrs(latest.row)).toEqual({ s: 'v3', t: 'only' });
    // A timestamp further than max_time_deviation (one day by default) from now is refused.
    await rejectsWith(
      client.updateRow({ tableName: 'versioned', condition: ignore(), primaryKey: pk, updateOfAttributeColumns: [{ PUT: [{ s: 'old', timestamp: now - 2 * 86400_000 }] }] }),
      400,
      'OTSParameterInvalid',
    );
  });
});

describe('ranges', () => {
  beforeEach(async () => {
    await createOrders();
    const rows = [];
    for (const region of ['ap', 'eu']) for (let id = 0; id < 12; id++) rows.push({ type: 'PUT', condition: ignore(), primaryKey: [{ region }, { id: long(id) }], attributeColumns: [{ n: long(id) }] });
    rows.push({ type: 'PUT', condition: ignore(), primaryKey: [{ region: 'eu' }, { id: long(-3) }], attributeColumns: [{ n: long(-3) }] });
    const res = await client.batchWriteRow({ tables: [{ tableName: 'orders', rows }] });
    expect(res.tables.every((r) => r.isOk)).toBe(true);
  });

  const key = (r: SdkRow) => r.primaryKey?.map((c) => String(c.value)).join('/');

  it('pages forward with limit and next_start_primary_key', async () => {
    let start: object[] = [{ region: 'eu' }, { id: TableStore.INF_MIN }];
    const seen: string[] = [];
    let pages = 0;
    for (;;) {
      const res = await client.getRange({
        tableName: 'orders',
        direction: TableStore.Direction.FORWARD,
        inclusiveStartPrimaryKey: start,
        exclusiveEndPrimaryKey: [{ region: 'eu' }, { id: long(10) }],
        limit: 5,
      });
      pages++;
      seen.push(...res.rows.map(key).filter((k): k is string => k !== undefined));
      if (!res.nextStartPrimaryKey) break;
      start = res.nextStartPrimaryKey.map((c) => ({ [c.name]: c.value }));
    }
    // Signed int64 order: -3 first; the end key is exclusive.
    expect(seen).toEqual(['eu/-3', ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => `eu/${i}`)]);
    expect(pages).toBe(3);
    expect(server.requests('GetRange')).toBe(3);
  });

  it('reads backward from INF_MAX to INF_MIN', async () => {
    const res = await client.getRange({
      tableName: 'orders',
      direction: TableStore.Direction.BACKWARD,
      inclusiveStartPrimaryKey: [{ region: TableStore.INF_MAX }, { id: TableStore.INF_MAX }],
      exclusiveEndPrimaryKey: [{ region: TableStore.INF_MIN }, { id: TableStore.INF_MIN }],
      limit: 4,
    });
    expect(res.rows.map(key)).toEqual(['eu/11', 'eu/10', 'eu/9', 'eu/8']);
    expect(res.nextStartPrimaryKey?.map((c) => String(c.value))).toEqual(['eu', '7']);
    expect(attrs(res.rows[0])).toEqual({ n: '11' });
  });

  it('stops a response at the page size without a limit', async () => {
    await server.close();
    server = await startTablestoreServer({ rangePageRows: 10 });
    client = sdkClient(server);
    await createOrders();
    const rows = Array.from({ length: 15 }, (_, id) => ({ type: 'PUT', condition: ignore(), primaryKey: [{ region: 'eu' }, { id: long(id) }], attributeColumns: [{ n: long(id) }] }));
    await client.batchWriteRow({ tables: [{ tableName: 'orders', rows }] });
    const res = await client.getRange({
      tableName: 'orders',
      direction: TableStore.Direction.FORWARD,
      inclusiveStartPrimaryKey: [{ region: TableStore.INF_MIN }, { id: TableStore.INF_MIN }],
      exclusiveEndPrimaryKey: [{ region: TableStore.INF_MAX }, { id: TableStore.INF_MAX }],
    });
    expect(res.rows).toHaveLength(10);
    expect(res.nextStartPrimaryKey?.map((c) => String(c.value))).toEqual(['eu', '10']);
  });

  it('rejects a forward range whose start is not before its end', async () => {
    await rejectsWith(
      client.getRange({
        tableName: 'orders',
        direction: TableStore.Direction.FORWARD,
        inclusiveStartPrimaryKey: [{ region: 'eu' }, { id: long(5) }],
        exclusiveEndPrimaryKey: [{ region: 'eu' }, { id: long(5) }],
      }),
      400,
      'OTSParameterInvalid',
      'Begin key must less than end key in FORWARD',
    );
  });
});

describe('batches', () => {
  beforeEach(() => createOrders());

  it('BatchWriteRow reports per-row results; failed rows change nothing', async () => {
    await client.putRow({ tableName: 'orders', condition: ignore(), primaryKey: [{ region: 'eu' }, { id: long(2) }], attributeColumns: [{ v: 'old' }] });
    const res = await client.batchWriteRow({
      tables: [
        {
          tableName: 'orders',
          rows: [
            { type: 'PUT', condition: ignore(), primaryKey: [{ region: 'eu' }, { id: long(1) }], attributeColumns: [{ v: 'one' }] },
            { type: 'PUT', condition: expect_(2), primaryKey: [{ region: 'eu' }, { id: long(2) }], attributeColumns: [{ v: 'new' }] },
            { type: 'UPDATE', condition: ignore(), primaryKey: [{ region: 'eu' }, { id: long(3) }], attributeColumns: [{ PUT: [{ v: 'three' }] }] },
            { type: 'DELETE', condition: expect_(1), primaryKey: [{ region: 'eu' }, { id: long(9) }], attributeColumns: [] },
          ],
        },
      ],
    });
    expect(res.tables.map((r) => [r.tableName, r.isOk, r.errorCode])).toEqual([
      ['orders', true, null],
      ['orders', false, 'OTSConditionCheckFail'],
      ['orders', true, null],
      ['orders', false, 'OTSConditionCheckFail'],
    ]);
    expect(res.tables[1].errorMessage).toBe('Condition check failed.');
    expect(server.rows('orders').map((r) => [r.primaryKey.id, r.attributes.v])).toEqual([
      [1n, 'one'],
      [2n, 'old'],
      [3n, 'three'],
    ]);
  });

  it('BatchWriteRow fails as a whole for a missing table or duplicate keys', async () => {
    const row = { type: 'PUT', condition: ignore(), primaryKey: [{ region: 'eu' }, { id: long(1) }], attributeColumns: [{ v: 'x' }] };
    await rejectsWith(client.batchWriteRow({ tables: [{ tableName: 'nope', rows: [row] }] }), 404, 'OTSObjectNotExist');
    await rejectsWith(client.batchWriteRow({ tables: [{ tableName: 'orders', rows: [row, row] }] }), 400, 'OTSParameterInvalid');
    expect(server.rows('orders')).toEqual([]);
  });

  it('BatchGetRow returns present and missing rows in request order', async () => {
    await client.putRow({ tableName: 'orders', condition: ignore(), primaryKey: [{ region: 'eu' }, { id: long(1) }], attributeColumns: [{ v: 'one' }, { w: true }] });
    const res = await client.batchGetRow({
      tables: [{ tableName: 'orders', primaryKey: [[{ region: 'eu' }, { id: long(7) }], [{ region: 'eu' }, { id: long(1) }]], columnsToGet: ['v'] }],
    });
    expect(res.tables).toHaveLength(1);
    const [missing, present] = res.tables[0];
    expect(missing.isOk).toBe(true);
    expect(missing.primaryKey).toBeNull();
    expect(present.primaryKey?.map((c) => String(c.value))).toEqual(['eu', '1']);
    expect(present.attributes?.map((a) => [a.columnName, a.columnValue])).toEqual([['v', 'one']]);
  });
});
