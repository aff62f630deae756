// Case "incremental": per format a project whose full load is done, then N binlog row events written
// once and each `mig apply --until-caught-up` timed, against mariadb-binlog reading the same range and
// Kafka's own Java producer sending N messages of a sample of mig's catch-up messages.
import { deleteTopics, noteTopic, readAll, topicCount, TOPIC_PREFIX } from '../lib/kafka.mjs';
import { javaAim, javaFigures, javaProducerStep, javaRows, javaSendsRatio, javaStep } from '../lib/java-producer.mjs';
import { changesReported, mig, phaseSeconds, VARIANTS } from '../lib/mig.mjs';
import { ensureOk, measure } from '../lib/process.mjs';
import { projectDir, removeDir, tempDir, writeKafkaSpec } from '../lib/projects.mjs';
import { errorLines, fix, HEAD, int, rateRow, ratioRows, rssRow } from '../lib/report.mjs';
import { binlogFiles, COLUMNS, DB, HOST, insertRows, masterStatus, MYSQL_PORT, sourceConnection } from '../lib/services.mjs';
import { keepSample, SAMPLE_MESSAGES } from '../lib/sizing.mjs';
import { abRatios, errorsOf, figure, processAndPhase, ratio, stats, variantRuns } from '../lib/stats.mjs';
import { failRun, runRotated } from '../lib/steps.mjs';

export const INC_BASE_ROWS = 1000; // rows of bench.t_inc before the case's own writes
const phase = (r) => r.phaseSeconds;

/** N row events as the case writes them: 90% inserted rows, 10% UPDATEs. */
const split = (N) => ({ inserts: N - Math.floor(N / 10), updates: Math.floor(N / 10) });

async function setup({ opts, tag, conn, log }) {
  const N = opts.rows;
  const migSteps = opts.formats.flatMap((format) => VARIANTS.map((variant) => ({ format, variant, step: `${variant.name} ${format}` })));
  const state = { opts, tag, conn, log, N, ...split(N), migSteps, runs: {}, writes: [], warnings: [] };
  state.sizes = await catchUpSizing(state);
  return state;
}

/**
 * t_inc afresh with INC_BASE_ROWS rows, and a project per { format, variant, step } of `list` whose full
 * load is done, kept in projects[step]; name(format, variant) gives its topic and its label.
 */
async function loadProjects(conn, list, name, projects) {
  await conn.query(`DROP TABLE IF EXISTS ${DB}.t_inc; CREATE TABLE ${DB}.t_inc (${COLUMNS})`);
  await insertRows(conn, 't_inc', 1, INC_BASE_ROWS, INC_BASE_ROWS);
  for (const { format, variant, step } of list) {
    const { topic, label } = name(format, variant);
    const dir = projectDir('inc');
    noteTopic(topic);
    projects[step] = { dir, topic, label };
    writeKafkaSpec(dir, { name: `bench-${label}`, topic, table: 't_inc', types: ['schema', 'full', 'incremental'], format });
    ensureOk(`${variant.name} apply (full load before the incremental case, ${format})`, await mig(dir, `${label}-initial`, ['apply', '--auto-approve'], { variant }));
  }
}

async function dropProjects(conn, projects) {
  for (const { dir, topic } of Object.values(projects)) {
    removeDir(dir);
    await deleteTopics([topic]).catch(() => undefined);
  }
  await conn.query(`DROP TABLE IF EXISTS ${DB}.t_inc`).catch(() => undefined);
}

const catchUp = ({ dir, label }, variant) => mig(dir, `${label}-catch-up`, ['apply', '--auto-approve', '--until-caught-up'], { variant });

/**
 * The Java producer's sample per format: SAMPLE_MESSAGES events written as a run writes them, caught up
 * once by mig, and its messages for them read back (a few seconds per format, once per benchmark).
 */
