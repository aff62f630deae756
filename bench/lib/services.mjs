// The services the benchmark talks to (scripts/services.sh's MariaDB and Kafka) and the rows it writes.
// Every MariaDB-sourced case writes the same ~200-byte row, so their rates compare across cases.
import { execFileSync } from 'node:child_process';
import mysql from 'mysql2/promise';
import { ROOT } from './app.mjs';

export const HOST = '127.0.0.1';
export const MYSQL_PORT = Number(process.env.MIG_TEST_MYSQL_PORT ?? 3307);
const KAFKA_PORT = Number(process.env.MIG_TEST_KAFKA_PORT ?? 19092);
export const BROKERS = [`${HOST}:${KAFKA_PORT}`];
export const DB = 'bench';

let kafkaLibDir;
/**
 * Kafka's jars (the broker's release, kafka-tools among them), as `scripts/services.sh env` names them:
 * scripts/bench.sh exports that; a bare `node bench/run.mjs` asks the script, which knows the cache and the Kafka line.
 */
export function kafkaLib() {
  kafkaLibDir ??= process.env.MIG_TEST_KAFKA_LIB || /^MIG_TEST_KAFKA_LIB=(.*)$/m.exec(execFileSync('bash', ['scripts/services.sh', 'env'], { cwd: ROOT, encoding: 'utf8' }))[1];
  return kafkaLibDir;
}

export function sourceConnection() {
  return mysql.createConnection({ host: HOST, port: MYSQL_PORT, user: 'root', multipleStatements: true, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
}

// About 200 bytes of text per row: a key, a short name, numbers, a time and a ~110-character note
// (hex digests: neither random bytes nor endless repeats, so lz4 finds what it finds in real rows).
export const COLUMNS = 'id BIGINT PRIMARY KEY, a VARCHAR(64), n INT, dt DATETIME(6), amount DECIMAL(12,2), note VARCHAR(255)';
/** A row per seq value of MariaDB's sequence engine. */
export const ROW_SELECT = (offset) =>
  `SELECT seq + ${offset}, CONCAT('customer ', seq + ${offset}, ' ', LEFT(MD5(seq), 24)), (seq * 7919) % 100003, ` +
  `TIMESTAMP'2026-01-02 03:04:05.123456' + INTERVAL seq SECOND, ((seq * 37) % 1000000) / 100, ` +
  `CONCAT_WS(' ', 'order note', MD5(seq + ${offset}), SHA1(seq + ${offset}), LEFT(SHA1(seq), 30))`;
/** The text size of a row, as the sum of its values' text lengths. */
export const ROW_TEXT_BYTES = 'LENGTH(id) + LENGTH(a) + LENGTH(n) + LENGTH(dt) + LENGTH(amount) + LENGTH(note)';

/** Inserts `count` rows numbered from first, `perStatement` rows per autocommitted statement. */
export async function insertRows(conn, table, first, count, perStatement) {
  for (let done = 0; done < count; done += perStatement) {
    const n = Math.min(perStatement, count - done);
    await conn.query(`INSERT INTO ${DB}.${table} ${ROW_SELECT(first + done - 1)} FROM ${DB}.seq_1_to_${n}`);
  }
}

/** Runs fn with the session's writes kept out of the binlog: tables filled for a snapshot are no binlog measurement. */
export async function withoutBinlog(conn, fn) {
  await conn.query('SET SESSION sql_log_bin = 0');
  try {
    return await fn();
  } finally {
    await conn.query('SET SESSION sql_log_bin = 1');
  }
}

export async function masterStatus(conn) {
  const [rows] = await conn.query('SHOW MASTER STATUS');
  if (!rows[0]) throw new Error('the source has no binary log (SHOW MASTER STATUS is empty)');
  return { file: rows[0].File, pos: Number(rows[0].Position) };
}

export async function binlogFiles(conn, from, to) {
  const [rows] = await conn.query('SHOW BINARY LOGS');
  const names = rows.map((r) => r.Log_name);
  const a = names.indexOf(from);
  const b = names.indexOf(to);
  if (a < 0 || b < a) throw new Error(`binlog files ${from}..${to} not found in SHOW BINARY LOGS`);
  return { files: names.slice(a, b + 1), sizes: rows.slice(a, b + 1).map((r) => Number(r.File_size)) };
}

// Databases beside `bench` (the TiDB case needs whole databases): dropped at the end, or on an interrupt.
const extraDatabases = new Set();

/** A database mig creates itself (a destination, a checkpoint database): dropped with the others. */
export const noteDatabase = (name) => extraDatabases.add(name);

export async function createDatabase(conn, name) {
  noteDatabase(name);
  await conn.query(`CREATE DATABASE ${name}`);
}

export async function dropDatabases(conn) {
  for (const name of [...extraDatabases]) {
    await conn.query(`DROP DATABASE IF EXISTS ${name}`);
    extraDatabases.delete(name);
  }
}
