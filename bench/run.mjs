// mig's throughput benchmark (`npm run bench`, see scripts/bench.sh for the services around it).
//
// Drives the built CLI (bin/run.js) as a user would and measures it from outside: wall time of
// the process, its CPU time and its peak RSS. Every figure is set against a baseline measured in
// the same run on the same data, because absolute numbers on a shared 2-core machine say little:
//
//   Full load     N rows of bench.t_bulk, `mig apply --auto-approve` (types schema + full) into a
//                 fresh topic with a fresh state directory. Baselines: mariadb-dump of the same
//                 table to /dev/null, and a bare kafkajs producer sending N pre-built messages in
//                 batches of 2000 with acks=-1 to a fresh 1-partition topic.
//   Incremental   after a full load of bench.t_inc (types schema + full + incremental): N rows
//                 inserted by 1000-row statements plus N/10 single-row UPDATEs, all autocommit;
//                 then `mig apply --auto-approve --until-caught-up` is timed. Baseline:
//                 mariadb-binlog --read-from-remote-server over the same binlog range, to /dev/null
//                 (as is, and with --verbose, which decodes the row images).
//
// Each case runs --runs times (default 3) with the order of tool and baselines rotated; the report
// gives median, min and max, and ratios to the baselines. Results go to stdout and to
// bench/results/latest.json. It drops the bench database, deletes its topics and removes its
// temporary directories when it finishes or is interrupted.
//
// Usage: node bench/run.mjs [--rows N] [--runs N] [--out FILE] [--profile] [--app DIR]
// Needs the services of scripts/services.sh (ports from MIG_TEST_MYSQL_PORT, MIG_TEST_KAFKA_PORT)
// and a build (npx tsc -p .). Imports nothing from src/.
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { Kafka, logLevel } from 'kafkajs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where the built mig lives (bin/run.js + dist/); --app, else this checkout. */
let APP = ROOT;
let MIG_BIN = path.join(ROOT, 'bin', 'run.js');
const HOST = '127.0.0.1';
const MYSQL_PORT = Number(process.env.MIG_TEST_MYSQL_PORT ?? 3307);
const KAFKA_PORT = Number(process.env.MIG_TEST_KAFKA_PORT ?? 19092);
const BROKERS = [`${HOST}:${KAFKA_PORT}`];
const DB = 'bench';
const TOPIC_PREFIX = 'bench.';
const INC_BASE_ROWS = 1000; // rows of bench.t_inc before the incremental case's own writes
const PROCESS_TIMEOUT_MS = 15 * 60 * 1000;

// ------------------------------------------------------------------------------------- options

function usage(code) {
  (code === 0 ? process.stdout : process.stderr).write(
    'Usage: node bench/run.mjs [--rows N] [--runs N] [--out FILE] [--profile] [--app DIR]\n' +
      '  --rows N   rows in the full-load table and rows inserted for the incremental case (200000)\n' +
      '  --runs N   repetitions of each case; the report gives median, min and max (3)\n' +
      '  --out FILE JSON results (bench/results/latest.json)\n' +
      '  --profile  run mig under node --cpu-prof; profiles go to profiles/ next to the JSON file\n' +
      '             (profiling slows mig down: those figures are not comparable with plain runs)\n' +
      '  --app DIR  the built mig to run: DIR/bin/run.js with DIR/dist (this checkout)\n',
  );
  process.exit(code);
}

function parseArgs(argv) {
  const opts = { rows: 200_000, runs: 3, out: path.join(ROOT, 'bench', 'results', 'latest.json'), profile: false, app: ROOT };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) usage(2);
      return v;
    };
    if (flag === '--rows') opts.rows = Number(value());
    else if (flag === '--runs') opts.runs = Number(value());
    else if (flag === '--out') opts.out = path.resolve(value());
    else if (flag === '--profile') opts.profile = true;
    else if (flag === '--app') opts.app = path.resolve(value());
    else if (flag === '-h' || flag === '--help') usage(0);
    else {
      process.stderr.write(`bench: unknown argument ${a}\n`);
      usage(2);
    }
  }
  if (!Number.isInteger(opts.rows) || opts.rows < 1000) {
    process.stderr.write('bench: --rows must be an integer >= 1000\n');
    process.exit(2);
  }
  if (!Number.isInteger(opts.runs) || opts.runs < 1) {
    process.stderr.write('bench: --runs must be an integer >= 1\n');
    process.exit(2);
  }
  return opts;
}

