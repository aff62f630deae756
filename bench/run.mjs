// mig's benchmark (`npm run bench`; scripts/bench.sh builds mig and provides the services).
//
// Drives the built CLI (bin/run.js) as a user would and measures it from outside: wall time of the
// process, its CPU time and peak RSS, and the times at which it prints its phase lines. Every
// throughput figure is set against baselines measured in the same run on the same data, because
// absolute numbers on a shared 2-core machine say little. Each destination format (canal-json,
// dts-avro, shareplex-json) is measured into a 1-partition topic with lz4, as mig writes by default.
//
//   Sizing        per format, a mig full load of every k-th row of bench.t_bulk (a row filter, so
//                 the messages are exactly those of the full load): their average size, and the
//                 messages themselves, which the raw producer baseline then sends.
//   Full load     N rows of ~200 bytes in bench.t_bulk; `mig apply --auto-approve` (types schema +
//                 full) into a fresh topic with a fresh state directory, per format. Baselines:
//                 a mysql2 streaming SELECT of the table, `mariadb-dump --quick` of it, and per
//                 format a bare kafkajs producer sending N of mig's sampled messages (same sizes)
//                 in mig's batches (5000-message chunks cut below 900 kB, one request in flight,
//                 acks=-1, lz4).
//   Incremental   per format a project whose full load of bench.t_inc (1000 rows) is done; then N
//                 binlog row events are written once (90% inserted by 1000-row statements, 10%
//                 single-row autocommitted UPDATEs) and each format's `mig apply --until-caught-up`
//                 is timed. Baselines: mariadb-binlog --read-from-remote-server over the same binlog
//                 range to /dev/null, as is and with --verbose (decodes the row images).
//   Latency       canal-json, `mig apply --follow` streaming while a writer inserts a steady 5000
//                 rows/s in autocommitted 10-row INSERTs, into a topic with
//                 message.timestamp.type=LogAppendTime; a consumer takes, per row, the broker's append
//                 time minus the time the writer saw the commit (see the report for the method).
//
// Each case runs --runs times with the order of tools and baselines rotated; the report gives the
// median and [min – max], and ratios to the baselines (ratio of the medians, and the spread of the
// per-run ratios, each run's figure against the baseline measured next to it), the peak RSS of every
// mig process and the aims (full load ≥ 0.7 × raw kafkajs, catch-up ≥ 50k events/s, RSS < 256 MB).
// Results go to stdout and to bench/results/latest.json. It drops the bench database, deletes its
// topics and consumer groups and removes its temporary directories when it finishes or is
// interrupted.
//
// --ref-app DIR measures a second build next to the first in every run (A/B: "mig / mig ref"),
// which is how a change to src/ is judged on this noisy machine (scripts/bench.sh --compare REV).
// --profile runs mig under node --cpu-prof and summarises each profile (bench/profile-summary.mjs:
// self time by function and by package). The raw producer loads mig's kafkajs patches and codecs
// from the build, so it is "kafkajs as mig runs it": a patch to kafkajs speeds up both.
//
// Needs the services of scripts/services.sh (ports from MIG_TEST_MYSQL_PORT, MIG_TEST_KAFKA_PORT) and
// a build (--app DIR, else this checkout's bin/ and dist/). Imports nothing from src/.
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import mysql from 'mysql2/promise';
import { Kafka, logLevel } from 'kafkajs';
import { renderProfile, summarizeProfile } from './lib/profile-summary.mjs';
import { renderTablestore, tablestoreCase } from './tablestore.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where the built mig lives (bin/run.js + dist/); --app, else this checkout. */
let APP = ROOT;
/**
 * The migs measured: the one under test, and with --ref-app a reference build measured next to it
 * in every run (reported as the ratio mig ÷ mig ref). nodeOptions: extra node flags (--node-options).
 */
const VARIANTS = [];
const HOST = '127.0.0.1';
const MYSQL_PORT = Number(process.env.MIG_TEST_MYSQL_PORT ?? 3307);
const KAFKA_PORT = Number(process.env.MIG_TEST_KAFKA_PORT ?? 19092);
const BROKERS = [`${HOST}:${KAFKA_PORT}`];
const DB = 'bench';
const TOPIC_PREFIX = 'bench.';
const FORMATS = ['canal-json', 'dts-avro', 'shareplex-json'];
const CASES = ['full', 'incremental', 'latency', 'tablestore'];
const INC_BASE_ROWS = 1000; // rows of bench.t_inc before the incremental case's own writes
const SAMPLE_MESSAGES = 4000; // messages of the sizing run (and of the raw producer's cycle)
const MIG_CHUNK = 5000; // mig's default full.chunkSize: the raw producer's chunks
const MAX_REQUEST_BYTES = 900_000; // mig's writer cuts requests below this (src/connectors/sinks/kafka/writer.ts)
const RSS_GOAL_MB = 256;
const PROCESS_TIMEOUT_MS = 20 * 60 * 1000;

// ------------------------------------------------------------------------------------- options

const DEFAULTS = { rows: 1_000_000, runs: 2, latencySeconds: 20, latencyWarmup: 5, latencyRate: 5000, tablestoreRows: 100_000 };

function usage(code) {
  (code === 0 ? process.stdout : process.stderr).write(
    `Usage: node bench/run.mjs [--rows N] [--runs N] [--formats LIST] [--cases LIST] [--latency-seconds S]
                          [--latency-rate R] [--tablestore-rows N] [--out FILE] [--profile] [--app DIR] [--built-from TEXT]
                          [--ref-app DIR [--ref-built-from TEXT]] [--node-options OPTS]
  --rows N             rows of the full-load table (~200 bytes each), and binlog row events written
                       for the incremental case (${DEFAULTS.rows.toLocaleString('en-US')})
  --runs N             repetitions of each case; the report gives median and [min – max] (${DEFAULTS.runs}:
                       at the defaults one run of everything takes about 4 minutes on 2 cores, the
                       whole benchmark about 8; 3 runs would pass 11 minutes)
  --formats LIST       comma-separated destination formats (${FORMATS.join(',')})
  --cases LIST         comma-separated cases (${CASES.join(',')})
  --latency-seconds S  measured seconds of the latency case, after ${DEFAULTS.latencyWarmup} s of warm-up (${DEFAULTS.latencySeconds})
  --latency-rate R     rows per second the latency case's writer inserts (${DEFAULTS.latencyRate})
  --tablestore-rows N  rows of the Tablestore case's table, held in the test server's memory; it
                       also writes N/2 binlog events for the catch-up (${DEFAULTS.tablestoreRows.toLocaleString('en-US')})
  --out FILE           JSON results (bench/results/latest.json; with --profile bench/results/profile.json)
  --profile            run mig under node --cpu-prof; profiles go to profiles/ next to the JSON file and
                       are summarised (self time by function and by package) in the report. Profiling
                       slows mig down: those figures are not comparable with plain runs
  --app DIR            the built mig to run: DIR/bin/run.js with DIR/dist (this checkout)
  --built-from TEXT    what DIR was built from, for the report (default: this checkout's git revision)
  --ref-app DIR        a second build, measured next to the first in every run of the full-load and
                       incremental cases (A/B: "mig / mig ref" ratios); --ref-built-from TEXT names it
  --node-options OPTS  extra node flags for the mig under test only (e.g. "--max-semi-space-size=32")
`,
  );
  process.exit(code);
}

