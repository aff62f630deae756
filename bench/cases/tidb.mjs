// Case "tidb": TiDB → MySQL, N small Drainer transactions in a 1-partition topic applied by `mig apply
// --until-caught-up`, against a mysql2 loop applying them one transaction each; destinations compared.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createTopic, deleteTopics, produce, TOPIC_PREFIX } from '../lib/kafka.mjs';
import { mig, VARIANTS } from '../lib/mig.mjs';
import { ensureOk } from '../lib/process.mjs';
import { projectDir, removeDir, writeMigration } from '../lib/projects.mjs';
import { errorLines, HEAD, int, rateRow, ratioRows, rssRow } from '../lib/report.mjs';
import { BROKERS, createDatabase, dropDatabases, HOST, MYSQL_PORT, noteDatabase } from '../lib/services.mjs';
import { abRatios, errorsOf, figure, ratio, variantRuns } from '../lib/stats.mjs';
import { failRun, runRotated } from '../lib/steps.mjs';
import { applyWithMysql2, createTables, drainerEncoder, fingerprint, TABLES, workload } from '../lib/tidb-workload.mjs';

const NAME = 'bench-tidb';
const BASELINE = 'mysql2 loop';

async function setup({ opts, tag, conn, log }) {
  const N = opts.tidbTransactions;
  const txs = workload(N);
  const rowChanges = txs.reduce((a, t) => a + t.length, 0);
  log(`tidb feed: ${N} transactions, ${rowChanges} row changes over ${Object.keys(TABLES).length} tables, ${opts.runs} run(s)`);
  return { tag, conn, log, N, txs, rowChanges, encode: await drainerEncoder(opts.app), runs: {}, mismatches: [] };
}

/** A project whose feed starts now (the initial apply records the start ts), with the workload produced after it. */
async function prepare({ tag, txs, encode }, variant, i, src) {
  const db = (role) => `bench_tidb_${tag}_${role}${variant.suffix.replace('-', '_')}_${i}`;
  const p = { dir: projectDir('tidb'), topic: `${TOPIC_PREFIX}tidb.${tag}.${i}${variant.suffix}`, dst: db('dst') };
  const cp = db('cp');
  noteDatabase(p.dst);
  noteDatabase(cp);
  await createTopic(p.topic);
  // MariaDB stands in for TiDB's SQL endpoint and for the MySQL destination, as in the e2e tests.
  writeMigration(
    p.dir,
    NAME,
    `  source: { type: tidb, host: ${HOST}, port: ${MYSQL_PORT}, user: root, binlogKafka: { brokers: ${JSON.stringify(BROKERS)}, topic: ${p.topic} } }
  destination: { type: mysql, host: ${HOST}, port: ${MYSQL_PORT}, user: root, checkpointDatabase: ${cp} }
  objects: [{ database: ${src}, target: ${p.dst} }]
`,
  );
  ensureOk(`${variant.name} apply (TiDB schema, before the feed)`, await mig(p.dir, `tidb-${i + 1}-initial`, ['apply', '--auto-approve'], { variant }));
  const startTs = BigInt(JSON.parse(readFileSync(path.join(p.dir, '.mig', 'state.json'), 'utf8')).migrations[NAME].feed.startTs);
  await produce(p.topic, txs.map((rows, k) => encode(src, startTs + BigInt(k + 1), rows)));
  return p;
}

async function run(state, i) {
  const { tag, conn, N, txs, runs, log } = state;
  const src = `bench_tidb_${tag}_src_${i}`;
  const base = `bench_tidb_${tag}_base_${i}`;
  const projects = {};
  try {
    for (const db of [src, base]) {
      await createDatabase(conn, db);
      await createTables(conn, db);
    }
    for (const v of VARIANTS) projects[v.key] = await prepare(state, v, i, src);
    const steps = { [BASELINE]: async () => ({ wallSeconds: await applyWithMysql2(conn, base, txs) }) };
    for (const v of VARIANTS) {
      steps[`${v.name} tidb`] = async () => {
        const r = ensureOk(`${v.name} apply --until-caught-up (TiDB)`, await mig(projects[v.key].dir, `tidb-${i + 1}`, ['apply', '--auto-approve', '--until-caught-up'], { variant: v }));
        // Builds since the counts got thousands separators print 30,000; older ones (a --compare ref) 30000.
        if (![N.toLocaleString('en-US'), String(N)].some((n) => r.stdout.includes(`caught up: ${n} transaction(s) applied`))) throw new Error(`unexpected: ${r.stdout}`);
        return r;
      };
    }
    await runRotated(steps, runs, i, 'tidb', log);
    await compare(state, i, base, projects);
  } catch (e) {
    failRun(runs, [BASELINE, ...VARIANTS.map((v) => `${v.name} tidb`)], i, e, 'tidb');
  } finally {
    for (const p of Object.values(projects)) {
      removeDir(p.dir);
      await deleteTopics([p.topic]).catch(() => undefined);
    }
    await dropDatabases(conn).catch(() => undefined);
  }
}