// ----------------------------------------------------------------------------------- processes

let gnuTime = false;
let currentChild;
/** Set on SIGINT/SIGTERM: cleanup runs, and whatever fails after that is not worth reporting. */
let interrupted = false;

function detectGnuTime() {
  try {
    execFileSync('/usr/bin/time', ['-v', '-o', '/dev/null', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Peak RSS (kB) and CPU seconds of a running process, from /proc (fallback without GNU time). */
function procSample(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
    return { maxRssKb: hwm, cpuSeconds: ticks / 100 };
  } catch {
    return undefined;
  }
}

/**
 * Runs a command to completion and measures it: wall seconds (hrtime, spawn to exit), CPU seconds
 * (user + system) and peak RSS of the command itself. stdout goes to /dev/null unless captured.
 */
function measure(cmd, args, { cwd = ROOT, captureStdout = true } = {}) {
  return new Promise((resolve, reject) => {
    const timeFile = gnuTime ? path.join(os.tmpdir(), `mig-bench-time-${process.pid}-${Date.now()}.txt`) : undefined;
    const argv = gnuTime ? ['-v', '-o', timeFile, cmd, ...args] : args;
    const exe = gnuTime ? '/usr/bin/time' : cmd;
    const devnull = captureStdout ? undefined : openSync('/dev/null', 'w');
    const started = process.hrtime.bigint();
    // Own process group, so a timeout or an interrupt can stop the command and its children.
    const child = spawn(exe, argv, { cwd, detached: true, stdio: ['ignore', captureStdout ? 'pipe' : devnull, 'pipe'] });
    currentChild = child;
    let stdout = '';
    let stderr = '';
    let sample;
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const poll = gnuTime ? undefined : setInterval(() => (sample = procSample(child.pid) ?? sample), 50);
    const timer = setTimeout(() => {
      stderr += `\nbench: killed after ${PROCESS_TIMEOUT_MS / 1000} s`;
      killGroup(child);
    }, PROCESS_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      reject(e);
    });
    child.on('close', (code, signal) => {
      const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      if (devnull !== undefined) closeSync(devnull);
      currentChild = undefined;
      let cpuSeconds = sample?.cpuSeconds;
      let maxRssKb = sample?.maxRssKb;
      if (timeFile) {
        const t = existsSync(timeFile) ? readFileSync(timeFile, 'utf8') : '';
        rmSync(timeFile, { force: true });
        const num = (re) => Number(re.exec(t)?.[1] ?? NaN);
        cpuSeconds = num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/);
        maxRssKb = num(/Maximum resident set size \(kbytes\): (\d+)/);
        const exit = /Command exited with non-zero status (\d+)/.exec(t);
        if (exit && code === 0) code = Number(exit[1]);
        // GNU time's own notes ("Command exited with ...") are in the file, not in stderr.
      }
      resolve({ code: code ?? (signal ? 128 : -1), signal, wallSeconds, cpuSeconds, maxRssKb, stdout, stderr });
    });
  });
}

function killGroup(child, sig = 'SIGTERM') {
  try {
    process.kill(-child.pid, sig);
  } catch {
    /* already gone */
  }
}

function ensureOk(what, r) {
  if (r.code !== 0) {
    const out = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`${what} failed (exit ${r.code}${r.signal ? `, ${r.signal}` : ''}):\n${out}`);
  }
  return r;
}

// ---------------------------------------------------------------------------------- MariaDB

