// Baseline of the Tablestore benchmark case (bench/cases/tablestore.mjs): the same rows mig loads, written
// with the official SDK's BatchWriteRow directly, as a hand-written loader would: 200-row requests
// (the service's limit), N requests in flight, PutRow with condition IGNORE, values typed as mig's
// default mapping types them. The rows are read from MariaDB first (not timed) so that the send
// time is Tablestore's alone.
//
//   node bench/baselines/tablestore-baseline.mjs --server JSON --mysql-port P --table db.t --target NAME
//        [--batch 200] [--concurrency 8]
// Prints one JSON line: {rows, readSeconds, sendSeconds, requests}.
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { ROOT } from '../lib/app.mjs';

const TableStore = createRequire(path.join(ROOT, 'package.json'))('tablestore');

const { values } = parseArgs({
  options: {
    server: { type: 'string' },
    'mysql-port': { type: 'string' },
    table: { type: 'string' },
    target: { type: 'string' },
    batch: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '8' },
  },
});
const server = JSON.parse(values.server);
const batch = Number(values.batch);
const concurrency = Number(values.concurrency);

const client = new TableStore.Client({
  endpoint: server.endpoint,
  instancename: server.instance,
  accessKeyId: server.accessKeyId,
  secretAccessKey: server.accessKeySecret,
  maxRetries: 0,
});

await client.createTable({
  tableMeta: { tableName: values.target, primaryKey: [{ name: 'id', type: 'INTEGER' }] },
  reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
  tableOptions: { timeToLive: -1, maxVersions: 1 },
});

const r0 = process.hrtime.bigint();
const conn = await mysql.createConnection({ host: '127.0.0.1', port: Number(values['mysql-port']), user: 'root', dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
const [rows] = await conn.query(`SELECT * FROM ${values.table}`);
await conn.end();
const readSeconds = Number(process.hrtime.bigint() - r0) / 1e9;

// mig's default mapping of this table: BIGINT/INT → INTEGER, DATETIME and DECIMAL → their text.
const ignore = new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null);
const sdkRow = (r) => ({
  type: 'PUT',
  condition: ignore,
  primaryKey: [{ id: TableStore.Long.fromString(String(r.id)) }],
  attributeColumns: [{ a: r.a }, { n: TableStore.Long.fromString(String(r.n)) }, { dt: r.dt }, { amount: r.amount }, { note: r.note }],
});

let next = 0;
let requests = 0;
const s0 = process.hrtime.bigint();
async function worker() {
  while (next < rows.length) {
    const slice = rows.slice(next, next + batch);
    next += batch;
    requests++;
    const res = await client.batchWriteRow({ tables: [{ tableName: values.target, rows: slice.map(sdkRow) }] });
    const failed = res.tables.find((t) => !t.isOk);
    if (failed) throw new Error(`BatchWriteRow row failed: ${failed.errorCode} ${failed.errorMessage}`);
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const sendSeconds = Number(process.hrtime.bigint() - s0) / 1e9;
process.stdout.write(`${JSON.stringify({ rows: rows.length, readSeconds, sendSeconds, requests })}\n`);