function parseArgs(argv) {
  const opts = {
    rows: DEFAULTS.rows,
    runs: DEFAULTS.runs,
    formats: [...FORMATS],
    cases: [...CASES],
    latencySeconds: DEFAULTS.latencySeconds,
    latencyRate: DEFAULTS.latencyRate,
    tablestoreRows: DEFAULTS.tablestoreRows,
    out: undefined,
    profile: false,
    app: ROOT,
    builtFrom: undefined,
    refApp: undefined,
    refBuiltFrom: undefined,
    nodeOptions: [],
  };
  const list = (v, allowed, what) => {
    const items = v.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = items.filter((s) => !allowed.includes(s));
    if (items.length === 0 || bad.length > 0) {
      process.stderr.write(`bench: unknown ${what} ${bad.join(', ') || '(none)'}; choose from ${allowed.join(', ')}\n`);
      process.exit(2);
    }
    return allowed.filter((a) => items.includes(a));
  };
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
    else if (flag === '--formats') opts.formats = list(value(), FORMATS, 'format');
    else if (flag === '--cases') opts.cases = list(value(), CASES, 'case');
    else if (flag === '--latency-seconds') opts.latencySeconds = Number(value());
    else if (flag === '--latency-rate') opts.latencyRate = Number(value());
    else if (flag === '--tablestore-rows') opts.tablestoreRows = Number(value());
    else if (flag === '--out') opts.out = path.resolve(value());
    else if (flag === '--profile') opts.profile = true;
    else if (flag === '--app') opts.app = path.resolve(value());
    else if (flag === '--built-from') opts.builtFrom = value();
    else if (flag === '--ref-app') opts.refApp = path.resolve(value());
    else if (flag === '--ref-built-from') opts.refBuiltFrom = value();
    else if (flag === '--node-options') opts.nodeOptions = value().split(/\s+/).filter(Boolean);
    else if (flag === '-h' || flag === '--help') usage(0);
    else {
      process.stderr.write(`bench: unknown argument ${a}\n`);
      usage(2);
    }
  }
  const positiveInt = (v, min, what) => {
    if (!Number.isInteger(v) || v < min) {
      process.stderr.write(`bench: ${what} must be an integer >= ${min}\n`);
      process.exit(2);
    }
  };
  positiveInt(opts.rows, 10_000, '--rows');
  positiveInt(opts.runs, 1, '--runs');
  positiveInt(opts.latencySeconds, 1, '--latency-seconds');
  positiveInt(opts.latencyRate, 10, '--latency-rate');
  positiveInt(opts.tablestoreRows, 1000, '--tablestore-rows');
  opts.out ??= path.join(ROOT, 'bench', 'results', opts.profile ? 'profile.json' : 'latest.json');
  return opts;
}

// ----------------------------------------------------------------------------------- processes

let gnuTime = false;
const children = new Set();
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
 * `marks`: name → RegExp; the seconds after spawn at which a stdout line first matched.
 * `onSpawn(child)`: for commands the caller stops itself (signals go to the process group; GNU time
 * ignores SIGINT, so SIGINT reaches only the command).
 */