async function sourceConnection() {
  return mysql.createConnection({ host: HOST, port: MYSQL_PORT, user: 'root', multipleStatements: true, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
}

const COLUMNS = 'id BIGINT PRIMARY KEY, a VARCHAR(64), n INT, dt DATETIME(6), amount DECIMAL(12,2)';
/** A row per seq value of MariaDB's sequence engine: ~45-character text, spread values. */
const ROW_SELECT = (offset) =>
  `SELECT seq + ${offset}, CONCAT('customer ', seq + ${offset}, ' ', LEFT(MD5(seq), 24)), (seq * 7919) % 100003, ` +
  `TIMESTAMP'2026-01-02 03:04:05.123456' + INTERVAL seq SECOND, ((seq * 37) % 1000000) / 100`;

/** Inserts `count` rows numbered from first, `perStatement` rows per autocommitted statement. */
async function insertRows(conn, table, first, count, perStatement) {
  for (let done = 0; done < count; done += perStatement) {
    const n = Math.min(perStatement, count - done);
    await conn.query(`INSERT INTO ${DB}.${table} ${ROW_SELECT(first + done - 1)} FROM ${DB}.seq_1_to_${n}`);
  }
}

async function masterStatus(conn) {
  const [rows] = await conn.query('SHOW MASTER STATUS');
  if (!rows[0]) throw new Error('the source has no binary log (SHOW MASTER STATUS is empty)');
  return { file: rows[0].File, pos: Number(rows[0].Position) };
}

async function binlogFiles(conn, from, to) {
  const [rows] = await conn.query('SHOW BINARY LOGS');
  const names = rows.map((r) => r.Log_name);
  const a = names.indexOf(from);
  const b = names.indexOf(to);
  if (a < 0 || b < a) throw new Error(`binlog files ${from}..${to} not found in SHOW BINARY LOGS`);
  return names.slice(a, b + 1);
}

// ------------------------------------------------------------------------------------ Kafka

const kafka = new Kafka({ clientId: 'mig-bench', brokers: BROKERS, logLevel: logLevel.NOTHING });
let admin;
const createdTopics = new Set();

async function createTopic(topic) {
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  createdTopics.add(topic);
}

async function deleteTopics(topics) {
  const list = [...topics];
  if (list.length === 0) return;
  const existing = new Set(await admin.listTopics());
  const gone = list.filter((t) => existing.has(t));
  if (gone.length > 0) await admin.deleteTopics({ topics: gone, timeout: 30000 });
  for (const t of list) createdTopics.delete(t);
}

async function topicCount(topic) {
  const offs = await admin.fetchTopicOffsets(topic);
  return offs.reduce((a, o) => a + Number(o.high) - Number(o.low), 0);
}

/** Average key and value size of the first messages of a topic (what mig actually writes). */
async function sampleMessageSize(topic, want = 500) {
  const consumer = kafka.consumer({ groupId: `mig-bench-sample-${process.pid}-${Date.now()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let n = 0;
    let valueBytes = 0;
    let keyBytes = 0;
    let example;
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve(), 20000);
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              if (n >= want) break;
              n++;
              valueBytes += m.value?.length ?? 0;
              keyBytes += m.key?.length ?? 0;
              example ??= m.value?.toString();
            }
            if (n >= want) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    return n === 0 ? undefined : { messages: n, avgValueBytes: Math.round(valueBytes / n), avgKeyBytes: Math.round(keyBytes / n), example };
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

// ------------------------------------------------------------------------------------- mig

const tempDirs = new Set();

function projectDir(kind) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `mig-bench-${kind}-`));
  tempDirs.add(dir);
  mkdirSync(path.join(dir, 'migrations.d'));
  return dir;
}

function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

function writeSpec(dir, { name, topic, table, types }) {
  writeFileSync(
    path.join(dir, 'migrations.d', `${name}.yaml`),
    `apiVersion: mig/v1
kind: Migration
metadata:
  name: ${name}
  description: benchmark run (bench/run.mjs)
spec:
  source: { type: mariadb, host: ${HOST}, port: ${MYSQL_PORT}, user: root }
  destination: { type: kafka, brokers: ${JSON.stringify(BROKERS)}, topic: ${topic}, format: canal-json }
  types: [${types.join(', ')}]
  objects:
    - database: ${DB}
      tables: [{ name: ${table} }]
`,
  );
}

/** Set by --profile: every mig process writes a V8 CPU profile there (figures then run slower). */
let profileDir;

const mig = (dir, label, ...args) =>
  measure(process.execPath, [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${label}.cpuprofile`] : []), MIG_BIN, ...args], { cwd: dir });

// ----------------------------------------------------------------------------------- stats

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function stats(xs) {
  const v = xs.filter((x) => Number.isFinite(x));
  if (v.length === 0) return null;
  return { median: median(v), min: Math.min(...v), max: Math.max(...v), runs: v };
}

/** A rate figure from per-run seconds: rate = work / seconds. */
function figure(unit, work, runs, pick = (r) => r.wallSeconds) {
  const ok = runs.filter((r) => r && !r.error);
  const secs = ok.map(pick);
  return {
    unit,
    rate: stats(secs.map((s) => work / s)),
    seconds: stats(secs),
    cpuSeconds: stats(ok.map((r) => r.cpuSeconds)),
    maxRssMB: stats(ok.map((r) => r.maxRssKb / 1024)),
  };
}

/**
 * tool ÷ baseline on rates: the ratio of the medians, and the spread of the per-run ratios (each
 * run's tool figure against the baseline measured next to it).
 */
function ratio(tool, base, toolRuns, baseRuns, pickTool = (r) => r.wallSeconds, pickBase = (r) => r.wallSeconds) {
  if (!tool.rate || !base.rate) return null;
  const paired = [];
  for (let i = 0; i < Math.min(toolRuns.length, baseRuns.length); i++) {
    const t = toolRuns[i];
    const b = baseRuns[i];
    if (t && b && !t.error && !b.error) paired.push(pickBase(b) / pickTool(t));
  }
  return { ofMedians: tool.rate.median / base.rate.median, perRun: stats(paired) };
}

// ----------------------------------------------------------------------------------- cases

/** The order of the steps in run i: rotated, so no step always runs first or last. */
function rotate(steps, i) {
  return steps.map((_, k) => steps[(k + i) % steps.length]);
}

async function fullLoadCase(opts, tag, log) {
  const N = opts.rows;
  const runs = { dump: [], raw: [], mig: [] };
  let messageSample;
  for (let i = 0; i < opts.runs; i++) {
    const steps = {
      dump: async () => {
        const r = await measure('mariadb-dump', ['--no-defaults', `-h${HOST}`, `-P${MYSQL_PORT}`, '-uroot', '--single-transaction', '--quick', '--no-create-info', '--skip-dump-date', DB, 't_bulk'], { captureStdout: false });
        return ensureOk('mariadb-dump', r);
      },
      raw: async () => {
        const topic = `${TOPIC_PREFIX}raw.${tag}.${i}`;
        await createTopic(topic);
        try {
          const r = ensureOk('raw kafkajs producer', await measure(process.execPath, [path.join(ROOT, 'bench', 'raw-producer.mjs'), '--brokers', BROKERS.join(','), '--topic', topic, '--count', String(N), '--size', '200', '--batch', '2000']));
          const inner = JSON.parse(r.stdout.trim().split('\n').pop());
          const got = await topicCount(topic);
          if (got !== N) throw new Error(`raw producer: ${got} messages in ${topic}, expected ${N}`);
          return { ...r, sendSeconds: inner.sendSeconds, avgValueBytes: inner.bytes / inner.messages };
        } finally {
          await deleteTopics([topic]);
        }
      },
      mig: async () => {
        const topic = `${TOPIC_PREFIX}full.${tag}.${i}`;
        const dir = projectDir('full');
        createdTopics.add(topic); // mig creates it; we delete it
        try {
          writeSpec(dir, { name: `bench-full-${i}`, topic, table: 't_bulk', types: ['schema', 'full'] });
          const r = ensureOk('mig apply (full load)', await mig(dir, `full-${i + 1}`, 'apply', '--auto-approve'));
          const m = /: (\d+) rows in ([\d.]+) s$/m.exec(r.stdout);
          const got = await topicCount(topic);
          if (got !== N) throw new Error(`mig full load: ${got} messages in ${topic}, expected ${N}\n${r.stdout}`);
          if (!messageSample) messageSample = await sampleMessageSize(topic).catch(() => undefined);
          return { ...r, phaseSeconds: m ? Number(m[2]) : NaN, phaseRows: m ? Number(m[1]) : NaN };
        } finally {
          removeDir(dir);
          await deleteTopics([topic]);
        }
      },
    };
    for (const name of rotate(Object.keys(steps), i)) {
      let r;
      try {
        r = await steps[name]();
      } catch (e) {
        r = { error: String(e.message ?? e) };
        if (!interrupted) process.stderr.write(`bench: full load run ${i + 1}, ${name}: ${r.error}\n`);
      }
      runs[name][i] = r;
      log(`  full load run ${i + 1}/${opts.runs}: ${name.padEnd(4)} ${r.error ? 'FAILED' : `${r.wallSeconds.toFixed(2)} s`}`);
    }
  }
  const fig = {
    mig: figure('rows/s', N, runs.mig),
    migFullPhase: figure('rows/s', N, runs.mig, (r) => r.phaseSeconds),
    mariadbDump: figure('rows/s', N, runs.dump),
    rawKafkajs: figure('msgs/s', N, runs.raw),
    rawKafkajsSendOnly: figure('msgs/s', N, runs.raw, (r) => r.sendSeconds),
  };
  return {
    rows: N,
    figures: fig,
    ratios: {
      'mig / mariadb-dump': ratio(fig.mig, fig.mariadbDump, runs.mig, runs.dump),
      'mig / raw kafkajs': ratio(fig.mig, fig.rawKafkajs, runs.mig, runs.raw),
      'mig full phase / mariadb-dump': ratio(fig.migFullPhase, fig.mariadbDump, runs.mig, runs.dump, (r) => r.phaseSeconds),
      'mig full phase / raw kafkajs send': ratio(fig.migFullPhase, fig.rawKafkajsSendOnly, runs.mig, runs.raw, (r) => r.phaseSeconds, (r) => r.sendSeconds),
    },
    messages: {
      mig: messageSample ? { avgValueBytes: messageSample.avgValueBytes, avgKeyBytes: messageSample.avgKeyBytes, sampled: messageSample.messages } : null,
      rawKafkajs: { avgValueBytes: runs.raw.find((r) => r && !r.error)?.avgValueBytes ?? null },
    },
    example: messageSample?.example ?? null,
    errors: Object.entries(runs).flatMap(([k, rs]) => rs.map((r, i) => (r?.error ? { step: k, run: i + 1, error: r.error } : null)).filter(Boolean)),
  };
}

async function incrementalCase(opts, tag, conn, log) {
  const N = opts.rows;
  const updates = Math.floor(N / 10);
  const events = N + updates;
  const runs = { mig: [], binlog: [], binlogVerbose: [] };
  const writes = [];
  const warnings = [];
  for (let i = 0; i < opts.runs; i++) {
    const topic = `${TOPIC_PREFIX}inc.${tag}.${i}`;
    const dir = projectDir('inc');
    createdTopics.add(topic);
    try {
      await conn.query(`DROP TABLE IF EXISTS ${DB}.t_inc; CREATE TABLE ${DB}.t_inc (${COLUMNS})`);
      await insertRows(conn, 't_inc', 1, INC_BASE_ROWS, INC_BASE_ROWS);
      writeSpec(dir, { name: `bench-inc-${i}`, topic, table: 't_inc', types: ['schema', 'full', 'incremental'] });
      ensureOk('mig apply (full load before the incremental case)', await mig(dir, `inc-${i + 1}-initial`, 'apply', '--auto-approve'));

      // The writes mig has to catch up with.
      const start = await masterStatus(conn);
      const w0 = process.hrtime.bigint();
      await insertRows(conn, 't_inc', INC_BASE_ROWS + 1, N, 1000);
      const perQuery = 250;
      for (let k = 0; k < updates; k += perQuery) {
        const stmts = [];
        for (let j = k; j < Math.min(updates, k + perQuery); j++) {
          // Distinct rows spread over the inserted range; one autocommitted UPDATE each.
          stmts.push(`UPDATE ${DB}.t_inc SET n = n + 1, amount = amount + 1.25 WHERE id = ${INC_BASE_ROWS + 1 + ((j * 10) % N)}`);
        }
        await conn.query(stmts.join(';\n'));
      }
      const writeSeconds = Number(process.hrtime.bigint() - w0) / 1e9;
      const end = await masterStatus(conn);
      const files = await binlogFiles(conn, start.file, end.file);
      writes[i] = { seconds: writeSeconds, from: start, to: end, files: files.length, binlogBytes: null };
      log(`  incremental run ${i + 1}/${opts.runs}: wrote ${events} row changes in ${writeSeconds.toFixed(1)} s`);

      const binlogArgs = ['--no-defaults', '--read-from-remote-server', `-h${HOST}`, `-P${MYSQL_PORT}`, '-uroot', `--start-position=${start.pos}`, `--stop-position=${end.pos}`];
      const steps = {
        mig: async () => {
          const r = ensureOk('mig apply --until-caught-up', await mig(dir, `inc-${i + 1}-catch-up`, 'apply', '--auto-approve', '--until-caught-up'));
          const m = /caught up: (\d+) binlog change\(s\) handled/.exec(r.stdout);
          const handled = m ? Number(m[1]) : NaN;
          if (handled !== events) warnings.push(`run ${i + 1}: mig reported ${handled} binlog changes, expected ${events}`);
          const got = await topicCount(topic);
          if (got !== INC_BASE_ROWS + events) throw new Error(`mig incremental: ${got} messages in ${topic}, expected ${INC_BASE_ROWS + events}\n${r.stdout}`);
          return { ...r, handled };
        },
        binlog: async () => ensureOk('mariadb-binlog', await measure('mariadb-binlog', [...binlogArgs, ...files], { captureStdout: false })),
        binlogVerbose: async () => ensureOk('mariadb-binlog --verbose', await measure('mariadb-binlog', [...binlogArgs, '--verbose', ...files], { captureStdout: false })),
      };
      for (const name of rotate(Object.keys(steps), i)) {
        let r;
        try {
          r = await steps[name]();
        } catch (e) {
          r = { error: String(e.message ?? e) };
          if (!interrupted) process.stderr.write(`bench: incremental run ${i + 1}, ${name}: ${r.error}\n`);
        }
        runs[name][i] = r;
        log(`  incremental run ${i + 1}/${opts.runs}: ${name.padEnd(13)} ${r.error ? 'FAILED' : `${r.wallSeconds.toFixed(2)} s`}`);
      }
    } catch (e) {
      const error = String(e.message ?? e);
      if (!interrupted) process.stderr.write(`bench: incremental run ${i + 1}: ${error}\n`);
      for (const k of Object.keys(runs)) runs[k][i] ??= { error };
    } finally {
      removeDir(dir);
      await deleteTopics([topic]).catch(() => undefined);
      await conn.query(`DROP TABLE IF EXISTS ${DB}.t_inc`).catch(() => undefined);
    }
  }
  const fig = {
    mig: figure('events/s', events, runs.mig),
    mariadbBinlog: figure('events/s', events, runs.binlog),
    mariadbBinlogVerbose: figure('events/s', events, runs.binlogVerbose),
  };
  return {
    events,
    inserts: N,
    updates,
    binlogBytes: stats(writes.filter(Boolean).map((w) => (w.from.file === w.to.file ? w.to.pos - w.from.pos : NaN))),
    sourceWriteSeconds: stats(writes.filter(Boolean).map((w) => w.seconds)),
    figures: fig,
    ratios: {
      'mig / mariadb-binlog': ratio(fig.mig, fig.mariadbBinlog, runs.mig, runs.binlog),
      'mig / mariadb-binlog --verbose': ratio(fig.mig, fig.mariadbBinlogVerbose, runs.mig, runs.binlogVerbose),
    },
    warnings,
    errors: Object.entries(runs).flatMap(([k, rs]) => rs.map((r, i) => (r?.error ? { step: k, run: i + 1, error: r.error } : null)).filter(Boolean)),
  };
}

// ---------------------------------------------------------------------------------- report

const int = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
const fix = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

function rateRow(label, f) {
  if (!f.rate) return `  ${label.padEnd(38)} failed`;
  const { median: m, min, max } = f.rate;
  const spread = `[${int(min)} – ${int(max)}]`;
  const secs = `${fix(f.seconds.median)} s`;
  const cpu = f.cpuSeconds ? `${fix(f.cpuSeconds.median, 1)} s` : 'n/a';
  const rss = f.maxRssMB ? `${int(f.maxRssMB.median)} MB` : 'n/a';
  return `  ${label.padEnd(38)} ${`${int(m)} ${f.unit}`.padStart(16)} ${spread.padEnd(22)} ${secs.padStart(9)} ${cpu.padStart(8)} ${rss.padStart(8)}`;
}

function ratioRow(label, r) {
  if (!r) return `  ${label.padEnd(38)} n/a`;
  const per = r.perRun ? `per run [${fix(r.perRun.min, 3)} – ${fix(r.perRun.max, 3)}], median ${fix(r.perRun.median, 3)}` : '';
  return `  ${label.padEnd(38)} ${fix(r.ofMedians, 3).padStart(8)}   ${per}`;
}

function render(result) {
  const out = [];
  const head = `  ${'figure'.padEnd(38)} ${'median'.padStart(16)} ${'[min – max]'.padEnd(22)} ${'wall'.padStart(9)} ${'cpu'.padStart(8)} ${'peak RSS'.padStart(8)}`;
  const f = result.cases.fullLoad;
  if (f) {
    out.push('', `Full load: ${int(f.rows)} rows of ${DB}.t_bulk, ${result.params.runs} runs`, head);
    out.push(rateRow('mig apply (whole command)', f.figures.mig));
    out.push(rateRow('mig full-load phase (its own log)', { ...f.figures.migFullPhase, cpuSeconds: null, maxRssMB: null }));
    out.push(rateRow('mariadb-dump --quick', f.figures.mariadbDump));
    out.push(rateRow('raw kafkajs producer (process)', f.figures.rawKafkajs));
    out.push(rateRow('raw kafkajs producer (sends only)', { ...f.figures.rawKafkajsSendOnly, cpuSeconds: null, maxRssMB: null }));
    out.push('  ratios (rate ÷ rate; > 1 means mig is faster)');
    for (const [k, v] of Object.entries(f.ratios)) out.push(ratioRow(k, v));
    const mm = f.messages.mig;
    out.push(`  message size: mig ~${mm ? `${mm.avgValueBytes} B value + ${mm.avgKeyBytes} B key` : 'n/a'}, raw producer ~${int(f.messages.rawKafkajs.avgValueBytes)} B value`);
    for (const e of f.errors) out.push(`  ERROR run ${e.run} ${e.step}: ${e.error.split('\n')[0]}`);
  }
  const c = result.cases.incremental;
  if (c) {
    out.push('', `Incremental catch-up: ${int(c.inserts)} inserted rows (1000 per statement) + ${int(c.updates)} single-row UPDATEs = ${int(c.events)} events, ${result.params.runs} runs`);
    if (c.binlogBytes) out.push(`  binlog range ~${fix(c.binlogBytes.median / 1048576, 1)} MiB; the source took ${fix(c.sourceWriteSeconds?.median, 1)} s to write it`);
    out.push(head);
    out.push(rateRow('mig apply --until-caught-up', c.figures.mig));
    out.push(rateRow('mariadb-binlog (remote, to /dev/null)', c.figures.mariadbBinlog));
    out.push(rateRow('mariadb-binlog --verbose', c.figures.mariadbBinlogVerbose));
    out.push('  ratios (rate ÷ rate; > 1 means mig is faster)');
    for (const [k, v] of Object.entries(c.ratios)) out.push(ratioRow(k, v));
    for (const w of c.warnings) out.push(`  warning: ${w}`);
    for (const e of c.errors) out.push(`  ERROR run ${e.run} ${e.step}: ${e.error.split('\n')[0]}`);
  }
  if (result.params.profiled) out.push('', 'mig ran under --cpu-prof: its figures are slower than in a plain run.');
  out.push('', `Total ${fix(result.totalSeconds, 0)} s. Wall = process start to exit; cpu = user + system of that process; peak RSS = its maximum resident set.`);
  return out.join('\n');
}

// ------------------------------------------------------------------------------------ main

async function cleanup(conn) {
  if (currentChild) killGroup(currentChild);
  for (const dir of [...tempDirs]) removeDir(dir);
  if (conn) await conn.query(`DROP DATABASE IF EXISTS ${DB}`).catch((e) => process.stderr.write(`bench: could not drop ${DB}: ${e.message}\n`));
  if (admin) {
    await deleteTopics(createdTopics).catch((e) => process.stderr.write(`bench: could not delete topics: ${e.message}\n`));
    await admin.disconnect().catch(() => undefined);
  }
  if (conn) await conn.end().catch(() => undefined);
}

/** Identifies the compiled code that was measured: sha256 over dist's .js files, first 12 hex. */
function buildDigest(dir) {
  const h = createHash('sha256');
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) h.update(path.relative(dir, p)).update('\0').update(readFileSync(p)).update('\0');
    }
  };
  walk(dir);
  return h.digest('hex').slice(0, 12);
}

