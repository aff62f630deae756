// Case "tablestore": mig's full load into its Tablestore test server (a process), then the catch-up of
// binlog events written while mig was stopped, against the same rows sent with the SDK's BatchWriteRow.
import path from 'node:path';
import { mig, phaseSeconds, VARIANTS } from '../lib/mig.mjs';
import { ROOT } from '../lib/app.mjs';
import { ensureOk, lastJsonLine, measure } from '../lib/process.mjs';
import { projectDir, removeDir, SOURCE, writeMigration } from '../lib/projects.mjs';
import { errorLines, fix, HEAD, int, rateRow, ratioRows, rssRow } from '../lib/report.mjs';
import { COLUMNS, DB, insertRows, MYSQL_PORT, withoutBinlog } from '../lib/services.mjs';
import { abRatios, errorsOf, figure, processAndPhase, ratio, variantRuns } from '../lib/stats.mjs';
import { runRotated } from '../lib/steps.mjs';
import { countRows, withServer } from '../lib/tablestore-server.mjs';

/** mig's defaults for the destination, which the baseline matches. */
const CONCURRENCY = 8;
const BATCH = 200;
const TABLE = 't_ts';

function writeSpec(dir, name, info) {
  // The spec takes its keys by reference; mig inherits them from this process's environment.
  process.env.MIG_BENCH_TS_KEY_ID = info.accessKeyId;
  process.env.MIG_BENCH_TS_KEY_SECRET = info.accessKeySecret;
  writeMigration(
    dir,
    name,
    `${SOURCE}
  destination:
    type: tablestore
    endpoint: ${info.endpoint}
    instance: ${info.instance}
    accessKeyId: \${env:MIG_BENCH_TS_KEY_ID}
    accessKeySecret: \${env:MIG_BENCH_TS_KEY_SECRET}
    concurrency: ${CONCURRENCY}
  types: [schema, full, incremental]
  objects:
    - database: ${DB}
      tables: [{ name: ${TABLE} }]
`,
  );
}

async function setup({ opts, conn, log }) {
  const N = opts.tablestoreRows;
  const E = Math.floor(N / 2);
  const t0 = Date.now();
  await conn.query(`DROP TABLE IF EXISTS ${DB}.${TABLE}; CREATE TABLE ${DB}.${TABLE} (${COLUMNS})`);
  await withoutBinlog(conn, () => insertRows(conn, TABLE, 1, N, 50_000));
  log(`  filled ${DB}.${TABLE} with ${int(N)} rows in ${fix((Date.now() - t0) / 1000, 1)} s`);
  // Binlog events for the catch-up: 90% new rows (1000 per INSERT), 10% updates (100 rows per UPDATE).
  const updates = Math.floor(E / 10);
  return { conn, log, N, E, updates, inserts: E - updates, runs: {} };
}

async function writeEvents({ conn, N, inserts, updates }) {
  await insertRows(conn, TABLE, N + 1, inserts, 1000);
  for (let id = 1; id <= updates; id += 100) await conn.query(`UPDATE ${DB}.${TABLE} SET n = n + 1 WHERE id BETWEEN ? AND ?`, [id, Math.min(updates, id + 99)]);
}

/** Puts the table back to its N rows, outside the binlog (the next step's snapshot is the same size). */
const resetTable = ({ conn, N }) => withoutBinlog(conn, () => conn.query(`DELETE FROM ${DB}.${TABLE} WHERE id > ?`, [N]));

/** One variant's full load into a fresh server, then its catch-up of E events written after it. */
const migStep = (state, variant, i) => () =>
  withServer(async (info) => {
    const { N, inserts } = state;
    const dir = projectDir('ts');
    try {
      writeSpec(dir, `bench-ts-${i}`, info);
      const load = ensureOk(`${variant.name} apply (Tablestore full load)`, await mig(dir, `ts-full-${i + 1}`, ['apply', '--auto-approve'], { variant }));
      const loaded = await countRows(info, TABLE);
      if (loaded !== N) throw new Error(`${variant.name} full load: ${loaded} rows in Tablestore, expected ${N}\n${load.stdout}`);
      await writeEvents(state);
      const catchUp = ensureOk(`${variant.name} apply --until-caught-up (Tablestore)`, await mig(dir, `ts-inc-${i + 1}`, ['apply', '--auto-approve', '--until-caught-up'], { variant }));
      const after = await countRows(info, TABLE);
      if (after !== N + inserts) throw new Error(`${variant.name} catch-up: ${after} rows in Tablestore, expected ${N + inserts}`);
      return { ...load, phaseSeconds: phaseSeconds(load, 'fullStart', 'fullDone'), catchUp: { ...catchUp, phaseSeconds: phaseSeconds(catchUp, 'streamStart', 'caughtUp') } };
    } finally {
      removeDir(dir);
      await resetTable(state);
    }
  });