async function catchUpSizing({ opts, tag, conn, log }) {
  const list = opts.formats.map((format) => ({ format, variant: VARIANTS[0], step: format }));
  const sampleDir = tempDir('samples');
  const projects = {};
  const out = {};
  try {
    await loadProjects(conn, list, (format) => ({ topic: `${TOPIC_PREFIX}size.${tag}.inc.${format}`, label: `size-inc-${format}` }), projects);
    await writeEvents({ conn, ...split(SAMPLE_MESSAGES) });
    for (const { format, variant } of list) {
      const { topic } = projects[format];
      ensureOk(`mig apply --until-caught-up (sizing, ${format})`, await catchUp(projects[format], variant));
      const msgs = await readAll(topic, INC_BASE_ROWS + SAMPLE_MESSAGES);
      if (msgs.length !== INC_BASE_ROWS + SAMPLE_MESSAGES) throw new Error(`catch-up sizing ${format}: read ${msgs.length} messages of ${topic}, expected ${INC_BASE_ROWS + SAMPLE_MESSAGES}`);
      out[format] = keepSample(msgs.slice(INC_BASE_ROWS), format, sampleDir, 'catch-up sizing', log);
    }
  } finally {
    await dropProjects(conn, projects);
  }
  return out;
}

/** The writes every project then catches up with: 90% inserted by 1000-row statements, 10% single-row UPDATEs. */
async function writeEvents({ conn, inserts, updates }) {
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
  const seconds = Number(process.hrtime.bigint() - w0) / 1e9;
  const end = await masterStatus(conn);
  const { files, sizes } = await binlogFiles(conn, start.file, end.file);
  const binlogBytes = files.length === 1 ? end.pos - start.pos : sizes.reduce((a, b) => a + b, 0) - start.pos - (sizes[sizes.length - 1] - end.pos);
  return { seconds, from: start, to: end, files, binlogBytes };
}

async function run(state, i) {
  const { conn, tag, N, migSteps, runs, log, opts, sizes } = state;
  const projects = {};
  const javaSteps = opts.formats.map(javaStep);
  try {
    await loadProjects(conn, migSteps, (format, variant) => ({ topic: `${TOPIC_PREFIX}inc.${tag}.${format}${variant.suffix}.${i}`, label: `inc-${format}-${i + 1}` }), projects);
    const w = await writeEvents(state);
    state.writes[i] = { seconds: w.seconds, from: w.from, to: w.to, files: w.files.length, binlogBytes: w.binlogBytes };
    log(`  incremental run ${i + 1}: wrote ${N} row events (${(w.binlogBytes / 1048576).toFixed(0)} MiB of binlog) in ${w.seconds.toFixed(1)} s`);

    const binlogArgs = ['--no-defaults', '--read-from-remote-server', `-h${HOST}`, `-P${MYSQL_PORT}`, '-uroot', `--start-position=${w.from.pos}`, `--stop-position=${w.to.pos}`];
    const steps = {
      'mariadb-binlog': async () => ensureOk('mariadb-binlog', await measure('mariadb-binlog', [...binlogArgs, ...w.files], { captureStdout: false })),
      'mariadb-binlog --verbose': async () => ensureOk('mariadb-binlog --verbose', await measure('mariadb-binlog', [...binlogArgs, '--verbose', ...w.files], { captureStdout: false })),
    };
    for (const { variant, step } of migSteps) {
      const { topic } = projects[step];
      steps[step] = async () => {
        const r = ensureOk(`${variant.name} apply --until-caught-up`, await catchUp(projects[step], variant));
        const handled = changesReported(r.stdout);
        if (handled !== N) state.warnings.push(`run ${i + 1} ${step}: reported ${handled} changes written, expected ${N}${Number.isNaN(handled) ? `; its last lines:\n${r.stdout.trim().split('\n').slice(-3).join('\n')}` : ''}`);
        const got = await topicCount(topic);
        if (got !== INC_BASE_ROWS + N) throw new Error(`${step} incremental: ${got} messages in ${topic}, expected ${INC_BASE_ROWS + N}\n${r.stdout}`);
        return { ...r, handled, phaseSeconds: phaseSeconds(r, 'streamStart', 'caughtUp') };
      };
    }
    for (const format of opts.formats) steps[javaStep(format)] = javaProducerStep(`${TOPIC_PREFIX}java.${tag}.inc.${format}.${i}`, N, sizes[format].file);
    await runRotated(steps, runs, i, 'incremental', log);
  } catch (e) {
    failRun(runs, ['mariadb-binlog', 'mariadb-binlog --verbose', ...migSteps.map((m) => m.step), ...javaSteps], i, e, 'incremental');
  } finally {
    await dropProjects(conn, projects);
  }
}

