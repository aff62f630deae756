// Baseline for reading the table: the project's own MySQL client (mysql2) streaming one
// `SELECT * FROM db.table` (rows as arrays, every row parsed, nothing kept), the fastest way this
// client hands a whole table to JavaScript. mig reads the same rows in primary-key chunks inside a
// snapshot and also encodes and sends them; this is the reading part alone.
// Prints one JSON line: {"rows", "connectSeconds", "readSeconds"}.
//
// Usage: node bench/baselines/mysql2-select.mjs --host H --port P --user U --table db.table
import mysql from 'mysql2';
import { arg } from '../lib/arg.mjs';

const [db, table] = arg('table').split('.');
const t0 = process.hrtime.bigint();
const conn = mysql.createConnection({
  host: arg('host', '127.0.0.1'),
  port: Number(arg('port', '3306')),
  user: arg('user', 'root'),
  password: arg('password', ''),
  // Values as mig needs them: exact text for temporal, DECIMAL and BIGINT values.
  dateStrings: true,
  supportBigNumbers: true,
  bigNumberStrings: true,
});
await conn.promise().query('SELECT 1');
const t1 = process.hrtime.bigint();
let rows = 0;
await new Promise((resolve, reject) => {
  conn
    .query({ sql: `SELECT * FROM \`${db}\`.\`${table}\``, rowsAsArray: true })
    .on('result', () => {
      rows++;
    })
    .on('error', reject)
    .on('end', resolve);
});
const t2 = process.hrtime.bigint();
conn.end();
const seconds = (a, b) => Number(b - a) / 1e9;
process.stdout.write(JSON.stringify({ rows, connectSeconds: seconds(t0, t1), readSeconds: seconds(t1, t2) }) + '\n');