function measure(cmd, args, { cwd = ROOT, captureStdout = true, marks = {}, onLine, onSpawn } = {}) {
  return new Promise((resolve, reject) => {
    const timeFile = gnuTime ? path.join(os.tmpdir(), `mig-bench-time-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`) : undefined;
    const argv = gnuTime ? ['-v', '-o', timeFile, cmd, ...args] : args;
    const exe = gnuTime ? '/usr/bin/time' : cmd;
    const devnull = captureStdout ? undefined : openSync('/dev/null', 'w');
    const started = process.hrtime.bigint();
    // Own process group, so a timeout or an interrupt can stop the command and its children.
    const child = spawn(exe, argv, { cwd, detached: true, stdio: ['ignore', captureStdout ? 'pipe' : devnull, 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    let partial = '';
    let sample;
    const markAt = {};
    child.stdout?.on('data', (d) => {
      const at = Number(process.hrtime.bigint() - started) / 1e9;
      const text = d.toString();
      stdout += text;
      const lines = (partial + text).split('\n');
      partial = lines.pop();
      for (const line of lines) {
        for (const [name, re] of Object.entries(marks)) if (markAt[name] === undefined && re.test(line)) markAt[name] = at;
        onLine?.(line);
      }
    });
    child.stderr.on('data', (d) => (stderr += d));
    const poll = gnuTime ? undefined : setInterval(() => (sample = procSample(child.pid) ?? sample), 50);
    const timer = setTimeout(() => {
      stderr += `\nbench: killed after ${PROCESS_TIMEOUT_MS / 1000} s`;
      killGroup(child);
    }, PROCESS_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      children.delete(child);
      reject(e);
    });
    child.on('close', (code, signal) => {
      const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      if (devnull !== undefined) closeSync(devnull);
      children.delete(child);
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
        if (/Command terminated by signal (\d+)/.test(t) && code === 0) code = 128;
      }
      resolve({ code: code ?? (signal ? 128 : -1), signal, wallSeconds, cpuSeconds, maxRssKb, marks: markAt, stdout, stderr });
    });
    onSpawn?.(child);
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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------- MariaDB

async function sourceConnection() {
  return mysql.createConnection({ host: HOST, port: MYSQL_PORT, user: 'root', multipleStatements: true, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
}

// About 200 bytes of text per row: a key, a short name, numbers, a time and a ~110-character note
// (hex digests: neither random bytes nor endless repeats, so lz4 finds what it finds in real rows).
const COLUMNS = 'id BIGINT PRIMARY KEY, a VARCHAR(64), n INT, dt DATETIME(6), amount DECIMAL(12,2), note VARCHAR(255)';
/** A row per seq value of MariaDB's sequence engine. */
const ROW_SELECT = (offset) =>
  `SELECT seq + ${offset}, CONCAT('customer ', seq + ${offset}, ' ', LEFT(MD5(seq), 24)), (seq * 7919) % 100003, ` +
  `TIMESTAMP'2026-01-02 03:04:05.123456' + INTERVAL seq SECOND, ((seq * 37) % 1000000) / 100, ` +
  `CONCAT_WS(' ', 'order note', MD5(seq + ${offset}), SHA1(seq + ${offset}), LEFT(SHA1(seq), 30))`;
/** The text size of a row, as the sum of its values' text lengths. */
const ROW_TEXT_BYTES = 'LENGTH(id) + LENGTH(a) + LENGTH(n) + LENGTH(dt) + LENGTH(amount) + LENGTH(note)';

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
  return { files: names.slice(a, b + 1), sizes: rows.slice(a, b + 1).map((r) => Number(r.File_size)) };
}

// ------------------------------------------------------------------------------------ Kafka

const kafka = new Kafka({ clientId: 'mig-bench', brokers: BROKERS, logLevel: logLevel.NOTHING });
let admin;
const createdTopics = new Set();
const createdGroups = new Set();

async function createTopic(topic, configEntries = []) {
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1, configEntries }], waitForLeaders: true });
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

/**
 * Consumes a topic from the beginning with a fresh group, handing every message to onMessage(m,
 * receivedAtMs) until done() is true or timeoutMs passes. `ready` resolves once the group is joined.
 */
function consumeTopic(topic, { onMessage, done, timeoutMs, maxWaitTimeInMs = 200 }) {
  const groupId = `mig-bench-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  createdGroups.add(groupId);
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs, sessionTimeout: 30000 });
  let joined;
  const ready = new Promise((r) => (joined = r));
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  const finished = (async () => {
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, timeoutMs);
        const check = setInterval(() => {
          if (done()) {
            clearTimeout(timer);
            clearInterval(check);
            resolve();
          }
        }, 20);
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const now = Date.now();
              for (const m of batch.messages) onMessage(m, now);
            },
          })
          .catch((e) => {
            clearTimeout(timer);
            clearInterval(check);
            reject(e);
          });
      }).finally(() => joined());
    } finally {
      await consumer.disconnect().catch(() => undefined);
    }
  })();
  return { ready, finished };
}

/** Every message of a topic (expected count known), with their key and value bytes. */
async function readAll(topic, expected, timeoutMs = 60000) {
  const out = [];
  const { finished } = consumeTopic(topic, { onMessage: (m) => out.push({ key: m.key, value: m.value }), done: () => out.length >= expected, timeoutMs });
  await finished;
  return out;
}

// ------------------------------------------------------------------------------------- mig

const tempDirs = new Set();
let sampleDir;

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

function writeSpec(dir, { name, topic, table, types, format, filter }) {
  writeFileSync(
    path.join(dir, 'migrations.d', `${name}.yaml`),
    `apiVersion: mig/v1
kind: Migration
metadata:
  name: ${name}
  description: benchmark run (bench/run.mjs)
spec:
  source: { type: mariadb, host: ${HOST}, port: ${MYSQL_PORT}, user: root }
  destination: { type: kafka, brokers: ${JSON.stringify(BROKERS)}, topic: ${topic}, format: ${format}, compression: lz4, acks: all, partitions: 1 }
  types: [${types.join(', ')}]
  objects:
    - database: ${DB}
      tables: [{ name: ${table}${filter ? `, filter: ${JSON.stringify(filter)}` : ''} }]
`,
  );
}

/** Set by --profile: every mig process writes a V8 CPU profile there (figures then run slower). */
let profileDir;
const profileLabels = [];

const MARKS = {
  fullStart: /: full load( resuming after \d+ rows)? \(~/,
  fullDone: /: \d+ rows in [\d.]+ s$/,
  streamStart: /: streaming from /,
  caughtUp: /: caught up: \d+ binlog change/,
};

function mig(dir, label, args, { variant = VARIANTS[0], ...extra } = {}) {
  const name = `${label}${variant.suffix}`;
  if (profileDir) profileLabels.push(name);
  const prof = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
  return measure(process.execPath, [...variant.nodeOptions, ...prof, variant.bin, ...args], { cwd: dir, marks: MARKS, ...extra });
}

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

/** p-th percentile (nearest rank) of a sorted array. */
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * A rate figure from per-run seconds: rate = work / seconds, and MB/s = rate × bytesPerUnit.
 * `pick` chooses the seconds (whole process by default); CPU and RSS are the process's, unless
 * `whole` is false (a phase inside it).
 */
function figure(unit, work, runs, { pick = (r) => r.wallSeconds, bytesPerUnit = null, whole = true } = {}) {
  const ok = runs.filter((r) => r && !r.error);
  const secs = ok.map(pick);
  const rates = secs.map((s) => work / s);
  return {
    unit,
    rate: stats(rates),
    mbPerSecond: bytesPerUnit ? stats(rates.map((x) => (x * bytesPerUnit) / 1e6)) : null,
    seconds: stats(secs),
    cpuSeconds: whole ? stats(ok.map((r) => r.cpuSeconds)) : null,
    maxRssMB: whole ? stats(ok.map((r) => r.maxRssKb / 1024)) : null,
  };
}

/**
 * tool ÷ baseline on rates: the ratio of the medians, and the spread of the per-run ratios (each
 * run's tool figure against the baseline measured next to it).
 */
function ratio(tool, base, toolRuns, baseRuns, pickTool = (r) => r.wallSeconds, pickBase = (r) => r.wallSeconds) {
  if (!tool?.rate || !base?.rate) return null;
  const paired = [];
  for (let i = 0; i < Math.min(toolRuns.length, baseRuns.length); i++) {
    const t = toolRuns[i];
    const b = baseRuns[i];
    if (t && b && !t.error && !b.error) paired.push(pickBase(b) / pickTool(t));
  }
  return { ofMedians: tool.rate.median / base.rate.median, perRun: stats(paired) };
}

const errorsOf = (runs) => Object.entries(runs).flatMap(([k, rs]) => rs.map((r, i) => (r?.error ? { step: k, run: i + 1, error: r.error } : null)).filter(Boolean));

/** Runs the named steps in the given order, recording each result (or error) at runs[name][i]. */
async function runSteps(steps, order, runs, i, label, log) {
  for (const name of order) {
    let r;
    try {
      r = await steps[name]();
    } catch (e) {
      r = { error: String(e.message ?? e) };
      if (!interrupted) process.stderr.write(`bench: ${label} run ${i + 1}, ${name}: ${r.error}\n`);
    }
    (runs[name] ??= [])[i] = r;
    log(`  ${label} run ${i + 1}: ${name.padEnd(26)} ${r.error ? 'FAILED' : `${r.wallSeconds.toFixed(2)} s`}`);
  }
}

/** The order of the steps in run i: rotated, so no step always runs first or last. */
function rotate(steps, i) {
  return steps.map((_, k) => steps[(k + i) % steps.length]);
}

// ----------------------------------------------------------------------------------- cases

/** Per format: mig's messages for every k-th row of t_bulk, written to a file for the raw producer. */
async function sizingCase(opts, tag, log) {
  const k = Math.max(1, Math.floor(opts.rows / SAMPLE_MESSAGES));
  const expected = Math.floor(opts.rows / k);
  const out = {};
  for (const format of opts.formats) {
    const topic = `${TOPIC_PREFIX}size.${tag}.${format}`;
    const dir = projectDir('size');
    createdTopics.add(topic);
    try {
      writeSpec(dir, { name: `bench-size-${format}`, topic, table: 't_bulk', types: ['schema', 'full'], format, filter: `id % ${k} = 0` });
      const r = ensureOk(`mig apply (sizing, ${format})`, await mig(dir, `size-${format}`, ['apply', '--auto-approve']));
      const msgs = await readAll(topic, expected);
      if (msgs.length !== expected) throw new Error(`sizing ${format}: read ${msgs.length} messages of ${topic}, expected ${expected}`);
      let keyBytes = 0;
      let valueBytes = 0;
      const parts = [];
      for (const m of msgs) {
        const kl = Buffer.alloc(4);
        kl.writeUInt32BE(m.key === null ? 0xffffffff : m.key.length);
        const vl = Buffer.alloc(4);
        vl.writeUInt32BE(m.value.length);
        parts.push(kl, m.key ?? Buffer.alloc(0), vl, m.value);
        keyBytes += m.key?.length ?? 0;
        valueBytes += m.value.length;
      }
      const file = path.join(sampleDir, `${format}.bin`);
      writeFileSync(file, Buffer.concat(parts));
      const v = msgs[Math.floor(msgs.length / 2)].value;
      out[format] = {
        sampledMessages: msgs.length,
        everyKthRow: k,
        avgKeyBytes: keyBytes / msgs.length,
        avgValueBytes: valueBytes / msgs.length,
        avgMessageBytes: (keyBytes + valueBytes) / msgs.length,
        example: format === 'dts-avro' ? `(Avro binary, ${v.length} bytes) ${v.toString('base64')}` : v.toString(),
        file,
        migMaxRssMB: r.maxRssKb / 1024,
      };
      log(`  sizing ${format}: ${msgs.length} messages, ${out[format].avgMessageBytes.toFixed(1)} bytes (key ${out[format].avgKeyBytes.toFixed(1)} + value ${out[format].avgValueBytes.toFixed(1)}) on average`);
    } finally {
      removeDir(dir);
      await deleteTopics([topic]);
    }
  }
  return out;
}

async function fullLoadCase(opts, tag, sizes, table, log) {
  const N = opts.rows;
  const runs = {};
  const steps = (i) => {
    const s = {
      'mysql2 SELECT': async () => {
        const r = ensureOk('mysql2 SELECT', await measure(process.execPath, [path.join(ROOT, 'bench', 'baselines', 'mysql2-select.mjs'), '--host', HOST, '--port', String(MYSQL_PORT), '--user', 'root', '--table', `${DB}.t_bulk`]));
        const inner = JSON.parse(r.stdout.trim().split('\n').pop());
        if (inner.rows !== N) throw new Error(`mysql2 SELECT read ${inner.rows} rows, expected ${N}`);
        return { ...r, readSeconds: inner.readSeconds };
      },
      'mariadb-dump': async () =>
        ensureOk('mariadb-dump', await measure('mariadb-dump', ['--no-defaults', `-h${HOST}`, `-P${MYSQL_PORT}`, '-uroot', '--single-transaction', '--quick', '--no-create-info', '--skip-dump-date', DB, 't_bulk'], { captureStdout: false })),
    };
    for (const format of opts.formats) {
      for (const variant of VARIANTS) {
        s[`${variant.name} ${format}`] = async () => {
          const topic = `${TOPIC_PREFIX}full.${tag}.${format}${variant.suffix}.${i}`;
          const dir = projectDir('full');
          createdTopics.add(topic); // mig creates it; we delete it
          try {
            writeSpec(dir, { name: `bench-full-${format}-${i}`, topic, table: 't_bulk', types: ['schema', 'full'], format });
            const r = ensureOk(`${variant.name} apply (full load, ${format})`, await mig(dir, `full-${format}-${i + 1}`, ['apply', '--auto-approve'], { variant }));
            const got = await topicCount(topic);
            if (got !== N) throw new Error(`${variant.name} full load: ${got} messages in ${topic}, expected ${N}\n${r.stdout}`);
            const { fullStart, fullDone } = r.marks;
            return { ...r, phaseSeconds: fullDone !== undefined && fullStart !== undefined ? fullDone - fullStart : NaN };
          } finally {
            removeDir(dir);
            await deleteTopics([topic]);
          }
        };
      }
      s[`raw kafkajs ${format}`] = async () => {
        const topic = `${TOPIC_PREFIX}raw.${tag}.${format}.${i}`;
        await createTopic(topic);
        try {
          const args = ['--app', APP, '--brokers', BROKERS.join(','), '--topic', topic, '--count', String(N), '--sample', sizes[format].file, '--chunk', String(MIG_CHUNK), '--max-request', String(MAX_REQUEST_BYTES), '--compression', 'lz4'];
          const r = ensureOk('raw kafkajs producer', await measure(process.execPath, [path.join(ROOT, 'bench', 'baselines', 'raw-producer.mjs'), ...args]));
          const inner = JSON.parse(r.stdout.trim().split('\n').pop());
          const got = await topicCount(topic);
          if (got !== N) throw new Error(`raw producer: ${got} messages in ${topic}, expected ${N}`);
          return { ...r, sendSeconds: inner.sendSeconds, requests: inner.requests, avgMessageBytes: inner.bytes / inner.messages };
        } finally {
          await deleteTopics([topic]);
        }
      };
    }
    return s;
  };
  for (let i = 0; i < opts.runs; i++) {
    const s = steps(i);
    await runSteps(s, rotate(Object.keys(s), i), runs, i, 'full load', log);
  }
  const rowBytes = table.avgRowBytes;
  const sel = runs['mysql2 SELECT'] ?? [];
  const dump = runs['mariadb-dump'] ?? [];
  const baselines = {
    mysql2Select: figure('rows/s', N, sel, { bytesPerUnit: rowBytes }),
    mysql2SelectReadOnly: figure('rows/s', N, sel, { pick: (r) => r.readSeconds, bytesPerUnit: rowBytes, whole: false }),
    mariadbDump: figure('rows/s', N, dump, { bytesPerUnit: rowBytes }),
  };
  const formats = {};
  for (const format of opts.formats) {
    const rRuns = runs[`raw kafkajs ${format}`] ?? [];
    const msgBytes = sizes[format].avgMessageBytes;
    const fig = {
      raw: figure('msgs/s', N, rRuns, { bytesPerUnit: msgBytes }),
      rawSends: figure('msgs/s', N, rRuns, { pick: (r) => r.sendSeconds, bytesPerUnit: msgBytes, whole: false }),
    };
    const ratios = {};
    const phase = (r) => r.phaseSeconds;
    for (const v of VARIANTS) {
      const mRuns = runs[`${v.name} ${format}`] ?? [];
      fig[v.key] = figure('rows/s', N, mRuns, { bytesPerUnit: msgBytes });
      fig[`${v.key}Phase`] = figure('rows/s', N, mRuns, { pick: phase, bytesPerUnit: msgBytes, whole: false });
      ratios[`${v.name} full phase / raw kafkajs sends`] = ratio(fig[`${v.key}Phase`], fig.rawSends, mRuns, rRuns, phase, (r) => r.sendSeconds);
      ratios[`${v.name} / raw kafkajs (whole processes)`] = ratio(fig[v.key], fig.raw, mRuns, rRuns);
      ratios[`${v.name} / mysql2 SELECT (whole processes)`] = ratio(fig[v.key], baselines.mysql2Select, mRuns, sel);
      ratios[`${v.name} / mariadb-dump`] = ratio(fig[v.key], baselines.mariadbDump, mRuns, dump);
    }
    if (VARIANTS.length > 1) {
      const a = runs[`mig ${format}`] ?? [];
      const b = runs[`mig ref ${format}`] ?? [];
      ratios['mig / mig ref (whole processes)'] = ratio(fig.mig, fig.ref, a, b);
      ratios['mig / mig ref (full phase)'] = ratio(fig.migPhase, fig.refPhase, a, b, phase, phase);
    }
    formats[format] = {
      message: { avgMessageBytes: msgBytes, avgKeyBytes: sizes[format].avgKeyBytes, avgValueBytes: sizes[format].avgValueBytes, rawProducerAvgMessageBytes: rRuns.find((r) => r && !r.error)?.avgMessageBytes ?? null },
      figures: fig,
      ratios,
    };
  }
  return { rows: N, avgRowBytes: rowBytes, baselines, formats, errors: errorsOf(runs) };
}

async function incrementalCase(opts, tag, conn, log) {
  const N = opts.rows;
  const updates = Math.floor(N / 10);
  const inserts = N - updates;
  const runs = {};
  const writes = [];
  const warnings = [];
  const migSteps = opts.formats.flatMap((format) => VARIANTS.map((variant) => ({ format, variant, step: `${variant.name} ${format}` })));
  for (let i = 0; i < opts.runs; i++) {
    const projects = {};
    try {
      await conn.query(`DROP TABLE IF EXISTS ${DB}.t_inc; CREATE TABLE ${DB}.t_inc (${COLUMNS})`);
      await insertRows(conn, 't_inc', 1, INC_BASE_ROWS, INC_BASE_ROWS);
      for (const { format, variant, step } of migSteps) {
        const topic = `${TOPIC_PREFIX}inc.${tag}.${format}${variant.suffix}.${i}`;
        const dir = projectDir('inc');
        createdTopics.add(topic);
        projects[step] = { dir, topic };
        writeSpec(dir, { name: `bench-inc-${format}-${i}`, topic, table: 't_inc', types: ['schema', 'full', 'incremental'], format });
        ensureOk(`${variant.name} apply (full load before the incremental case, ${format})`, await mig(dir, `inc-${format}-${i + 1}-initial`, ['apply', '--auto-approve'], { variant }));
      }

      // The writes every format's mig then catches up with.
      const start = await masterStatus(conn);
      const w0 = process.hrtime.bigint();
      await insertRows(conn, 't_inc', INC_BASE_ROWS + 1, inserts, 1000);
      // Single-row autocommitted UPDATEs of distinct rows spread over the inserted range, from four
      // connections (group commit keeps the source's fsyncs from dominating the setup time).
      const writers = await Promise.all([0, 1, 2, 3].map(() => sourceConnection()));
      try {
        let next = 0;
        await Promise.all(
          writers.map(async (w) => {
            while (next < updates) {
              const from = next;
              next = Math.min(updates, next + 250);
              const stmts = [];
              for (let j = from; j < next; j++) stmts.push(`UPDATE ${DB}.t_inc SET n = n + 1, amount = amount + 1.25 WHERE id = ${INC_BASE_ROWS + 1 + ((j * 9) % inserts)}`);
              await w.query(stmts.join(';\n'));
            }
          }),
        );
      } finally {
        await Promise.all(writers.map((w) => w.end().catch(() => undefined)));
      }
      const writeSeconds = Number(process.hrtime.bigint() - w0) / 1e9;
      const end = await masterStatus(conn);
      const { files, sizes } = await binlogFiles(conn, start.file, end.file);
      const binlogBytes = files.length === 1 ? end.pos - start.pos : sizes.reduce((a, b) => a + b, 0) - start.pos - (sizes[sizes.length - 1] - end.pos);
      writes[i] = { seconds: writeSeconds, from: start, to: end, files: files.length, binlogBytes };
      log(`  incremental run ${i + 1}: wrote ${N} row events (${(binlogBytes / 1048576).toFixed(0)} MiB of binlog) in ${writeSeconds.toFixed(1)} s`);

      const binlogArgs = ['--no-defaults', '--read-from-remote-server', `-h${HOST}`, `-P${MYSQL_PORT}`, '-uroot', `--start-position=${start.pos}`, `--stop-position=${end.pos}`];
      const steps = {
        'mariadb-binlog': async () => ensureOk('mariadb-binlog', await measure('mariadb-binlog', [...binlogArgs, ...files], { captureStdout: false })),
        'mariadb-binlog --verbose': async () => ensureOk('mariadb-binlog --verbose', await measure('mariadb-binlog', [...binlogArgs, '--verbose', ...files], { captureStdout: false })),
      };
      for (const { format, variant, step } of migSteps) {
        const { dir, topic } = projects[step];
        steps[step] = async () => {
          const r = ensureOk(`${variant.name} apply --until-caught-up`, await mig(dir, `inc-${format}-${i + 1}-catch-up`, ['apply', '--auto-approve', '--until-caught-up'], { variant }));
          const m = /caught up: (\d+) binlog change\(s\) handled/.exec(r.stdout);
          const handled = m ? Number(m[1]) : NaN;
          if (handled !== N) warnings.push(`run ${i + 1} ${step}: reported ${handled} binlog changes, expected ${N}`);
          const got = await topicCount(topic);
          if (got !== INC_BASE_ROWS + N) throw new Error(`${step} incremental: ${got} messages in ${topic}, expected ${INC_BASE_ROWS + N}\n${r.stdout}`);
          const { streamStart, caughtUp } = r.marks;
          return { ...r, handled, phaseSeconds: streamStart !== undefined && caughtUp !== undefined ? caughtUp - streamStart : NaN };
        };
      }
      await runSteps(steps, rotate(Object.keys(steps), i), runs, i, 'incremental', log);
    } catch (e) {
      const error = String(e.message ?? e);
      if (!interrupted) process.stderr.write(`bench: incremental run ${i + 1}: ${error}\n`);
      for (const k of ['mariadb-binlog', 'mariadb-binlog --verbose', ...migSteps.map((m) => m.step)]) (runs[k] ??= [])[i] ??= { error };
    } finally {
      for (const { dir, topic } of Object.values(projects)) {
        removeDir(dir);
        await deleteTopics([topic]).catch(() => undefined);
      }
      await conn.query(`DROP TABLE IF EXISTS ${DB}.t_inc`).catch(() => undefined);
    }
  }
  const binlogBytes = stats(writes.filter(Boolean).map((w) => w.binlogBytes));
  const perEvent = binlogBytes ? binlogBytes.median / N : null;
  const bl = runs['mariadb-binlog'] ?? [];
  const blv = runs['mariadb-binlog --verbose'] ?? [];
  const baselines = {
    mariadbBinlog: figure('events/s', N, bl, { bytesPerUnit: perEvent }),
    mariadbBinlogVerbose: figure('events/s', N, blv, { bytesPerUnit: perEvent }),
  };
  const formats = {};
  const phase = (r) => r.phaseSeconds;
  for (const format of opts.formats) {
    const fig = {};
    const ratios = {};
    for (const v of VARIANTS) {
      const mRuns = runs[`${v.name} ${format}`] ?? [];
      fig[v.key] = figure('events/s', N, mRuns, { bytesPerUnit: perEvent });
      fig[`${v.key}Phase`] = figure('events/s', N, mRuns, { pick: phase, bytesPerUnit: perEvent, whole: false });
      ratios[`${v.name} / mariadb-binlog`] = ratio(fig[v.key], baselines.mariadbBinlog, mRuns, bl);
      ratios[`${v.name} / mariadb-binlog --verbose`] = ratio(fig[v.key], baselines.mariadbBinlogVerbose, mRuns, blv);
    }
    if (VARIANTS.length > 1) {
      const a = runs[`mig ${format}`] ?? [];
      const b = runs[`mig ref ${format}`] ?? [];
      ratios['mig / mig ref (whole processes)'] = ratio(fig.mig, fig.ref, a, b);
      ratios['mig / mig ref (streaming phase)'] = ratio(fig.migPhase, fig.refPhase, a, b, phase, phase);
    }
    formats[format] = { figures: fig, ratios };
  }
  return {
    events: N,
    inserts,
    updates,
    binlogBytes,
    sourceWriteSeconds: stats(writes.filter(Boolean).map((w) => w.seconds)),
    baselines,
    formats,
    warnings,
    errors: errorsOf(runs),
  };
}

/**
 * A writer inserting `rate` rows/s in autocommitted `txRows`-row INSERTs from `connections`
 * connections, paced against the clock, for `seconds`. commitAt[id - firstId] = Date.now() when
 * the server acknowledged the commit of that row.
 */
async function steadyWriter({ table, rate, seconds, txRows, connections, firstId, commitAt }) {
  const conns = await Promise.all(Array.from({ length: connections }, () => sourceConnection()));
  let next = firstId;
  let txs = 0;
  let behindMax = 0;
  const t0 = Date.now();
  const endAt = t0 + seconds * 1000;
  try {
    await Promise.all(
      conns.map(async (c) => {
        for (;;) {
          const now = Date.now();
          if (now >= endAt) return;
          const due = firstId + Math.floor(((now - t0) / 1000) * rate);
          if (next >= due) {
            await sleep(1);
            continue;
          }
          behindMax = Math.max(behindMax, due - next);
          const from = next;
          const n = Math.min(txRows, firstId + commitAt.length - from);
          if (n <= 0) return;
          next += n;
          await c.query(`INSERT INTO ${DB}.${table} ${ROW_SELECT(from - 1)} FROM ${DB}.seq_1_to_${n}`);
          const at = Date.now();
          for (let id = from; id < from + n; id++) commitAt[id - firstId] = at;
          txs++;
        }
      }),
    );
  } finally {
    await Promise.all(conns.map((c) => c.end().catch(() => undefined)));
  }
  return { rows: next - firstId, txs, seconds: (Date.now() - t0) / 1000, startedAt: t0, behindMaxRows: behindMax };
}

async function latencyCase(opts, tag, conn, log) {
  const { latencyRate: rate, latencySeconds: seconds } = opts;
  const warmup = DEFAULTS.latencyWarmup;
  const txRows = 10;
  const connections = 2;
  const runs = [];
  for (let i = 0; i < opts.runs; i++) {
    const topic = `${TOPIC_PREFIX}lat.${tag}.${i}`;
    const dir = projectDir('lat');
    let child;
    let migDone;
    try {
      await conn.query(`DROP TABLE IF EXISTS ${DB}.t_lat; CREATE TABLE ${DB}.t_lat (${COLUMNS})`);
      // Broker-side timestamps: each record's timestamp is when the leader appended it, which with
      // acks=all and one replica is when the produce request is acknowledged.
      await createTopic(topic, [{ name: 'message.timestamp.type', value: 'LogAppendTime' }]);
      writeSpec(dir, { name: `bench-lat-${i}`, topic, table: 't_lat', types: ['schema', 'full', 'incremental'], format: 'canal-json' });
      let streaming;
      const streamingNow = new Promise((r) => (streaming = r));
      migDone = mig(dir, `latency-${i + 1}`, ['apply', '--auto-approve', '--follow'], {
        onSpawn: (c) => (child = c),
        onLine: (line) => {
          if (MARKS.streamStart.test(line)) streaming();
        },
      });
      let startTimer;
      await Promise.race([
        streamingNow,
        migDone.then((r) => {
          throw new Error(`mig apply --follow exited before streaming (exit ${r.code}):\n${`${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-20).join('\n')}`);
        }),
        new Promise((_, reject) => {
          startTimer = setTimeout(() => reject(new Error('mig apply --follow did not start streaming within 120 s')), 120_000);
        }),
      ]).finally(() => clearTimeout(startTimer));

      const capacity = Math.ceil(rate * (warmup + seconds) * 1.05) + 10 * txRows;
      const commitAt = new Float64Array(capacity);
      const firstId = 1;
      const appendLat = [];
      const receiveLat = [];
      const esLat = [];
      const seen = new Uint8Array(capacity);
      let received = 0;
      let duplicates = 0;
      let untimed = 0;
      let written = Infinity;
      let measureFrom = Infinity;
      let measureTo = Infinity;
      const { ready, finished } = consumeTopic(topic, {
        maxWaitTimeInMs: 50,
        timeoutMs: (warmup + seconds + 90) * 1000,
        done: () => received >= written,
        onMessage: (m, now) => {
          const v = JSON.parse(m.value.toString());
          const idx = Number(v.data?.[0]?.id) - firstId;
          if (!(idx >= 0 && idx < capacity)) return;
          if (seen[idx]) {
            duplicates++;
            return;
          }
          seen[idx] = 1;
          received++;
          const committed = commitAt[idx];
          // A row whose commit acknowledgement the writer has not processed yet cannot be timed.
          if (committed === 0) untimed++;
          if (committed === 0 || committed < measureFrom || committed >= measureTo) return;
          const appended = Number(m.timestamp);
          appendLat.push(appended - committed);
          receiveLat.push(now - committed);
          esLat.push(appended - Number(v.es));
        },
      });
      await ready;
      const w = steadyWriter({ table: 't_lat', rate, seconds: warmup + seconds, txRows, connections, firstId, commitAt });
      measureFrom = Date.now() + warmup * 1000;
      measureTo = measureFrom + seconds * 1000;
      const writer = await w;
      written = writer.rows;
      const drainStart = Date.now();
      await finished;
      const drainSeconds = (Date.now() - drainStart) / 1000;
      killGroup(child, 'SIGINT');
      const r = ensureOk('mig apply --follow', await migDone);
      if (received < written) throw new Error(`latency: consumed ${received} of ${written} rows written`);
      const sorted = (xs) => Float64Array.from(xs).sort();
      const pct = (xs) => {
        const s = sorted(xs);
        return { p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s.length ? s[s.length - 1] : NaN, samples: s.length };
      };
      const run = {
        writer: { rows: writer.rows, transactions: writer.txs, seconds: writer.seconds, rowsPerSecond: writer.rows / writer.seconds, behindMaxRows: writer.behindMaxRows },
        commitToAppendMs: pct(appendLat),
        commitToReceiveMs: pct(receiveLat),
        esToAppendMs: pct(esLat),
        duplicates,
        untimedRows: untimed,
        drainSeconds,
        wallSeconds: r.wallSeconds,
        cpuSeconds: r.cpuSeconds,
        maxRssKb: r.maxRssKb,
      };
      runs[i] = run;
      log(`  latency run ${i + 1}: ${writer.rows} rows at ${run.writer.rowsPerSecond.toFixed(0)} rows/s; commit → append p50 ${run.commitToAppendMs.p50} ms, p99 ${run.commitToAppendMs.p99} ms`);
    } catch (e) {
      runs[i] = { error: String(e.message ?? e) };
      if (!interrupted) process.stderr.write(`bench: latency run ${i + 1}: ${runs[i].error}\n`);
      if (child) killGroup(child, 'SIGKILL');
      await migDone?.catch(() => undefined);
    } finally {
      removeDir(dir);
      await deleteTopics([topic]).catch(() => undefined);
      await conn.query(`DROP TABLE IF EXISTS ${DB}.t_lat`).catch(() => undefined);
    }
  }
  const ok = runs.filter((r) => r && !r.error);
  const over = (f) => stats(ok.map(f));
  return {
    format: 'canal-json',
    targetRowsPerSecond: rate,
    warmupSeconds: warmup,
    measuredSeconds: seconds,
    rowsPerTransaction: txRows,
    writerConnections: connections,
    summary: {
      writerRowsPerSecond: over((r) => r.writer.rowsPerSecond),
      commitToAppendP50Ms: over((r) => r.commitToAppendMs.p50),
      commitToAppendP90Ms: over((r) => r.commitToAppendMs.p90),
      commitToAppendP99Ms: over((r) => r.commitToAppendMs.p99),
      commitToAppendMaxMs: over((r) => r.commitToAppendMs.max),
      commitToReceiveP50Ms: over((r) => r.commitToReceiveMs.p50),
      commitToReceiveP99Ms: over((r) => r.commitToReceiveMs.p99),
      esToAppendP50Ms: over((r) => r.esToAppendMs.p50),
      esToAppendP99Ms: over((r) => r.esToAppendMs.p99),
      samples: over((r) => r.commitToAppendMs.samples),
      duplicates: over((r) => r.duplicates),
      untimedRows: over((r) => r.untimedRows),
      drainSeconds: over((r) => r.drainSeconds),
      cpuSeconds: over((r) => r.cpuSeconds),
      maxRssMB: over((r) => r.maxRssKb / 1024),
    },
    runs,
    errors: runs.map((r, i) => (r?.error ? { step: 'latency', run: i + 1, error: r.error } : null)).filter(Boolean),
  };
}

