// Case "throttle": spec.throttle holds its rate. The full load is run once under a row limit and once
// under a megabyte limit, and the stream catches up with binlog events under a row limit and under a
// megabyte limit, each sized to last about SECONDS; the rate achieved in mig's own phase (between its
// phase lines) is set against the limit, which it should meet within ±5%.
import { deleteTopics, noteTopic, topicCount, TOPIC_PREFIX } from '../lib/kafka.mjs';
import { mig, phaseSeconds } from '../lib/mig.mjs';
import { ensureOk } from '../lib/process.mjs';
import { projectDir, removeDir, writeKafkaSpec } from '../lib/projects.mjs';
import { errorLines, fix, int, rssRow } from '../lib/report.mjs';
import { COLUMNS, DB, insertRows, ROW_TEXT_BYTES, withoutBinlog } from '../lib/services.mjs';
import { errorsOf, stats } from '../lib/stats.mjs';
import { failRun, runRotated } from '../lib/steps.mjs';

const SECONDS = 10;
const FORMAT = 'canal-json';
/** The limits measured; `rows` is sized from the limit (and, for megabytes, the rows' size) to last SECONDS. */
const LIMITS = {
  fullRows: { phase: 'full', what: 'full load, rowsPerSecond', throttle: { full: { rowsPerSecond: 20_000 } }, unit: 'rows/s' },
  fullMb: { phase: 'full', what: 'full load, mbPerSecond', throttle: { full: { mbPerSecond: 2 } }, unit: 'MB/s' },
  incRows: { phase: 'incremental', what: 'stream, rowsPerSecond', throttle: { incremental: { rowsPerSecond: 5000 } }, unit: 'rows/s' },
  incMb: { phase: 'incremental', what: 'stream, mbPerSecond', throttle: { incremental: { mbPerSecond: 1 } }, unit: 'MB/s' },
};
const limitOf = (l) => Object.values(Object.values(l.throttle)[0])[0];
const INC_BASE_ROWS = 1000;

/** Bytes of rows by mig's estimate: the sum of the values' text lengths, which ROW_TEXT_BYTES computes. */
async function textBytes(conn, table, where = '1') {
  const [[r]] = await conn.query(`SELECT COUNT(*) AS n, SUM(${ROW_TEXT_BYTES}) AS b FROM ${DB}.${table} WHERE ${where}`);
  return { rows: Number(r.n), bytes: Number(r.b) };
}

async function setup({ opts, tag, conn, log }) {
  const fullRows = LIMITS.fullRows.throttle.full.rowsPerSecond * SECONDS;
  await conn.query(`DROP TABLE IF EXISTS ${DB}.t_thr; CREATE TABLE ${DB}.t_thr (${COLUMNS})`);
  await withoutBinlog(conn, () => insertRows(conn, 't_thr', 1, fullRows, 50_000));
  const all = await textBytes(conn, 't_thr');
  const perRow = all.bytes / all.rows;
  // The megabyte runs take as many rows as SECONDS at the limit holds.
  const mbFullRows = Math.round((LIMITS.fullMb.throttle.full.mbPerSecond * 1e6 * SECONDS) / perRow);
  const mbFull = await textBytes(conn, 't_thr', `id <= ${mbFullRows}`);
  const incRows = LIMITS.incRows.throttle.incremental.rowsPerSecond * SECONDS;
  const incMbRows = Math.round((LIMITS.incMb.throttle.incremental.mbPerSecond * 1e6 * SECONDS) / perRow);
  log(`  throttle: ${int(fullRows)} rows of ${fix(perRow, 0)} bytes (mig's estimate: value text lengths); each limit sized to last ~${SECONDS} s`);
  return { opts, tag, conn, log, work: { fullRows: { rows: fullRows, bytes: all.bytes }, fullMb: mbFull, incRows: { rows: incRows }, incMb: { rows: incMbRows } }, runs: {} };
}

/** A full load of t_thr (all of it, or the first `rows` by id) under `throttle`. */
function fullStep(state, i, key) {
  const { tag, work } = state;
  const l = LIMITS[key];
  return async () => {
    const topic = `${TOPIC_PREFIX}thr.${tag}.${key}.${i}`;
    const dir = projectDir('thr');
    noteTopic(topic);
    try {
      const filter = key === 'fullMb' ? `id <= ${work.fullMb.rows}` : undefined;
      writeKafkaSpec(dir, { name: `bench-thr-${key}-${i}`, topic, table: 't_thr', types: ['schema', 'full'], format: FORMAT, filter, throttle: l.throttle });
      const r = ensureOk(`mig apply (${l.what})`, await mig(dir, `thr-${key}-${i + 1}`, ['apply', '--auto-approve']));
      const got = await topicCount(topic);
      if (got !== work[key].rows) throw new Error(`${l.what}: ${got} messages in ${topic}, expected ${work[key].rows}\n${r.stdout}`);
      return { ...r, phaseSeconds: phaseSeconds(r, 'fullStart', 'fullDone') };
    } finally {
      removeDir(dir);
      await deleteTopics([topic]);
    }
  };
}