function summarize({ opts, N, inserts, updates, runs, writes, warnings, sizes }) {
  const binlogBytes = stats(writes.filter(Boolean).map((w) => w.binlogBytes));
  const perEvent = binlogBytes ? binlogBytes.median / N : null;
  const bl = runs['mariadb-binlog'] ?? [];
  const blv = runs['mariadb-binlog --verbose'] ?? [];
  const baselines = {
    mariadbBinlog: figure('events/s', N, bl, { bytesPerUnit: perEvent }),
    mariadbBinlogVerbose: figure('events/s', N, blv, { bytesPerUnit: perEvent }),
  };
  const formats = {};
  for (const format of opts.formats) {
    const fig = {};
    const ratios = {};
    const byVariant = variantRuns(runs, format);
    const jRuns = runs[javaStep(format)] ?? [];
    javaFigures(fig, N, jRuns, sizes[format].avgValueBytes);
    for (const v of VARIANTS) {
      const mRuns = byVariant[v.key];
      processAndPhase(fig, v.key, 'events/s', N, mRuns, perEvent);
      ratios[`${v.name} / mariadb-binlog`] = ratio(fig[v.key], baselines.mariadbBinlog, mRuns, bl);
      ratios[`${v.name} / mariadb-binlog --verbose`] = ratio(fig[v.key], baselines.mariadbBinlogVerbose, mRuns, blv);
      ratios[`${v.name} catch-up phase / java producer`] = javaSendsRatio(fig[`${v.key}Phase`], fig, mRuns, jRuns, phase);
    }
    Object.assign(ratios, abRatios(fig, byVariant.mig, byVariant.ref, [['whole processes', 'mig', 'ref'], ['streaming phase', 'migPhase', 'refPhase', phase]]));
    const { file, ...message } = sizes[format];
    formats[format] = { message, figures: fig, ratios };
  }
  return { events: N, inserts, updates, binlogBytes, sourceWriteSeconds: stats(writes.filter(Boolean).map((w) => w.seconds)), baselines, formats, warnings, errors: errorsOf(runs) };
}

function render(c, result) {
  const out = ['', `Incremental catch-up: ${int(c.events)} binlog row events (${int(c.inserts)} inserted rows, 1000 per statement; ${int(c.updates)} single-row autocommitted UPDATEs), ${result.params.runs} runs`];
  if (c.binlogBytes) out.push(`  binlog range ~${fix(c.binlogBytes.median / 1048576, 0)} MiB; the source took ${fix(c.sourceWriteSeconds?.median, 1)} s to write it. MB/s: binlog bytes per second.`);
  out.push(`  Kafka's Java producer sends values drawn from ${int(SAMPLE_MESSAGES)} of mig's catch-up messages (no keys); its MB/s`);
  out.push('  counts those values, its own rate leaves out the JVM\'s start.');
  out.push(HEAD);
  out.push(rateRow('mariadb-binlog (remote, to /dev/null)', c.baselines.mariadbBinlog));
  out.push(rateRow('mariadb-binlog --verbose', c.baselines.mariadbBinlogVerbose));
  for (const [format, v] of Object.entries(c.formats)) {
    out.push(`  ${format}: messages of ${fix(v.message.avgMessageBytes, 0)} bytes (key ${fix(v.message.avgKeyBytes, 0)} + value ${fix(v.message.avgValueBytes, 0)})`);
    for (const x of VARIANTS) {
      out.push(rateRow(`  ${x.name} apply --until-caught-up (process)`, v.figures[x.key]));
      out.push(rateRow(`  ${x.name} streaming phase`, v.figures[`${x.key}Phase`]));
    }
    out.push(...javaRows(v.figures));
    out.push(...ratioRows(v.ratios, '  '));
  }
  for (const w of c.warnings) out.push(`  warning: ${w}`);
  out.push(...errorLines(c.errors));
  return out;
}

const rss = (c, result) => Object.entries(c.formats).flatMap(([format, v]) => rssRow(`catch-up, ${format} (${int(result.params.rows)} events)`, v.figures.mig));

function aims(c) {
  const formats = Object.entries(c.formats);
  return [
    ...formats.map(([format, v]) => {
      const m = v.figures.migPhase.rate?.median;
      return { aim: `incremental catch-up ≥ 50,000 events/s (${format}; streaming phase)`, value: m ?? null, met: Number.isFinite(m) ? m >= 50_000 : null };
    }),
    ...formats.map(([format, v]) => javaAim('catch-up', format, 'streaming phase', v.ratios['mig catch-up phase / java producer'], 0.5)),
  ];
}

export default { name: 'incremental', key: 'incremental', setup, run, summarize, render, rss, aims };
