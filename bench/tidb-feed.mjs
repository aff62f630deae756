// Benchmark case "tidb": TiDB → MySQL incremental apply rate. N small Drainer transactions (1–5
// rows over three tables, inserts and full-image updates, encoded from the .proto) are produced to
// a one-partition topic, then `mig apply --until-caught-up` is timed (process start, plan and
// precheck included) → transactions/s. Baseline, same run, same MariaDB: a plain mysql2 loop
// applying the same transactions one destination transaction each (BEGIN, upserts, COMMIT).
// MariaDB stands in for TiDB's SQL endpoint, as in the e2e tests.
//
// Usage: node bench/tidb-feed.mjs --app DIR [--transactions N] [--runs N]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { Kafka, logLevel } from 'kafkajs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const APP = path.resolve(opt('--app', '.'));
const N = Number(opt('--transactions', '30000'));
const RUNS = Number(opt('--runs', '2'));
const PORT = Number(process.env.MIG_TEST_MYSQL_PORT ?? 3307);
const BROKERS = [`127.0.0.1:${process.env.MIG_TEST_KAFKA_PORT ?? 19092}`];
const { drainerBinlogType } = await import(path.join(APP, 'dist/connectors/sources/tidb/drainer-proto.js'));
const Binlog = drainerBinlogType();
const kafka = new Kafka({ clientId: 'mig-bench-tidb', brokers: BROKERS, logLevel: logLevel.NOTHING });

const TABLES = {
  a: { ddl: 'id INT PRIMARY KEY, v VARCHAR(40), n INT', cols: [['id', 'int', true], ['v', 'varchar'], ['n', 'int']] },
  b: { ddl: 'id INT PRIMARY KEY, k BIGINT, note VARCHAR(60)', cols: [['id', 'int', true], ['k', 'bigint'], ['note', 'varchar']] },
  c: { ddl: 'id INT PRIMARY KEY, amount DECIMAL(10,2), at DATETIME', cols: [['id', 'int', true], ['amount', 'decimal'], ['at', 'datetime']] },
};

// Deterministic workload: [{ table, op: 'insert'|'update', row: [...] }] per transaction.
function workload() {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const next = { a: 1, b: 1, c: 1 };
  const rowOf = (t, id, i) => (t === 'a' ? [id, `value ${i}`, i % 1000] : t === 'b' ? [id, i * 7919, `note ${i}`] : [id, (i % 100000 / 100).toFixed(2), '2026-01-02 03:04:05']);
  const txs = [];
  for (let i = 0; i < N; i++) {
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
function encode(db, commitTs, rows) {
  const tables = Object.entries(TABLES).map(([t, def]) => ({
    schema_name: db, table_name: t,
    column_info: def.cols.map(([name, type, pk]) => ({ name, mysql_type: type, is_primary_key: !!pk })),
    // Updates carry the before image Drainer sends; the key is unchanged, values are the after's.
    mutations: rows.filter((r) => r.table === t).map((r) => {
      const cols = { columns: r.row.map((v, i) => cell(def.cols[i][1], v)) };
      return r.op === 'insert' ? { type: 0, row: cols } : { type: 1, row: cols, change_row: cols };
    }),
  })).filter((t) => t.mutations.length > 0);
  return Buffer.from(Binlog.encode(Binlog.fromObject({ type: 0, commit_ts: commitTs, dml_data: { tables } })).finish());
}

async function produce(topic, msgs) {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] });
  await admin.disconnect();
  const p = kafka.producer();
  await p.connect();
  for (let i = 0; i < msgs.length; i += 1000) await p.send({ topic, acks: -1, messages: msgs.slice(i, i + 1000).map((value) => ({ value, partition: 0 })) });
  await p.disconnect();
}

function mig(cwd, ...a) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [path.join(APP, 'bin/run.js'), ...a], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`mig ${a.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, stdout: r.stdout };
}

async function baseline(conn, db, txs) {
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

const count = async (conn, db) => {
  const [r] = await conn.query(`SELECT (SELECT COUNT(*) FROM ${db}.a) + (SELECT COUNT(*) FROM ${db}.b) + (SELECT COUNT(*) FROM ${db}.c) AS n, (SELECT SUM(n) FROM ${db}.a) AS s`);
  return `${r[0].n}/${r[0].s}`;
};

const conn = await mysql.createConnection({ host: '127.0.0.1', port: PORT, user: 'root', multipleStatements: true });
const txs = workload();
const rowsTotal = txs.reduce((a, t) => a + t.length, 0);
console.log(`tidb feed: ${N} transactions, ${rowsTotal} row changes over 3 tables, ${RUNS} run(s)`);
const results = [];
for (let run = 1; run <= RUNS; run++) {
  const tag = `${process.pid}_${run}`;
  const src = `bench_tidb_src_${tag}`, dst = `bench_tidb_dst_${tag}`, base = `bench_tidb_base_${tag}`, cp = `bench_tidb_cp_${tag}`;
  const topic = `bench-tidb-${tag}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'mig-bench-tidb-'));
  try {
    await conn.query(`CREATE DATABASE ${src}; CREATE DATABASE ${base}`);
    for (const [t, def] of Object.entries(TABLES)) await conn.query(`CREATE TABLE ${src}.${t} (${def.ddl}); CREATE TABLE ${base}.${t} (${def.ddl})`);
    mkdirSync(path.join(dir, 'migrations.d'));
    writeFileSync(path.join(dir, 'migrations.d', 'b.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: bench-tidb }
spec:
  source: { type: tidb, host: 127.0.0.1, port: ${PORT}, user: root, binlogKafka: { brokers: ${JSON.stringify(BROKERS)}, topic: ${topic} } }
  destination: { type: mysql, host: 127.0.0.1, port: ${PORT}, user: root, checkpointDatabase: ${cp} }
  objects: [{ database: ${src}, target: ${dst} }]
`);
    await produce(topic, []);
    mig(dir, 'apply', '--auto-approve');
    const startTs = BigInt(JSON.parse(readFileSync(path.join(dir, '.mig/state.json'), 'utf8')).migrations['bench-tidb'].feed.startTs);
    await produce(topic, txs.map((rows, i) => encode(src, startTs + BigInt(i + 1), rows))).catch(async (e) => {
      if (!String(e).includes('already exists')) throw e;
    });
    const m = mig(dir, 'apply', '--auto-approve', '--until-caught-up');
    if (!m.stdout.includes(`caught up: ${N} transaction(s) applied`)) throw new Error(`unexpected: ${m.stdout}`);
    const b = await baseline(conn, base, txs);
    const same = (await count(conn, dst)) === (await count(conn, base));
    results.push({ mig: N / m.seconds, base: N / b });
    console.log(`  run ${run}: mig ${Math.round(N / m.seconds)} tx/s (${m.seconds.toFixed(1)} s), mysql2 one-transaction-each ${Math.round(N / b)} tx/s (${b.toFixed(1)} s), ratio ${(b / m.seconds).toFixed(2)}, destination ${same ? 'equals' : 'DIFFERS FROM'} baseline`);
    if (!same) process.exitCode = 1;
  } finally {
    await conn.query(`DROP DATABASE IF EXISTS ${src}; DROP DATABASE IF EXISTS ${dst}; DROP DATABASE IF EXISTS ${base}; DROP DATABASE IF EXISTS ${cp}`);
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`tidb feed: mig ${Math.round(med(results.map((r) => r.mig)))} tx/s, baseline ${Math.round(med(results.map((r) => r.base)))} tx/s, ratio mig/baseline ${(med(results.map((r) => r.mig / r.base))).toFixed(2)} (median of ${RUNS})`);
await conn.end();
