// Case "latency": canal-json, `mig apply --follow` while a writer inserts a steady rate of rows; a consumer
// takes, per row, the broker's append time (LogAppendTime) minus the time the writer saw the commit.
import { consumeTopic, createTopic, deleteTopics, TOPIC_PREFIX } from '../lib/kafka.mjs';
import { hasRef, MARKS, mig, VARIANTS } from '../lib/mig.mjs';
import { ensureOk, killGroup, session } from '../lib/process.mjs';
import { projectDir, removeDir, writeKafkaSpec } from '../lib/projects.mjs';
import { fix, int, ratioRows } from '../lib/report.mjs';
import { COLUMNS, DB } from '../lib/services.mjs';
import { steadyWriter } from '../lib/steady-writer.mjs';
import { inverseRatio, percentile, stats } from '../lib/stats.mjs';
import { rotate } from '../lib/steps.mjs';
import { DEFAULTS } from '../lib/options.mjs';

const TX_ROWS = 10;
const CONNECTIONS = 2;
const FIRST_ID = 1;

function setup({ opts, tag, conn, log }) {
  return { opts, tag, conn, log, runs: Object.fromEntries(VARIANTS.map((v) => [v.key, []])) };
}

/** Starts `mig apply --follow`; the caller stops it (SIGINT) once the writer's rows have arrived. */
function follow(dir, label, variant) {
  let child;
  let streaming;
  const streamingNow = new Promise((r) => (streaming = r));
  const migDone = mig(dir, label, ['apply', '--auto-approve', '--follow'], { variant, onSpawn: (c) => (child = c), onLine: (line) => MARKS.streamStart.test(line) && streaming() });
  return { migDone, streamingNow, child: () => child };
}

async function untilStreaming({ migDone, streamingNow }) {
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
}

/** Per-row latencies while the writer runs; the consumer stops once every written row arrived. */
function timeRows(topic, capacity, commitAt, timeoutMs) {
  const t = { appendLat: [], receiveLat: [], esLat: [], received: 0, duplicates: 0, untimed: 0, written: Infinity, measureFrom: Infinity, measureTo: Infinity };
  const seen = new Uint8Array(capacity);
  const consumer = consumeTopic(topic, {
    maxWaitTimeInMs: 50,
    timeoutMs,
    done: () => t.received >= t.written,
    onMessage: (m, now) => {
      const v = JSON.parse(m.value.toString());
      const idx = Number(v.data?.[0]?.id) - FIRST_ID;
      if (!(idx >= 0 && idx < capacity)) return;
      if (seen[idx]) {
        t.duplicates++;
        return;
      }
      seen[idx] = 1;
      t.received++;
      const committed = commitAt[idx];
      // A row whose commit acknowledgement the writer has not processed yet cannot be timed.
      if (committed === 0) t.untimed++;
      if (committed === 0 || committed < t.measureFrom || committed >= t.measureTo) return;
      const appended = Number(m.timestamp);
      t.appendLat.push(appended - committed);
      t.receiveLat.push(now - committed);
      t.esLat.push(appended - Number(v.es));
    },
  });
  return { t, ...consumer };
}

function pct(xs) {
  const s = Float64Array.from(xs).sort();
  return { p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s.length ? s[s.length - 1] : NaN, samples: s.length };
}