const sdkStep = ({ N }) => () =>
  withServer(async (info) => {
    const args = ['--server', JSON.stringify(info), '--mysql-port', String(MYSQL_PORT), '--table', `${DB}.${TABLE}`, '--target', TABLE, '--batch', String(BATCH), '--concurrency', String(CONCURRENCY)];
    const r = ensureOk('SDK BatchWriteRow baseline', await measure(process.execPath, [path.join(ROOT, 'bench', 'baselines', 'tablestore-baseline.mjs'), ...args]));
    const inner = lastJsonLine(r);
    const written = await countRows(info, TABLE);
    if (written !== N) throw new Error(`baseline: ${written} rows in Tablestore, expected ${N}`);
    return { ...r, sendSeconds: inner.sendSeconds, requests: inner.requests };
  });

async function run(state, i) {
  const steps = Object.fromEntries(VARIANTS.map((v) => [`${v.name} tablestore`, migStep(state, v, i)]));
  steps['SDK BatchWriteRow'] = sdkStep(state);
  await runRotated(steps, state.runs, i, 'tablestore', state.log);
}

/** Figure names (each with its …Phase): mig's are those the results had before the A/B. */
const keysOf = (v) => (v.key === 'mig' ? { load: 'mig', catchUp: 'catchUp' } : { load: 'ref', catchUp: 'refCatchUp' });

function summarize({ N, E, inserts, updates, runs }) {
  const bRuns = runs['SDK BatchWriteRow'] ?? [];
  const phase = (r) => r.phaseSeconds;
  const sends = (r) => r.sendSeconds;
  const sdk = figure('rows/s', N, bRuns);
  const sdkSends = figure('rows/s', N, bRuns, { pick: sends, whole: false });
  const figures = {};
  const ratios = {};
  const byVariant = variantRuns(runs, 'tablestore');
  for (const v of VARIANTS) {
    const k = keysOf(v);
    const mRuns = byVariant[v.key];
    const cRuns = mRuns.map((r) => (r && !r.error ? r.catchUp : r));
    processAndPhase(figures, k.load, 'rows/s', N, mRuns);
    processAndPhase(figures, k.catchUp, 'events/s', E, cRuns);
    ratios[`${v.name} full phase / SDK BatchWriteRow sends`] = ratio(figures[`${k.load}Phase`], sdkSends, mRuns, bRuns, phase, sends);
    ratios[`${v.name} apply / SDK baseline (whole processes)`] = ratio(figures[k.load], sdk, mRuns, bRuns);
    // Events and rows differ in number: per-run ratios of rates, not of seconds.
    ratios[`${v.name} catch-up phase / SDK BatchWriteRow sends`] = ratio(figures[`${k.catchUp}Phase`], sdkSends, cRuns, bRuns, (r) => phase(r) / E, (r) => sends(r) / N);
  }
  Object.assign(figures, { sdk, sdkSends });
  Object.assign(
    ratios,
    abRatios(figures, byVariant.mig, byVariant.ref, [
      ['full load, whole processes', 'mig', 'ref'],
      ['full phase', 'migPhase', 'refPhase', phase],
      ['catch-up, whole processes', 'catchUp', 'refCatchUp', (r) => r.catchUp.wallSeconds],
      ['streaming phase', 'catchUpPhase', 'refCatchUpPhase', (r) => r.catchUp.phaseSeconds],
    ]),
  );
  return { rows: N, events: E, inserts, updates, batch: BATCH, concurrency: CONCURRENCY, figures, ratios, errors: errorsOf(runs) };
}

// The server is in-memory JavaScript, not a Tablestore instance: the ratios say how much mig adds over
// the bare writes it has to make, not what a real instance sustains.
function render(t, result) {
  const out = ['', `Tablestore: ${int(t.rows)} rows into mig's test server (a process, in-memory), then ${int(t.events)} binlog events (${int(t.inserts)} inserted rows, ${int(t.updates)} updated), ${result.params.runs} runs`];
  out.push(`  baseline: the same rows with the SDK's BatchWriteRow, ${t.batch}-row requests, ${t.concurrency} in flight (mig's concurrency)`);
  out.push(HEAD);
  for (const v of VARIANTS) {
    const k = keysOf(v);
    out.push(rateRow(`${v.name} apply, full load (whole process)`, t.figures[k.load]));
    out.push(rateRow(`${v.name} full-load phase`, t.figures[`${k.load}Phase`]));
    out.push(rateRow(`${v.name} apply --until-caught-up (process)`, t.figures[k.catchUp]));
    out.push(rateRow(`${v.name} streaming phase`, t.figures[`${k.catchUp}Phase`]));
  }
  out.push(rateRow('SDK BatchWriteRow (whole process)', t.figures.sdk));
  out.push(rateRow('SDK BatchWriteRow (sends only)', t.figures.sdkSends));
  out.push(...ratioRows(t.ratios));
  out.push('  The server is JavaScript on the same cores: it bounds both sides, so read the ratios, not the rates.');
  out.push(...errorLines(t.errors));
  return out;
}

const rss = (t) => [...rssRow(`Tablestore full load (${int(t.rows)} rows)`, t.figures.mig), ...rssRow(`Tablestore catch-up (${int(t.events)} events)`, t.figures.catchUp)];

export default { name: 'tablestore', key: 'tablestore', setup, run, summarize, render, rss };
