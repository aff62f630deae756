// The Tablestore writer library against the in-process Tablestore test server, through the
// unmodified SDK: table administration, ordered bucketed writes, retries, dirty data, write modes
// and the BulkImport path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareTable,
  createTable,
  describeTable,
  listTables,
  loadOp,
  rowOps,
  tableMapping,
  TablestoreClient,
  TablestoreWriter,
  type RowOp,
  type TableMapping,
  type WriterOptions,
} from '../../src/connectors/sinks/tablestore/index.js';
import type { ChangeEvent, Row } from '../../src/model/source-data.js';
import { MigError } from '../../src/util/errors.js';
import { startTablestoreServer, type TablestoreTestServer } from '../support/tablestore/index.js';
import { col, table } from '../unit/tablestore-helpers.js';

const FAST = { attempts: 5, baseMs: 1, maxMs: 5 };
const WRITER: WriterOptions = { buckets: 4, concurrency: 8, policyOf: () => 'block', batchMode: 'batch-write' };

let server: TablestoreTestServer;
let client: TablestoreClient;

const info = table('orders', [
  col('id', 'bigint(20)', false),
  col('code', 'varchar(20)'),
  col('total', 'decimal(12,2)'),
  col('ratio', 'double'),
  col('big', 'bigint(20)'),
  col('blob', 'varbinary(16)'),
  col('note', 'text'),
], ['id']);

function mapping(name: string, writeMode: 'update' | 'overwrite' = 'update', keyType?: 'STRING' | 'INTEGER'): TableMapping {
  return tableMapping({
    info,
    spec: { name: 'orders', target: name, ...(keyType ? { primaryKey: [{ column: 'id', type: keyType }] } : {}) },
    destination: { writeMode, mergeColumn: '__dts_data_source' },
  });
}

const row = (i: number, extra: Partial<Row> = {}): Row => ({
  id: String(i),
  code: `C${i}`,
  total: `${i}.50`,
  ratio: String(i / 4),
  big: i % 2 ? '9223372036854775807' : '-9223372036854775808',
  blob: Buffer.from([i & 0xff, 0xfe]),
  note: i % 3 === 0 ? null : `note ${i}`,
  ...extra,
});

const ev = (op: 'insert' | 'update' | 'delete', before?: Row, after?: Row): ChangeEvent => ({ kind: 'row', op, database: 'shop', table: 'orders', before, after, timestamp: 0, id: 0 });

async function freshTable(m: TableMapping): Promise<void> {
  await createTable(client, m, { maxVersions: 1, timeToLive: -1 });
}

const byId = (name: string) => new Map(server.rows(name).map((r) => [String(r.primaryKey.id), r.attributes]));