async function measureOnce({ opts, tag, conn }, variant, i) {
  const { latencyRate: rate, latencySeconds: seconds } = opts;
  const warmup = DEFAULTS.latencyWarmup;
  const topic = `${TOPIC_PREFIX}lat.${tag}.${i}${variant.suffix}`;
  const dir = projectDir('lat');
  let handle;
  try {
    await conn.query(`DROP TABLE IF EXISTS ${DB}.t_lat; CREATE TABLE ${DB}.t_lat (${COLUMNS})`);
    // Broker-side timestamps: each record's timestamp is when the leader appended it, which with
    // acks=all and one replica is when the produce request is acknowledged.
    await createTopic(topic, [{ name: 'message.timestamp.type', value: 'LogAppendTime' }]);
    writeKafkaSpec(dir, { name: `bench-lat-${i}`, topic, table: 't_lat', types: ['schema', 'full', 'incremental'], format: 'canal-json' });
    handle = follow(dir, `latency-${i + 1}`, variant);
    await untilStreaming(handle);
    const capacity = Math.ceil(rate * (warmup + seconds) * 1.05) + 10 * TX_ROWS;
    const commitAt = new Float64Array(capacity);
    const { t, ready, finished } = timeRows(topic, capacity, commitAt, (warmup + seconds + 90) * 1000);
    await ready;
    const w = steadyWriter({ table: 't_lat', rate, seconds: warmup + seconds, txRows: TX_ROWS, connections: CONNECTIONS, firstId: FIRST_ID, commitAt });
    t.measureFrom = Date.now() + warmup * 1000;
    t.measureTo = t.measureFrom + seconds * 1000;
    const writer = await w;
    t.written = writer.rows;
    const drainStart = Date.now();
    await finished;
    const drainSeconds = (Date.now() - drainStart) / 1000;
    killGroup(handle.child(), 'SIGINT');
    const r = ensureOk('mig apply --follow', await handle.migDone);
    if (t.received < t.written) throw new Error(`latency: consumed ${t.received} of ${t.written} rows written`);
    return {
      writer: { rows: writer.rows, transactions: writer.txs, seconds: writer.seconds, rowsPerSecond: writer.rows / writer.seconds, behindMaxRows: writer.behindMaxRows },
      commitToAppendMs: pct(t.appendLat),
      commitToReceiveMs: pct(t.receiveLat),
      esToAppendMs: pct(t.esLat),
      duplicates: t.duplicates,
      untimedRows: t.untimed,
      drainSeconds,
      wallSeconds: r.wallSeconds,
      cpuSeconds: r.cpuSeconds,
      maxRssKb: r.maxRssKb,
    };
  } catch (e) {
    if (handle?.child()) killGroup(handle.child(), 'SIGKILL');
    await handle?.migDone.catch(() => undefined);
    throw e;
  } finally {
    removeDir(dir);
    await deleteTopics([topic]).catch(() => undefined);
    await conn.query(`DROP TABLE IF EXISTS ${DB}.t_lat`).catch(() => undefined);
  }
}

async function run(state, i) {
  for (const variant of rotate(VARIANTS, i)) {
    const which = `latency run ${i + 1}${variant.suffix ? ` (${variant.name})` : ''}`;
    try {
      const r = await measureOnce(state, variant, i);
      state.runs[variant.key][i] = r;
      state.log(`  ${which}: ${r.writer.rows} rows at ${r.writer.rowsPerSecond.toFixed(0)} rows/s; commit → append p50 ${r.commitToAppendMs.p50} ms, p99 ${r.commitToAppendMs.p99} ms`);
    } catch (e) {
      state.runs[variant.key][i] = { error: String(e.message ?? e) };
      if (!session.interrupted) process.stderr.write(`bench: ${which}: ${state.runs[variant.key][i].error}\n`);
    }
  }
}

function summaryOf(runs) {
  const over = (f) => stats(runs.filter((r) => r && !r.error).map(f));
  return {
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
  };
}

const errorsIn = (runs, step) => runs.map((r, i) => (r?.error ? { step, run: i + 1, error: r.error } : null)).filter(Boolean);

function summarize({ opts, runs }) {
  const section = {
    format: 'canal-json',
    targetRowsPerSecond: opts.latencyRate,
    warmupSeconds: DEFAULTS.latencyWarmup,
    measuredSeconds: opts.latencySeconds,
    rowsPerTransaction: TX_ROWS,
    writerConnections: CONNECTIONS,
    summary: summaryOf(runs.mig),
    runs: runs.mig,
    errors: errorsIn(runs.mig, 'latency'),
  };
  if (!hasRef()) return section;
  // Lower latency and less CPU are better: ref ÷ mig, so that > 1 still means mig is better.
  const ab = (what, pick) => [`mig / mig ref (${what}, ref ÷ mig)`, inverseRatio(runs.mig, runs.ref, pick)];
  section.reference = { summary: summaryOf(runs.ref), runs: runs.ref };
  section.ratios = Object.fromEntries([ab('append p50', (r) => r.commitToAppendMs.p50), ab('append p99', (r) => r.commitToAppendMs.p99), ab('CPU s', (r) => r.cpuSeconds)]);
  section.errors.push(...errorsIn(runs.ref, 'mig ref'));
  return section;
}

