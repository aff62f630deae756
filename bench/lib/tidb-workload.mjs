// The TiDB case's workload: N small deterministic transactions over three tables, their Drainer
// encoding (mig's own .proto, from the build) and the plain mysql2 loop that is its baseline.
import { importFromApp } from './app.mjs';

export const TABLES = {
  a: { ddl: 'id INT PRIMARY KEY, v VARCHAR(40), n INT', cols: [['id', 'int', true], ['v', 'varchar'], ['n', 'int']] },
  b: { ddl: 'id INT PRIMARY KEY, k BIGINT, note VARCHAR(60)', cols: [['id', 'int', true], ['k', 'bigint'], ['note', 'varchar']] },
  c: { ddl: 'id INT PRIMARY KEY, amount DECIMAL(10,2), at DATETIME', cols: [['id', 'int', true], ['amount', 'decimal'], ['at', 'datetime']] },
};

/** [[{ table, op: 'insert'|'update', row: [...] }, …] per transaction]: 1–5 rows each, 30% updates once a table has rows. */
export function workload(n) {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const next = { a: 1, b: 1, c: 1 };
  const rowOf = (t, id, i) => (t === 'a' ? [id, `value ${i}`, i % 1000] : t === 'b' ? [id, i * 7919, `note ${i}`] : [id, (i % 100000 / 100).toFixed(2), '2026-01-02 03:04:05']);
  const txs = [];
  for (let i = 0; i < n; i++) {
    const rows = [];
    for (let r = 1 + Math.floor(rnd() * 5); r > 0; r--) {
      const t = ['a', 'b', 'c'][Math.floor(rnd() * 3)];
      const update = next[t] > 10 && rnd() < 0.3;
      const id = update ? 1 + Math.floor(rnd() * (next[t] - 1)) : next[t]++;
      rows.push({ table: t, op: update ? 'update' : 'insert', row: rowOf(t, id, i) });
    }
    txs.push(rows);
  }
  return txs;
}

const cell = (type, v) => (type === 'int' || type === 'bigint' ? { int64_value: BigInt(v) } : { string_value: String(v) });

/** encode(db, commitTs, rows) → one Drainer binlog message, with the build's own message type. */
export async function drainerEncoder(app) {
  const { drainerBinlogType } = await importFromApp(app, 'drainerProto');
  const Binlog = drainerBinlogType();
  return (db, commitTs, rows) => {
    const tables = Object.entries(TABLES)
      .map(([t, def]) => ({
        schema_name: db,
        table_name: t,
        column_info: def.cols.map(([name, type, pk]) => ({ name, mysql_type: type, is_primary_key: !!pk })),
        // Updates carry the before image Drainer sends; the key is unchanged, values are the after's.
        mutations: rows
          .filter((r) => r.table === t)
          .map((r) => {
            const cols = { columns: r.row.map((v, i) => cell(def.cols[i][1], v)) };
            return r.op === 'insert' ? { type: 0, row: cols } : { type: 1, row: cols, change_row: cols };
          }),
      }))
      .filter((t) => t.mutations.length > 0);
    return Buffer.from(Binlog.encode(Binlog.fromObject({ type: 0, commit_ts: commitTs, dml_data: { tables } })).finish());
  };
}

export async function createTables(conn, db) {
  for (const [t, def] of Object.entries(TABLES)) await conn.query(`CREATE TABLE ${db}.${t} (${def.ddl})`);
}

/** The baseline: the same transactions, one destination transaction each (BEGIN, upserts, COMMIT); seconds. */
export async function applyWithMysql2(conn, db, txs) {
  const t0 = process.hrtime.bigint();
  for (const rows of txs) {
    await conn.query('BEGIN');
    for (const r of rows) {
      const cols = TABLES[r.table].cols.map((c) => c[0]);
      await conn.query(`INSERT INTO ${db}.${r.table} (${cols.join(', ')}) VALUES (?) ON DUPLICATE KEY UPDATE ${cols.slice(1).map((c) => `${c} = VALUES(${c})`).join(', ')}`, [r.row]);
    }
    await conn.query('COMMIT');
  }
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** What two destinations must agree on: their row count and the sum of a.n, which the updates change. */
export async function fingerprint(conn, db) {
  const [r] = await conn.query(`SELECT (SELECT COUNT(*) FROM ${db}.a) + (SELECT COUNT(*) FROM ${db}.b) + (SELECT COUNT(*) FROM ${db}.c) AS n, (SELECT SUM(n) FROM ${db}.a) AS s`);
  return `${r[0].n}/${r[0].s}`;
}