/** A path inside the project relative to it, any other as is. */
function shown(p) {
  const rel = path.relative(ROOT, p);
  return rel.startsWith('..') || path.isAbsolute(rel) ? p : rel;
}

function gitDescribe() {
  try {
    const rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
    return `${rev}${dirty ? '-dirty' : ''}`;
  } catch {
    return null;
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  APP = opts.app;
  MIG_BIN = path.join(APP, 'bin', 'run.js');
  if (!existsSync(path.join(APP, 'dist', 'commands', 'apply.js'))) throw new Error(`mig is not built in ${APP}: run npx tsc -p . first`);
  const build = buildDigest(path.join(APP, 'dist'));
  const commit = gitDescribe();
  gnuTime = detectGnuTime();
  if (opts.profile) {
    profileDir = path.join(path.dirname(opts.out), 'profiles');
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
  }
  const t0 = Date.now();
  const tag = `${process.pid}${Date.now().toString(36)}`;
  const log = (s) => process.stdout.write(`${s}\n`);

  let conn;
  const onSignal = async (sig) => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\nbench: ${sig}, cleaning up...\n`);
    await cleanup(conn);
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    conn = await sourceConnection();
    admin = kafka.admin();
    await admin.connect();
    // Leftovers of an interrupted earlier run (topics are named bench.<case>.<tag>.<run>).
    const stale = (await admin.listTopics()).filter((t) => /^bench\.(full|raw|inc)\.[0-9a-z]+\.\d+$/.test(t));
    if (stale.length > 0) await admin.deleteTopics({ topics: stale, timeout: 30000 });

    const [[ver]] = await conn.query('SELECT VERSION() AS v');
    log(`mig benchmark: ${int(opts.rows)} rows, ${opts.runs} runs; build ${build} (checkout ${commit ?? 'n/a'})`);
    log(`  MariaDB ${ver.v} on ${HOST}:${MYSQL_PORT}, Kafka ${BROKERS[0]}; ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; ${gnuTime ? 'GNU time' : '/proc sampling'} for CPU and RSS`);
    if (profileDir) log(`  --profile: mig runs under node --cpu-prof (slower); profiles in ${shown(profileDir)}`);
    await conn.query(`DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB}; CREATE TABLE ${DB}.t_bulk (${COLUMNS})`);
    const f0 = Date.now();
    // The full-load table is not part of any binlog measurement: keep it out of the log.
    await conn.query('SET SESSION sql_log_bin = 0');
    await insertRows(conn, 't_bulk', 1, opts.rows, 50_000);
    await conn.query('SET SESSION sql_log_bin = 1');
    await conn.query(`ANALYZE TABLE ${DB}.t_bulk`);
    log(`  filled ${DB}.t_bulk with ${int(opts.rows)} rows in ${fix((Date.now() - f0) / 1000, 1)} s`);

    const result = {
      benchmark: 'mig',
      version: 1,
      date: new Date().toISOString(),
      commit,
      build,
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, memoryGB: Math.round(os.totalmem() / 2 ** 30), node: process.version, mariadb: ver.v, loadAverageAtStart: os.loadavg() },
      params: { rows: opts.rows, runs: opts.runs, profiled: opts.profile, chunkSize: 'mig default', rawMessageBytes: 200, rawBatch: 2000, incBaseRows: INC_BASE_ROWS, resourceUsage: gnuTime ? 'GNU time' : '/proc sampling' },
      cases: {},
    };
    result.cases.fullLoad = await fullLoadCase(opts, tag, log);
    result.cases.incremental = await incrementalCase(opts, tag, conn, log);
    result.totalSeconds = (Date.now() - t0) / 1000;
    result.machine.loadAverageAtEnd = os.loadavg();

    mkdirSync(path.dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, JSON.stringify(result, null, 2) + '\n');
    log(render(result));
    log(`Results: ${shown(opts.out)}`);
    const failed = result.cases.fullLoad.errors.length + result.cases.incremental.errors.length;
    if (failed > 0) process.exitCode = 1;
  } finally {
    if (!interrupted) await cleanup(conn);
  }
}

main().catch((e) => {
  process.stderr.write(`bench: ${e.stack ?? e}\n`);
  process.exit(1);
});