// ---------------------------------------------------------------------------------- report

const int = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
const fix = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const W = 44;

function rateRow(label, f) {
  if (!f?.rate) return `  ${label.padEnd(W)} failed`;
  const { median: m, min, max } = f.rate;
  const spread = `[${int(min)} – ${int(max)}]`;
  const mb = f.mbPerSecond ? fix(f.mbPerSecond.median, 1) : '';
  const secs = `${fix(f.seconds.median)} s`;
  const cpu = f.cpuSeconds ? `${fix(f.cpuSeconds.median, 1)} s` : '';
  const rss = f.maxRssMB ? `${int(f.maxRssMB.median)} MB` : '';
  return `  ${label.padEnd(W)} ${`${int(m)} ${f.unit}`.padStart(17)} ${spread.padEnd(21)} ${mb.padStart(6)} ${secs.padStart(9)} ${cpu.padStart(7)} ${rss.padStart(7)}`;
}

function ratioRow(label, r) {
  if (!r) return `  ${label.padEnd(W)} n/a`;
  const per = r.perRun ? `per run [${fix(r.perRun.min, 3)} – ${fix(r.perRun.max, 3)}]` : '';
  return `  ${label.padEnd(W)} ${fix(r.ofMedians, 3).padStart(8)}   ${per}`;
}