beforeAll(async () => {
  server = await startTablestoreServer();
  client = new TablestoreClient({ endpoint: server.endpoint, instance: server.instance }, { accessKeyId: server.accessKeyId, accessKeySecret: server.accessKeySecret }, { retry: FAST });
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

describe('tables', () => {
  it('creates, lists, describes and compares', async () => {
    const m = tableMapping({ info, destination: { writeMode: 'update', mergeColumn: 'src' }, merged: true });
    await freshTable(m);
    expect(await listTables(client)).toContain('orders');
    const d = await describeTable(client, 'orders');
    expect(d).toMatchObject({ name: 'orders', primaryKey: [{ name: 'id', type: 'INTEGER' }, { name: 'src', type: 'STRING' }], maxVersions: 1, timeToLive: -1 });
    expect(server.describe('orders')?.primaryKey).toEqual([{ name: 'id', type: 'INTEGER' }, { name: 'src', type: 'STRING' }]);
    expect(compareTable(d!, m)).toEqual([]);
    const other = mapping('orders', 'update', 'STRING');
    expect(compareTable(d!, other)).toEqual([
      'table orders has 2 primary-key column(s) (id INTEGER, src STRING); mig writes 1 (id STRING)',
      'partition key (1st key column) id of table orders is INTEGER; mig writes STRING',
    ]);
    expect(await describeTable(client, 'nope')).toBeUndefined();
    await expect(createTable(client, m, { maxVersions: 1, timeToLive: -1 })).rejects.toMatchObject({ code: 'tablestore-table-exists' });
  });
});

describe('TablestoreWriter (BatchWriteRow)', () => {
  it('writes 10k rows through 4 buckets with 8 requests in flight, values exact', async () => {
    const m = mapping('load10k', 'overwrite');
    await freshTable(m);
    const before = server.requests('BatchWriteRow');
    const w = new TablestoreWriter(client, WRITER);
    const ops = Array.from({ length: 10_000 }, (_, i) => loadOp(m, row(i)));
    const res = await w.send(ops);
    expect(res).toMatchObject({ written: 10_000, dirty: [], retriedRows: 0 });
    const requests = server.requests('BatchWriteRow') - before;
    expect(requests).toBe(res.requests);
    expect(requests).toBeGreaterThanOrEqual(50);
    const rows = byId('load10k');
    expect(rows.size).toBe(10_000);
    expect(rows.get('7')).toEqual({ code: 'C7', total: '7.50', ratio: 1.75, big: 9223372036854775807n, blob: Buffer.from([7, 0xfe]), note: 'note 7' });
    expect(rows.get('6')).toEqual({ code: 'C6', total: '6.50', ratio: 1.5, big: -9223372036854775808n, blob: Buffer.from([6, 0xfe]) });
  });

  it('cuts requests below the 4 MB limit the server enforces', async () => {
    const wide = table('files', [col('id', 'int(11)', false), col('data', 'longblob')], ['id']);
    const m = tableMapping({ info: wide, destination: { writeMode: 'overwrite', mergeColumn: 'x' } });
    await freshTable(m);
    const before = server.requests('BatchWriteRow');
    const w = new TablestoreWriter(client, { ...WRITER, buckets: 1 });
    const res = await w.send(Array.from({ length: 60 }, (_, i) => loadOp(m, { id: String(i), data: Buffer.alloc(300_000, i) })));
    expect(res.written).toBe(60);
    // 18 MB: 13 rows of 300 KB fit in 4 MB, 14 do not, so five requests, all accepted.
    expect(server.requests('BatchWriteRow') - before).toBe(5);
    expect(server.rows('files').map((r) => (r.attributes.data as Buffer).length)).toEqual(new Array(60).fill(300_000));
  });

  it('merged tables keep equal keys of different source tables apart', async () => {
    const a = table('orders', [col('id', 'int(11)', false), col('v', 'varchar(5)')], ['id'], 'shop1');
    const b = table('orders', [col('id', 'int(11)', false), col('v', 'varchar(5)')], ['id'], 'shop2');
    const dest = { writeMode: 'update' as const, mergeColumn: '__dts_data_source' };
    const ma = tableMapping({ info: a, spec: { name: 'orders', target: 'all_orders' }, destination: dest, merged: true });
    const mb = tableMapping({ info: b, spec: { name: 'orders', target: 'all_orders' }, destination: dest, merged: true });
    await freshTable(ma);
    const w = new TablestoreWriter(client, WRITER);
    await w.send([loadOp(ma, { id: '1', v: 'a' }), loadOp(mb, { id: '1', v: 'b' })]);
    expect(server.rows('all_orders').map((r) => [r.primaryKey.id, r.primaryKey.__dts_data_source, r.attributes.v])).toEqual([
      [1n, 'shop1.orders', 'a'],
      [1n, 'shop2.orders', 'b'],
    ]);
  });

  it('keeps each key in order across many changes in one send', async () => {
    const m = mapping('ordered');
    await freshTable(m);
    const w = new TablestoreWriter(client, { ...WRITER, buckets: 4, concurrency: 4 });
    const ops: RowOp[] = [];
    const last = new Map<number, Row | null>();
    for (let round = 0; round < 30; round++) {
      for (let k = 0; k < 20; k++) {
        const prev = last.get(k) ?? null;
        let e: ChangeEvent;
        if (!prev) e = ev('insert', undefined, row(k, { code: `r${round}` }));
        else if ((round + k) % 7 === 0) e = ev('delete', prev);
        else e = ev('update', prev, row(k, { code: `r${round}` }));
        ops.push(...rowOps(m, e));
        last.set(k, e.op === 'delete' ? null : e.after!);
      }
    }
    const res = await w.send(ops);
    expect(res.dirty).toEqual([]);
    const rows = byId('ordered');
    for (const [k, r] of last) {
      if (r === null) expect(rows.has(String(k))).toBe(false);
      else expect(rows.get(String(k))?.code).toBe(r.code);
    }
  });

  it('a key change deletes the old row', async () => {
    const m = mapping('rekey');
    await freshTable(m);
    const w = new TablestoreWriter(client, WRITER);
    await w.send(rowOps(m, ev('insert', undefined, row(1))));
    await w.send(rowOps(m, ev('update', row(1), row(2, { code: 'moved' }))));
    expect([...byId('rekey').entries()].map(([id, a]) => [id, a.code])).toEqual([['2', 'moved']]);
  });

  it('retries whole requests and single rows under throttling', async () => {
    const m = mapping('throttled', 'overwrite');
    await freshTable(m);
    const retries: string[] = [];
    const c = new TablestoreClient({ endpoint: server.endpoint, instance: server.instance }, { accessKeyId: server.accessKeyId, accessKeySecret: server.accessKeySecret }, { retry: FAST, onRetry: (_op, code) => retries.push(code) });
    const w = new TablestoreWriter(c, { ...WRITER, buckets: 2, concurrency: 2 });
    server.failNext(3, 'OTSServerBusy', 'BatchWriteRow');
    server.failNextRows(5, 'OTSServerBusy', 'BatchWriteRow');
    const res = await w.send(Array.from({ length: 1000 }, (_, i) => loadOp(m, row(i))));
    expect(res.written).toBe(1000);
    expect(res.retriedRows).toBe(5);
    expect(retries).toEqual(['OTSServerBusy', 'OTSServerBusy', 'OTSServerBusy']);
    expect(byId('throttled').size).toBe(1000);

    server.failNext(2, 'OTSQuotaExhausted', 'BatchWriteRow');
    expect((await w.send([loadOp(m, row(5000))])).written).toBe(1);
    c.close();
  });

  it('gives up after the retry limit with a MigError', async () => {
    const m = mapping('throttled');
    const w = new TablestoreWriter(client, WRITER);
    server.failNext(FAST.attempts, 'OTSServerBusy', 'BatchWriteRow');
    await expect(w.send([loadOp(m, row(1))])).rejects.toMatchObject({ code: 'tablestore-busy' });
  });

  it('dirty data: skip records rejected rows and writes the rest; block stops naming table and key', async () => {
    const good = mapping('dirty');
    await freshTable(good);
    // Same table, but the key sent as STRING: the server rejects it (the key column is INTEGER).
    const wrong = mapping('dirty', 'update', 'STRING');
    const ops = [...Array.from({ length: 10 }, (_, i) => loadOp(good, row(i))), loadOp(wrong, row(100)), loadOp(good, row(10)), loadOp(wrong, row(101))];

    const skip = new TablestoreWriter(client, { ...WRITER, buckets: 1, policyOf: () => 'skip' });
    const res = await skip.send(ops);
    expect(res.written).toBe(11);
    expect(res.dirty.map((d) => [d.table, d.key, d.source, d.code])).toEqual([
      ['dirty', 'id=100', 'shop.orders', 'OTSParameterInvalid'],
      ['dirty', 'id=101', 'shop.orders', 'OTSParameterInvalid'],
    ]);
    expect(byId('dirty').size).toBe(11);

    const block = new TablestoreWriter(client, { ...WRITER, policyOf: () => 'block' });
    const err = await block.send([loadOp(good, row(20)), loadOp(wrong, row(102))]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigError);
    expect((err as MigError).code).toBe('tablestore-dirty-data');
    expect((err as MigError).message).toMatch(/table dirty rejected the row id=102 from shop\.orders: OTSParameterInvalid/);
    expect((err as MigError).hint).toMatch(/onError: skip or dead-letter/);
  });

  it('values mig cannot convert are dirty data without a request', async () => {
    const big = table('u', [col('id', 'bigint(20) unsigned', false), col('n', 'int(11)')], ['id']);
    const m = tableMapping({ info: big, destination: { writeMode: 'update', mergeColumn: 'x' } });
    await freshTable(m);
    const before = server.requests('BatchWriteRow');
    const skip = new TablestoreWriter(client, { ...WRITER, policyOf: () => 'skip' });
    const res = await skip.send([loadOp(m, { id: '18446744073709551615', n: '1' })]);
    expect(res.dirty).toMatchObject([{ table: 'u', key: 'id=18446744073709551615', code: 'tablestore-conversion' }]);
    expect(server.requests('BatchWriteRow')).toBe(before);
    const block = new TablestoreWriter(client, WRITER);
    await expect(block.send([loadOp(m, { id: '18446744073709551615', n: '1' })])).rejects.toMatchObject({ code: 'tablestore-dirty-data' });
  });

  it('update mode keeps columns the change does not carry; overwrite replaces the row; NULL deletes in both', async () => {
    for (const mode of ['update', 'overwrite'] as const) {
      const name = `mode_${mode}`;
      const m = mapping(name, mode);
      await freshTable(m);
      // Another writer's column on the same row, not part of this mapping.
      const narrow = tableMapping({ info: table('orders', [col('id', 'bigint(20)'), col('other', 'varchar(5)')], ['id']), spec: { name: 'orders', target: name }, destination: { writeMode: 'update', mergeColumn: 'x' } });
      const w = new TablestoreWriter(client, WRITER);
      await w.send([loadOp(narrow, { id: '1', other: 'keep' })]);
      await w.send(rowOps(m, ev('insert', undefined, row(1))));
      await w.send(rowOps(m, ev('update', row(1), row(1, { code: null, note: 'changed' }))));
      const r = byId(name).get('1')!;
      expect(r.code).toBeUndefined();
      expect(r.note).toBe('changed');
      if (mode === 'update') expect(r.other).toBe('keep');
      else expect(r.other).toBeUndefined();
    }
  });
});

describe('TablestoreWriter (BulkImport)', () => {
  it('writes, updates and deletes through POST /BulkImport, with per-row retries', async () => {
    const m = mapping('bulk', 'update');
    await freshTable(m);
    const w = new TablestoreWriter(client, { ...WRITER, batchMode: 'bulk-import' });
    const batchBefore = server.requests('BatchWriteRow');
    const bulkBefore = server.requests('BulkImport');
    server.failNextRows(3, 'OTSServerBusy', 'BulkImport');
    const res = await w.send(Array.from({ length: 1000 }, (_, i) => loadOp(m, row(i))));
    expect(res).toMatchObject({ written: 1000, retriedRows: 3, dirty: [] });
    expect(server.requests('BulkImport') - bulkBefore).toBeGreaterThanOrEqual(5);
    expect(server.requests('BatchWriteRow')).toBe(batchBefore);

    await w.send([...rowOps(m, ev('update', row(3), row(3, { code: 'upd', note: null }))), ...rowOps(m, ev('delete', row(4)))]);
    const rows = byId('bulk');
    expect(rows.size).toBe(999);
    expect(rows.get('3')).toMatchObject({ code: 'upd', total: '3.50' });
    expect(rows.get('3')?.note).toBeUndefined();
    expect(rows.has('4')).toBe(false);
    expect(rows.get('7')).toEqual({ code: 'C7', total: '7.50', ratio: 1.75, big: 9223372036854775807n, blob: Buffer.from([7, 0xfe]), note: 'note 7' });

    server.failNext(2, 'OTSServerBusy', 'BulkImport');
    expect((await w.send([loadOp(m, row(2000))])).written).toBe(1);

    const skip = new TablestoreWriter(client, { ...WRITER, batchMode: 'bulk-import', policyOf: () => 'skip' });
    const dirty = await skip.send([loadOp(mapping('bulk', 'update', 'STRING'), row(3000)), loadOp(m, row(3001))]);
    expect(dirty.written).toBe(1);
    expect(dirty.dirty.map((d) => [d.key, d.code])).toEqual([['id=3000', 'OTSParameterInvalid']]);
  });
});

describe('connection failures', () => {
  it('a wrong AccessKey secret is an auth error that does not show the secret', async () => {
    const secret = 'wrong-secret-value-123';
    const bad = new TablestoreClient({ endpoint: server.endpoint, instance: server.instance }, { accessKeyId: server.accessKeyId, accessKeySecret: secret }, { retry: FAST });
    const err = await listTables(bad).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'tablestore-auth' });
    expect((err as MigError).message).not.toContain(secret);
    expect((err as MigError).hint).toMatch(/accessKeySecret/);
    const w = new TablestoreWriter(bad, { ...WRITER, batchMode: 'bulk-import' });
    await expect(w.send([loadOp(mapping('bulk'), row(1))])).rejects.toMatchObject({ code: 'tablestore-auth' });
    bad.close();
  });

  it("the SDK's own retries are off: every retry is mig's", async () => {
    const codes: string[] = [];
    const c = new TablestoreClient({ endpoint: server.endpoint, instance: server.instance }, { accessKeyId: server.accessKeyId, accessKeySecret: server.accessKeySecret }, { retry: FAST, onRetry: (_op, code) => codes.push(code) });
    const before = server.requests('ListTable');
    // ListTable is an operation the SDK itself would retry on a 503.
    server.failNext(2, 'OTSServerBusy', 'ListTable');
    expect(await listTables(c)).toContain('orders');
    expect(codes).toEqual(['OTSServerBusy', 'OTSServerBusy']);
    expect(server.requests('ListTable') - before).toBe(3);
    c.close();
  });

  it('an unreachable endpoint is reported as such', async () => {
    const down = new TablestoreClient({ endpoint: 'http://127.0.0.1:1', instance: 'x' }, { accessKeyId: 'a', accessKeySecret: 'b' }, { retry: { attempts: 2, baseMs: 1, maxMs: 1 } });
    await expect(listTables(down)).rejects.toMatchObject({ code: 'tablestore-unreachable' });
    down.close();
  });

  it('writing to a missing table says so', async () => {
    const w = new TablestoreWriter(client, { ...WRITER, policyOf: () => 'skip' });
    await expect(w.send([loadOp(mapping('missing_table'), row(1))])).rejects.toMatchObject({ code: 'tablestore-table-missing' });
  });
});