/** Each destination against the baseline's, and the run's line as the first version of this case printed it. */
async function compare({ conn, N, runs, mismatches, log }, i, base, projects) {
  const b = runs[BASELINE][i];
  if (b.error) return;
  const expected = await fingerprint(conn, base);
  const parts = [];
  for (const v of VARIANTS) {
    const r = runs[`${v.name} tidb`][i];
    if (r.error) return;
    r.destinationEqualsBaseline = (await fingerprint(conn, projects[v.key].dst)) === expected;
    if (!r.destinationEqualsBaseline) mismatches.push({ step: `${v.name} tidb`, run: i + 1, error: 'the destination differs from the baseline' });
    parts.push({ v, r });
  }
  const rate = (s) => `${Math.round(N / s)} tx/s (${s.toFixed(1)} s)`;
  const same = (r) => (r.destinationEqualsBaseline ? 'equals' : 'DIFFERS FROM');
  const [mine, ref] = parts;
  log(
    `  run ${i + 1}: mig ${rate(mine.r.wallSeconds)}${ref ? `, mig ref ${rate(ref.r.wallSeconds)}` : ''}, mysql2 one-transaction-each ${rate(b.wallSeconds)}, ` +
      `ratio ${(b.wallSeconds / mine.r.wallSeconds).toFixed(2)}, destination ${same(mine.r)} baseline${ref ? `, mig ref's ${same(ref.r)} baseline` : ''}`,
  );
}

function summarize({ N, rowChanges, runs, mismatches, log }, result) {
  const bRuns = runs[BASELINE] ?? [];
  const byVariant = variantRuns(runs, 'tidb');
  const figures = {};
  const ratios = {};
  for (const v of VARIANTS) figures[v.key] = figure('tx/s', N, byVariant[v.key]);
  // In-process: the bench's own CPU and RSS would say nothing about the loop.
  figures.mysql2Loop = figure('tx/s', N, bRuns, { whole: false });
  for (const v of VARIANTS) ratios[`${v.name} / mysql2 loop (one transaction each)`] = ratio(figures[v.key], figures.mysql2Loop, byVariant[v.key], bRuns);
  Object.assign(ratios, abRatios(figures, byVariant.mig, byVariant.ref, [['whole processes', 'mig', 'ref']]));
  const median = (f) => Math.round(f?.rate?.median ?? NaN);
  const ref = figures.ref ? `, mig ref ${median(figures.ref)} tx/s` : '';
  log(`tidb feed: mig ${median(figures.mig)} tx/s${ref}, baseline ${median(figures.mysql2Loop)} tx/s, ratio mig/baseline ${(ratios['mig / mysql2 loop (one transaction each)']?.perRun?.median ?? NaN).toFixed(2)} (median of ${result.params.runs})`);
  return { transactions: N, rowChanges, tables: Object.keys(TABLES).length, figures, ratios, errors: [...errorsOf(runs), ...mismatches] };
}

function render(t, result) {
  const out = ['', `TiDB → MySQL: ${int(t.transactions)} Drainer transactions (${int(t.rowChanges)} row changes over ${t.tables} tables) applied by mig apply --until-caught-up, ${result.params.runs} runs`];
  out.push('  baseline: the same transactions through a mysql2 loop, one destination transaction each (BEGIN, upserts, COMMIT)');
  out.push(HEAD);
  for (const v of VARIANTS) out.push(rateRow(`${v.name} apply --until-caught-up (process)`, t.figures[v.key]));
  out.push(rateRow('mysql2 loop, one transaction each', t.figures.mysql2Loop));
  out.push(...ratioRows(t.ratios));
  out.push("  mig's time includes process start, plan and precheck; the destinations are compared with the baseline's.");
  out.push(...errorLines(t.errors));
  return out;
}

const rss = (t) => rssRow(`TiDB → MySQL catch-up (${int(t.transactions)} transactions)`, t.figures.mig);

export default { name: 'tidb', key: 'tidb', setup, run, summarize, render, rss };