const HEAD = `  ${'figure'.padEnd(W)} ${'median'.padStart(17)} ${'[min – max]'.padEnd(21)} ${'MB/s'.padStart(6)} ${'wall'.padStart(9)} ${'cpu'.padStart(7)} ${'RSS'.padStart(7)}`;

function aims(result) {
  const out = [];
  const f = result.cases.fullLoad;
  if (f) {
    for (const [format, v] of Object.entries(f.formats)) {
      const r = v.ratios['mig full phase / raw kafkajs sends'];
      out.push({ aim: `full load ≥ 0.7 × raw kafkajs produce (${format}; full phase ÷ sends)`, value: r ? r.ofMedians : null, met: r ? r.ofMedians >= 0.7 : null });
    }
  }
  const c = result.cases.incremental;
  if (c) {
    for (const [format, v] of Object.entries(c.formats)) {
      const m = v.figures.migPhase.rate?.median;
      out.push({ aim: `incremental catch-up ≥ 50,000 events/s (${format}; streaming phase)`, value: m ?? null, met: Number.isFinite(m) ? m >= 50_000 : null });
    }
  }
  const rss = result.rss.maxMB;
  out.push({ aim: `peak RSS of every mig process < ${RSS_GOAL_MB} MB`, value: rss, met: Number.isFinite(rss) ? rss < RSS_GOAL_MB : null });
  return out;
}