/** Two projects loaded before the writes, then each catches up with the same binlog events under its limit. */
async function incrementalSteps(state, i) {
  const { conn, tag, work } = state;
  const projects = {};
  await conn.query(`DROP TABLE IF EXISTS ${DB}.t_thr_inc; CREATE TABLE ${DB}.t_thr_inc (${COLUMNS})`);
  await insertRows(conn, 't_thr_inc', 1, INC_BASE_ROWS, INC_BASE_ROWS);
  for (const key of ['incRows', 'incMb']) {
    const topic = `${TOPIC_PREFIX}thr.${tag}.${key}.${i}`;
    const dir = projectDir('thr');
    noteTopic(topic);
    projects[key] = { dir, topic };
    writeKafkaSpec(dir, { name: `bench-thr-${key}-${i}`, topic, table: 't_thr_inc', types: ['schema', 'full', 'incremental'], format: FORMAT, throttle: LIMITS[key].throttle });
    ensureOk(`mig apply (full load before ${LIMITS[key].what})`, await mig(dir, `thr-${key}-${i + 1}-initial`, ['apply', '--auto-approve']));
  }
  // As many inserted rows as the larger of the two needs; the smaller one's count is what it streams first.
  const events = Math.max(work.incRows.rows, work.incMb.rows);
  await insertRows(conn, 't_thr_inc', INC_BASE_ROWS + 1, events, 1000);
  const inserted = await textBytes(conn, 't_thr_inc', `id > ${INC_BASE_ROWS}`);
  work.incRows = { rows: inserted.rows, bytes: inserted.bytes };
  work.incMb = { rows: inserted.rows, bytes: inserted.bytes };
  const steps = {};
  for (const [key, { dir, topic }] of Object.entries(projects)) {
    steps[LIMITS[key].what] = async () => {
      const r = ensureOk(`mig apply --until-caught-up (${LIMITS[key].what})`, await mig(dir, `thr-${key}-${i + 1}-catch-up`, ['apply', '--auto-approve', '--until-caught-up']));
      const got = await topicCount(topic);
      if (got !== INC_BASE_ROWS + inserted.rows) throw new Error(`${LIMITS[key].what}: ${got} messages in ${topic}, expected ${INC_BASE_ROWS + inserted.rows}\n${r.stdout}`);
      return { ...r, phaseSeconds: phaseSeconds(r, 'streamStart', 'caughtUp') };
    };
  }
  return { steps, projects };
}

async function run(state, i) {
  const { runs, log, conn } = state;
  await runRotated({ [LIMITS.fullRows.what]: fullStep(state, i, 'fullRows'), [LIMITS.fullMb.what]: fullStep(state, i, 'fullMb') }, runs, i, 'throttle', log);
  let projects = {};
  try {
    const inc = await incrementalSteps(state, i);
    projects = inc.projects;
    await runRotated(inc.steps, runs, i, 'throttle', log);
  } catch (e) {
    failRun(runs, [LIMITS.incRows.what, LIMITS.incMb.what], i, e, 'throttle');
  } finally {
    for (const { dir, topic } of Object.values(projects)) {
      removeDir(dir);
      await deleteTopics([topic]).catch(() => undefined);
    }
    await conn.query(`DROP TABLE IF EXISTS ${DB}.t_thr_inc`).catch(() => undefined);
  }
}

function summarize({ runs, work }) {
  const limits = {};
  for (const [key, l] of Object.entries(LIMITS)) {
    const ok = (runs[l.what] ?? []).filter((r) => r && !r.error && Number.isFinite(r.phaseSeconds));
    const amount = l.unit === 'MB/s' ? work[key].bytes / 1e6 : work[key].rows;
    const achieved = ok.map((r) => amount / r.phaseSeconds);
    const limit = limitOf(l);
    limits[key] = { what: l.what, unit: l.unit, limit, rows: work[key].rows, bytes: work[key].bytes ?? null, phaseSeconds: stats(ok.map((r) => r.phaseSeconds)), maxRssMB: stats(ok.map((r) => r.maxRssKb / 1024)), achieved: stats(achieved), ratio: stats(achieved.map((a) => a / limit)) };
  }
  return { seconds: SECONDS, format: FORMAT, limits, errors: errorsOf(runs) };
}

async function teardown({ conn }) {
  await conn.query(`DROP TABLE IF EXISTS ${DB}.t_thr`);
}

function render(c, result) {
  const out = ['', `Throttle: each limit over ~${c.seconds} s of work, rate in mig's phase (full load or streaming) ÷ the limit, ${result.params.runs} runs; MB = 10^6 bytes of value text`];
  for (const l of Object.values(c.limits)) {
    const r = l.ratio;
    out.push(`  ${l.what.padEnd(26)} limit ${String(l.limit).padStart(6)} ${l.unit.padEnd(6)} achieved ${fix(l.achieved?.median, l.unit === 'MB/s' ? 3 : 0).padStart(8)}  ratio ${fix(r?.median, 3)}${r && r.runs.length > 1 ? ` [${fix(r.min, 3)} – ${fix(r.max, 3)}]` : ''}  (${int(l.rows)} rows in ${fix(l.phaseSeconds?.median, 2)} s)`);
  }
  out.push(...errorLines(c.errors));
  return out;
}

const rss = (c) => Object.values(c.limits).flatMap((l) => rssRow(`throttle, ${l.what}`, l));

function aims(c) {
  return Object.values(c.limits).map((l) => {
    const m = l.ratio?.median;
    return { aim: `throttle ${l.what} within ±5% of the limit`, value: m ?? null, met: Number.isFinite(m) ? Math.abs(m - 1) <= 0.05 : null };
  });
}

export default { name: 'throttle', key: 'throttle', setup, run, summarize, teardown, render, rss, aims };