const ms = (st) => (st ? `${int(st.median)} ms [${int(st.min)} – ${int(st.max)}]` : 'n/a');

function render(l, result) {
  const s = l.summary;
  const out = ['', `Latency: canal-json, mig apply --follow, writer at ${int(l.targetRowsPerSecond)} rows/s for ${l.warmupSeconds} s warm-up + ${l.measuredSeconds} s measured, ${result.params.runs} runs`];
  out.push(`  writer achieved ${s.writerRowsPerSecond ? int(s.writerRowsPerSecond.median) : 'n/a'} rows/s (autocommitted ${l.rowsPerTransaction}-row INSERTs from ${l.writerConnections} connections)`);
  out.push(`  commit → Kafka append (≈ ack)  p50 ${ms(s.commitToAppendP50Ms)}   p90 ${ms(s.commitToAppendP90Ms)}   p99 ${ms(s.commitToAppendP99Ms)}   max ${ms(s.commitToAppendMaxMs)}`);
  out.push(`  commit → consumer              p50 ${ms(s.commitToReceiveP50Ms)}   p99 ${ms(s.commitToReceiveP99Ms)}`);
  out.push(`  es → Kafka append              p50 ${ms(s.esToAppendP50Ms)}   p99 ${ms(s.esToAppendP99Ms)}`);
  out.push(`  ${s.samples ? int(s.samples.median) : 'n/a'} rows timed per run; duplicates ${s.duplicates ? int(s.duplicates.max) : 'n/a'}; untimed ${s.untimedRows ? int(s.untimedRows.max) : 'n/a'}; the last row arrived ${s.drainSeconds ? fix(s.drainSeconds.median, 2) : 'n/a'} s after the writer stopped`);
  out.push(`  mig apply --follow: ${s.cpuSeconds ? fix(s.cpuSeconds.median, 1) : 'n/a'} s CPU over the run, peak RSS ${s.maxRssMB ? int(s.maxRssMB.median) : 'n/a'} MB`);
  if (l.reference) {
    const r = l.reference.summary;
    out.push(`  mig ref: commit → Kafka append  p50 ${ms(r.commitToAppendP50Ms)}   p90 ${ms(r.commitToAppendP90Ms)}   p99 ${ms(r.commitToAppendP99Ms)}   max ${ms(r.commitToAppendMaxMs)}`);
    out.push(`  mig ref apply --follow: ${r.cpuSeconds ? fix(r.cpuSeconds.median, 1) : 'n/a'} s CPU over the run, peak RSS ${r.maxRssMB ? int(r.maxRssMB.median) : 'n/a'} MB`);
    out.push(...ratioRows(l.ratios));
  }
  out.push('  Method: the topic has message.timestamp.type=LogAppendTime, so each record carries the time the');
  out.push('  broker appended it (with acks=all and one replica, the time its produce request is acknowledged).');
  out.push('  The writer notes Date.now() when the server acknowledges each autocommitted INSERT (the commit, at');
  out.push('  most a round trip late); the consumer matches each message to its row by data[0].id. Same host,');
  out.push('  same clock. "consumer" adds the consumer\'s fetch (max wait 50 ms). "es" is the binlog event time');
  out.push('  Canal JSON carries: whole seconds, so that figure is up to 1000 ms too high. Percentiles over the');
  out.push('  rows committed in the measured window of each run; the figures are the median [min – max] of runs.');
  for (const e of l.errors) out.push(`  ERROR run ${e.run}${e.step === 'latency' ? '' : ` ${e.step}`}: ${e.error.split('\n')[0]}`);
  return out;
}

function rss(l) {
  const s = l.summary;
  return s.maxRssMB ? [{ what: 'apply --follow under the latency load', medianMB: s.maxRssMB.median, maxMB: s.maxRssMB.max }] : [];
}

export default { name: 'latency', key: 'latency', setup, run, summarize, render, rss };