function rssSummary(result) {
  const rows = [];
  const add = (what, f) => {
    if (f?.maxRssMB) rows.push({ what, medianMB: f.maxRssMB.median, maxMB: f.maxRssMB.max });
  };
  for (const [format, s] of Object.entries(result.sizing ?? {})) rows.push({ what: `sizing full load, ${format} (${int(s.sampledMessages)} rows)`, medianMB: s.migMaxRssMB, maxMB: s.migMaxRssMB });
  for (const [format, v] of Object.entries(result.cases.fullLoad?.formats ?? {})) add(`full load, ${format} (${int(result.params.rows)} rows)`, v.figures.mig);
  for (const [format, v] of Object.entries(result.cases.incremental?.formats ?? {})) add(`catch-up, ${format} (${int(result.params.rows)} events)`, v.figures.mig);
  const ts = result.cases.tablestore;
  if (ts) {
    add(`Tablestore full load (${int(ts.rows)} rows)`, ts.figures.mig);
    add(`Tablestore catch-up (${int(ts.events)} events)`, ts.figures.catchUp);
  }
  const lat = result.cases.latency?.summary;
  if (lat?.maxRssMB) rows.push({ what: 'apply --follow under the latency load', medianMB: lat.maxRssMB.median, maxMB: lat.maxRssMB.max });
  const all = rows.map((r) => r.maxMB).filter(Number.isFinite);
  return { rows, maxMB: all.length ? Math.max(...all) : NaN };
}

function render(result) {
  const out = [];
  const f = result.cases.fullLoad;
  if (f) {
    out.push('', `Full load: ${int(f.rows)} rows of ${DB}.t_bulk (${fix(f.avgRowBytes, 0)} bytes of text per row), 1-partition topic, lz4, ${result.params.runs} runs`);
    out.push(HEAD);
    out.push(rateRow('mysql2 streaming SELECT (process)', f.baselines.mysql2Select));
    out.push(rateRow('mysql2 streaming SELECT (rows only)', f.baselines.mysql2SelectReadOnly));
    out.push(rateRow('mariadb-dump --quick', f.baselines.mariadbDump));
    for (const [format, v] of Object.entries(f.formats)) {
      out.push(`  ${format}: messages of ${fix(v.message.avgMessageBytes, 0)} bytes (key ${fix(v.message.avgKeyBytes, 0)} + value ${fix(v.message.avgValueBytes, 0)})`);
      for (const x of VARIANTS) {
        out.push(rateRow(`  ${x.name} apply (whole process)`, v.figures[x.key]));
        out.push(rateRow(`  ${x.name} full-load phase`, v.figures[`${x.key}Phase`]));
      }
      out.push(rateRow(`  raw kafkajs produce (whole process)`, v.figures.raw));
      out.push(rateRow(`  raw kafkajs produce (sends only)`, v.figures.rawSends));
      for (const [k, r] of Object.entries(v.ratios)) out.push(ratioRow(`  ${k}`, r));
    }
    out.push('  MB/s: rate × bytes per row — the message (key + value, before compression) for mig and raw');
    out.push('  kafkajs, the row\'s text for mysql2 and mariadb-dump. Ratios: rate ÷ rate, > 1 means mig is faster.');
    for (const e of f.errors) out.push(`  ERROR run ${e.run} ${e.step}: ${e.error.split('\n')[0]}`);
  }
  const c = result.cases.incremental;
  if (c) {
    out.push('', `Incremental catch-up: ${int(c.events)} binlog row events (${int(c.inserts)} inserted rows, 1000 per statement; ${int(c.updates)} single-row autocommitted UPDATEs), ${result.params.runs} runs`);
    if (c.binlogBytes) out.push(`  binlog range ~${fix(c.binlogBytes.median / 1048576, 0)} MiB; the source took ${fix(c.sourceWriteSeconds?.median, 1)} s to write it. MB/s: binlog bytes per second.`);
    out.push(HEAD);
    out.push(rateRow('mariadb-binlog (remote, to /dev/null)', c.baselines.mariadbBinlog));
    out.push(rateRow('mariadb-binlog --verbose', c.baselines.mariadbBinlogVerbose));
    for (const [format, v] of Object.entries(c.formats)) {
      out.push(`  ${format}:`);
      for (const x of VARIANTS) {
        out.push(rateRow(`  ${x.name} apply --until-caught-up (process)`, v.figures[x.key]));
        out.push(rateRow(`  ${x.name} streaming phase`, v.figures[`${x.key}Phase`]));
      }
      for (const [k, r] of Object.entries(v.ratios)) out.push(ratioRow(`  ${k}`, r));
    }
    for (const w of c.warnings) out.push(`  warning: ${w}`);
    for (const e of c.errors) out.push(`  ERROR run ${e.run} ${e.step}: ${e.error.split('\n')[0]}`);
  }
  const l = result.cases.latency;
  if (l) {
    const s = l.summary;
    const ms = (st) => (st ? `${int(st.median)} ms [${int(st.min)} – ${int(st.max)}]` : 'n/a');
    out.push('', `Latency: canal-json, mig apply --follow, writer at ${int(l.targetRowsPerSecond)} rows/s for ${l.warmupSeconds} s warm-up + ${l.measuredSeconds} s measured, ${result.params.runs} runs`);
    out.push(`  writer achieved ${s.writerRowsPerSecond ? int(s.writerRowsPerSecond.median) : 'n/a'} rows/s (autocommitted ${l.rowsPerTransaction}-row INSERTs from ${l.writerConnections} connections)`);
    out.push(`  commit → Kafka append (≈ ack)  p50 ${ms(s.commitToAppendP50Ms)}   p90 ${ms(s.commitToAppendP90Ms)}   p99 ${ms(s.commitToAppendP99Ms)}   max ${ms(s.commitToAppendMaxMs)}`);
    out.push(`  commit → consumer              p50 ${ms(s.commitToReceiveP50Ms)}   p99 ${ms(s.commitToReceiveP99Ms)}`);
    out.push(`  es → Kafka append              p50 ${ms(s.esToAppendP50Ms)}   p99 ${ms(s.esToAppendP99Ms)}`);
    out.push(`  ${s.samples ? int(s.samples.median) : 'n/a'} rows timed per run; duplicates ${s.duplicates ? int(s.duplicates.max) : 'n/a'}; untimed ${s.untimedRows ? int(s.untimedRows.max) : 'n/a'}; the last row arrived ${s.drainSeconds ? fix(s.drainSeconds.median, 2) : 'n/a'} s after the writer stopped`);
    out.push(`  mig apply --follow: ${s.cpuSeconds ? fix(s.cpuSeconds.median, 1) : 'n/a'} s CPU over the run, peak RSS ${s.maxRssMB ? int(s.maxRssMB.median) : 'n/a'} MB`);
    out.push('  Method: the topic has message.timestamp.type=LogAppendTime, so each record carries the time the');
    out.push('  broker appended it (with acks=all and one replica, the time its produce request is acknowledged).');
    out.push('  The writer notes Date.now() when the server acknowledges each autocommitted INSERT (the commit, at');
    out.push('  most a round trip late); the consumer matches each message to its row by data[0].id. Same host,');
    out.push('  same clock. "consumer" adds the consumer\'s fetch (max wait 50 ms). "es" is the binlog event time');
    out.push('  Canal JSON carries: whole seconds, so that figure is up to 1000 ms too high. Percentiles over the');
    out.push('  rows committed in the measured window of each run; the figures are the median [min – max] of runs.');
    for (const e of l.errors) out.push(`  ERROR run ${e.run}: ${e.error.split('\n')[0]}`);
  }
  if (result.cases.tablestore) out.push(...renderTablestore(result.cases.tablestore, result.params.runs, { HEAD, rateRow, ratioRow, int, fix }));
  out.push('', `Peak RSS of mig (goal: < ${RSS_GOAL_MB} MB whatever the table size):`);
  for (const r of result.rss.rows) out.push(`  ${r.what.padEnd(W + 8)} median ${int(r.medianMB)} MB, max ${int(r.maxMB)} MB`);
  out.push('', 'Aims:');
  for (const a of result.aims) {
    const v = a.value === null || !Number.isFinite(a.value) ? 'n/a' : a.aim.startsWith('incremental') ? `${int(a.value)} events/s` : a.aim.startsWith('peak') ? `${int(a.value)} MB` : fix(a.value, 3);
    out.push(`  ${a.met === null ? '  ?   ' : a.met ? '  met ' : 'NOT met'} ${a.aim}: ${v}`);
  }
  if (result.profiles) {
    out.push('', 'CPU profiles (mig under --cpu-prof):');
    for (const p of result.profiles) out.push(renderProfile(p), '');
  }
  if (result.params.profiled) out.push('', 'mig ran under --cpu-prof: its figures are slower than in a plain run.');
  out.push('', `Total ${fix(result.totalSeconds, 0)} s. Wall = process start to exit; phase = between mig's own progress lines; cpu = user + system of that process; RSS = its peak resident set.`);
  return out.join('\n');
}

// ------------------------------------------------------------------------------------ main

async function cleanup(conn) {
  for (const c of [...children]) killGroup(c);
  for (const dir of [...tempDirs]) removeDir(dir);
  if (sampleDir) rmSync(sampleDir, { recursive: true, force: true });
  if (conn) await conn.query(`DROP DATABASE IF EXISTS ${DB}`).catch((e) => process.stderr.write(`bench: could not drop ${DB}: ${e.message}\n`));
  if (admin) {
    await deleteTopics(createdTopics).catch((e) => process.stderr.write(`bench: could not delete topics: ${e.message}\n`));
    if (createdGroups.size > 0) await admin.deleteGroups([...createdGroups]).catch(() => undefined);
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
  for (const dir of [opts.app, opts.refApp].filter(Boolean)) {
    if (!existsSync(path.join(dir, 'dist', 'commands', 'apply.js'))) throw new Error(`mig is not built in ${dir}: run npx tsc -p . first`);
  }
  VARIANTS.push({ key: 'mig', name: 'mig', suffix: '', bin: path.join(opts.app, 'bin', 'run.js'), nodeOptions: opts.nodeOptions });
  if (opts.refApp) VARIANTS.push({ key: 'ref', name: 'mig ref', suffix: '-ref', bin: path.join(opts.refApp, 'bin', 'run.js'), nodeOptions: [] });
  // The consumers here read mig's lz4 batches: the codecs come from mig's own module.
  const { registerCompressionCodecs } = await import(pathToFileURL(path.join(APP, 'dist', 'connectors', 'sinks', 'kafka', 'compression.js')).href);
  registerCompressionCodecs();
  const build = buildDigest(path.join(APP, 'dist'));
  const commit = opts.builtFrom ?? gitDescribe();
  gnuTime = detectGnuTime();
  if (opts.profile) {
    profileDir = path.join(path.dirname(opts.out), 'profiles');
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
  }
  sampleDir = mkdtempSync(path.join(os.tmpdir(), 'mig-bench-samples-'));
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
    // Leftovers of an interrupted earlier run (topics are named bench.<case>.<tag>.…).
    const stale = (await admin.listTopics()).filter((t) => /^bench\.(full|raw|inc|size|lat)\.[0-9a-z]+\./.test(t));
    if (stale.length > 0) await admin.deleteTopics({ topics: stale, timeout: 30000 });

    const [[ver]] = await conn.query('SELECT VERSION() AS v');
    log(`mig benchmark: ${int(opts.rows)} rows, ${opts.runs} runs, formats ${opts.formats.join(', ')}, cases ${opts.cases.join(', ')}; build ${build} (${commit ?? 'n/a'})`);
    log(`  MariaDB ${ver.v} on ${HOST}:${MYSQL_PORT}, Kafka ${BROKERS[0]}; ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; ${gnuTime ? 'GNU time' : '/proc sampling'} for CPU and RSS`);
    if (profileDir) log(`  --profile: mig runs under node --cpu-prof (slower); profiles in ${shown(profileDir)}`);
    if (opts.refApp) log(`  reference: mig ref is build ${buildDigest(path.join(opts.refApp, 'dist'))} (${opts.refBuiltFrom ?? 'n/a'}), measured next to mig in every run`);
    if (opts.nodeOptions.length > 0) log(`  mig runs with node ${opts.nodeOptions.join(' ')}`);
    await conn.query(`DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB}`);

    const result = {
      benchmark: 'mig',
      version: 2,
      date: new Date().toISOString(),
      commit,
      build,
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, memoryGB: Math.round(os.totalmem() / 2 ** 30), node: process.version, mariadb: ver.v, loadAverageAtStart: os.loadavg() },
      params: {
        rows: opts.rows,
        runs: opts.runs,
        formats: opts.formats,
        cases: opts.cases,
        profiled: opts.profile,
        migNodeOptions: opts.nodeOptions,
        reference: opts.refApp ? { build: buildDigest(path.join(opts.refApp, 'dist')), builtFrom: opts.refBuiltFrom ?? null } : null,
        topic: { partitions: 1, compression: 'lz4', acks: 'all' },
        chunkSize: MIG_CHUNK,
        rawProducer: { chunk: MIG_CHUNK, maxRequestBytes: MAX_REQUEST_BYTES, sampleMessages: SAMPLE_MESSAGES },
        incBaseRows: INC_BASE_ROWS,
        latency: { rowsPerSecond: opts.latencyRate, seconds: opts.latencySeconds, warmupSeconds: DEFAULTS.latencyWarmup },
        tablestoreRows: opts.tablestoreRows,
        resourceUsage: gnuTime ? 'GNU time' : '/proc sampling',
      },
      cases: {},
    };

    if (opts.cases.includes('full')) {
      await conn.query(`CREATE TABLE ${DB}.t_bulk (${COLUMNS})`);
      const f0 = Date.now();
      // The full-load table is not part of any binlog measurement: keep it out of the log.
      await conn.query('SET SESSION sql_log_bin = 0');
      await insertRows(conn, 't_bulk', 1, opts.rows, 50_000);
      await conn.query('SET SESSION sql_log_bin = 1');
      await conn.query(`ANALYZE TABLE ${DB}.t_bulk`);
      const [[rb]] = await conn.query(`SELECT AVG(${ROW_TEXT_BYTES}) AS b FROM ${DB}.t_bulk`);
      const table = { avgRowBytes: Number(rb.b) };
      log(`  filled ${DB}.t_bulk with ${int(opts.rows)} rows of ${fix(table.avgRowBytes, 0)} bytes in ${fix((Date.now() - f0) / 1000, 1)} s`);
      result.sizing = await sizingCase(opts, tag, log);
      result.cases.fullLoad = await fullLoadCase(opts, tag, result.sizing, table, log);
      await conn.query(`DROP TABLE ${DB}.t_bulk`);
    }
    if (opts.cases.includes('incremental')) result.cases.incremental = await incrementalCase(opts, tag, conn, log);
    if (opts.cases.includes('latency')) result.cases.latency = await latencyCase(opts, tag, conn, log);
    if (opts.cases.includes('tablestore')) {
      const ctx = { HOST, MYSQL_PORT, DB, COLUMNS, children, killGroup, measure, mig, ensureOk, projectDir, removeDir, insertRows, figure, ratio, runSteps, rotate, errorsOf, int, fix };
      result.cases.tablestore = await tablestoreCase(opts, ctx, conn, log);
    }
    result.totalSeconds = (Date.now() - t0) / 1000;
    result.machine.loadAverageAtEnd = os.loadavg();
    result.rss = rssSummary(result);
    result.aims = aims(result);
    if (profileDir) {
      result.profiles = [];
      for (const label of profileLabels) {
        const file = path.join(profileDir, `${label}.cpuprofile`);
        if (!existsSync(file)) continue;
        // The sizing and pre-load runs are small; the report shows the measured ones.
        if (/^(size-|inc-.*-initial(-ref)?$)/.test(label)) continue;
        result.profiles.push({ label, file: shown(file), ...summarizeProfile(file, 20) });
      }
    }
    for (const s of Object.values(result.sizing ?? {})) delete s.file;

    mkdirSync(path.dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, JSON.stringify(result, null, 2) + '\n');
    log(render(result));
    log(`Results: ${shown(opts.out)}`);
    const failed = (result.cases.fullLoad?.errors.length ?? 0) + (result.cases.incremental?.errors.length ?? 0) + (result.cases.latency?.errors.length ?? 0) + (result.cases.tablestore?.errors.length ?? 0);
    if (failed > 0) process.exitCode = 1;
  } finally {
    if (!interrupted) await cleanup(conn);
  }
}

main().catch((e) => {
  process.stderr.write(`bench: ${e.stack ?? e}\n`);
  process.exit(1);
});
