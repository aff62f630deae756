// Case "full": N rows of ~200 bytes, `mig apply` (types schema + full) into a fresh 1-partition lz4 topic
// per format, against a mysql2 streaming SELECT, mariadb-dump --quick, and a raw kafkajs producer and Kafka's
// own Java producer (ProducerPerformance) sending mig's messages.
import path from 'node:path';
import { createTopic, deleteTopics, noteTopic, topicCount, TOPIC_PREFIX } from '../lib/kafka.mjs';
import { javaAim, javaFigures, javaProducerStep, javaRows, javaSendsRatio, javaStep } from '../lib/java-producer.mjs';
import { mig, phaseSeconds, VARIANTS } from '../lib/mig.mjs';
import { ROOT } from '../lib/app.mjs';
import { ensureOk, lastJsonLine, measure } from '../lib/process.mjs';
import { projectDir, removeDir, tempDir, writeKafkaSpec } from '../lib/projects.mjs';
import { errorLines, fix, HEAD, int, rateRow, ratioRows, rssRow } from '../lib/report.mjs';
import { BROKERS, COLUMNS, DB, HOST, insertRows, MYSQL_PORT, ROW_TEXT_BYTES, withoutBinlog } from '../lib/services.mjs';
import { sizing } from '../lib/sizing.mjs';
import { abRatios, errorsOf, figure, processAndPhase, ratio, variantRuns } from '../lib/stats.mjs';
import { runRotated } from '../lib/steps.mjs';

export const MIG_CHUNK = 5000; // mig's default full.chunkSize: the raw producer's chunks
export const MAX_REQUEST_BYTES = 900_000; // mig's writer cuts requests below this (its Kafka writer.ts)
const baseline = (script) => path.join(ROOT, 'bench', 'baselines', script);
const phase = (r) => r.phaseSeconds;

async function setup({ opts, tag, conn, log }) {
  await conn.query(`CREATE TABLE ${DB}.t_bulk (${COLUMNS})`);
  const f0 = Date.now();
  // The full-load table is not part of any binlog measurement: keep it out of the log.
  await withoutBinlog(conn, () => insertRows(conn, 't_bulk', 1, opts.rows, 50_000));
  await conn.query(`ANALYZE TABLE ${DB}.t_bulk`);
  const [[rb]] = await conn.query(`SELECT AVG(${ROW_TEXT_BYTES}) AS b FROM ${DB}.t_bulk`);
  const avgRowBytes = Number(rb.b);
  log(`  filled ${DB}.t_bulk with ${int(opts.rows)} rows of ${fix(avgRowBytes, 0)} bytes in ${fix((Date.now() - f0) / 1000, 1)} s`);
  const sizes = await sizing(opts, tag, tempDir('samples'), log);
  return { opts, tag, conn, log, avgRowBytes, sizes, runs: {} };
}

function steps({ opts, tag, sizes }, i) {
  const N = opts.rows;
  const s = {
    'mysql2 SELECT': async () => {
      const r = ensureOk('mysql2 SELECT', await measure(process.execPath, [baseline('mysql2-select.mjs'), '--host', HOST, '--port', String(MYSQL_PORT), '--user', 'root', '--table', `${DB}.t_bulk`]));
      const inner = lastJsonLine(r);
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
        noteTopic(topic);
        try {
          writeKafkaSpec(dir, { name: `bench-full-${format}-${i}`, topic, table: 't_bulk', types: ['schema', 'full'], format });
          const r = ensureOk(`${variant.name} apply (full load, ${format})`, await mig(dir, `full-${format}-${i + 1}`, ['apply', '--auto-approve'], { variant }));
          const got = await topicCount(topic);
          if (got !== N) throw new Error(`${variant.name} full load: ${got} messages in ${topic}, expected ${N}\n${r.stdout}`);
          return { ...r, phaseSeconds: phaseSeconds(r, 'fullStart', 'fullDone') };
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
        const args = ['--app', opts.app, '--brokers', BROKERS.join(','), '--topic', topic, '--count', String(N), '--sample', sizes[format].file, '--chunk', String(MIG_CHUNK), '--max-request', String(MAX_REQUEST_BYTES), '--compression', 'lz4'];
        const r = ensureOk('raw kafkajs producer', await measure(process.execPath, [baseline('raw-producer.mjs'), ...args]));
        const inner = lastJsonLine(r);
        const got = await topicCount(topic);
        if (got !== N) throw new Error(`raw producer: ${got} messages in ${topic}, expected ${N}`);
        return { ...r, sendSeconds: inner.sendSeconds, requests: inner.requests, avgMessageBytes: inner.bytes / inner.messages };
      } finally {
        await deleteTopics([topic]);
      }
    };
    s[javaStep(format)] = javaProducerStep(`${TOPIC_PREFIX}java.${tag}.${format}.${i}`, N, sizes[format].file);
  }
  return s;
}

async function run(state, i) {
  await runRotated(steps(state, i), state.runs, i, 'full load', state.log);
}

function formatSection(format, runs, sizes, baselines, N) {
  const rRuns = runs[`raw kafkajs ${format}`] ?? [];
  const msgBytes = sizes[format].avgMessageBytes;
  const fig = {
    raw: figure('msgs/s', N, rRuns, { bytesPerUnit: msgBytes }),
    rawSends: figure('msgs/s', N, rRuns, { pick: (r) => r.sendSeconds, bytesPerUnit: msgBytes, whole: false }),
  };
  const jRuns = runs[javaStep(format)] ?? [];
  javaFigures(fig, N, jRuns, sizes[format].avgValueBytes);
  const ratios = {};
  const byVariant = variantRuns(runs, format);
  for (const v of VARIANTS) {
    const mRuns = byVariant[v.key];
    processAndPhase(fig, v.key, 'rows/s', N, mRuns, msgBytes);
    ratios[`${v.name} full phase / raw kafkajs sends`] = ratio(fig[`${v.key}Phase`], fig.rawSends, mRuns, rRuns, phase, (r) => r.sendSeconds);
    ratios[`${v.name} / raw kafkajs (whole processes)`] = ratio(fig[v.key], fig.raw, mRuns, rRuns);
    ratios[`${v.name} full phase / java producer`] = javaSendsRatio(fig[`${v.key}Phase`], fig, mRuns, jRuns, phase);
    ratios[`${v.name} / java producer (whole processes)`] = ratio(fig[v.key], fig.java, mRuns, jRuns);
    ratios[`${v.name} / mysql2 SELECT (whole processes)`] = ratio(fig[v.key], baselines.mysql2Select, mRuns, runs['mysql2 SELECT'] ?? []);
    ratios[`${v.name} / mariadb-dump`] = ratio(fig[v.key], baselines.mariadbDump, mRuns, runs['mariadb-dump'] ?? []);
  }
  Object.assign(ratios, abRatios(fig, byVariant.mig, byVariant.ref, [['whole processes', 'mig', 'ref'], ['full phase', 'migPhase', 'refPhase', phase]]));
  return {
    message: { avgMessageBytes: msgBytes, avgKeyBytes: sizes[format].avgKeyBytes, avgValueBytes: sizes[format].avgValueBytes, rawProducerAvgMessageBytes: rRuns.find((r) => r && !r.error)?.avgMessageBytes ?? null },
    figures: fig,
    ratios,
  };
}

function summarize({ opts, runs, sizes, avgRowBytes }, result) {
  const N = opts.rows;
  const sel = runs['mysql2 SELECT'] ?? [];
  const baselines = {
    mysql2Select: figure('rows/s', N, sel, { bytesPerUnit: avgRowBytes }),
    mysql2SelectReadOnly: figure('rows/s', N, sel, { pick: (r) => r.readSeconds, bytesPerUnit: avgRowBytes, whole: false }),
    mariadbDump: figure('rows/s', N, runs['mariadb-dump'] ?? [], { bytesPerUnit: avgRowBytes }),
  };
  const formats = Object.fromEntries(opts.formats.map((format) => [format, formatSection(format, runs, sizes, baselines, N)]));
  // The sample files are gone after the run: the results keep the sizes, not the paths.
  result.sizing = sizes;
  for (const s of Object.values(sizes)) delete s.file;
  return { rows: N, avgRowBytes, baselines, formats, errors: errorsOf(runs) };
}

async function teardown({ conn }) {
  await conn.query(`DROP TABLE ${DB}.t_bulk`);
}

function render(f, result) {
  const out = ['', `Full load: ${int(f.rows)} rows of ${DB}.t_bulk (${fix(f.avgRowBytes, 0)} bytes of text per row), 1-partition topic, lz4, ${result.params.runs} runs`];
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
    out.push(...javaRows(v.figures));
    out.push(...ratioRows(v.ratios, '  '));
  }
  out.push('  MB/s: rate × bytes per row — the message (key + value, before compression) for mig and raw');
  out.push('  kafkajs, the value alone for the Java producer (it sends no keys), the row\'s text for mysql2 and');
  out.push('  mariadb-dump. The Java producer\'s own rate is the one it reports, without the JVM\'s start.');
  out.push('  Ratios: rate ÷ rate, > 1 means mig is faster.');
  out.push(...errorLines(f.errors));
  return out;
}

function rss(f, result) {
  const sizingRows = Object.entries(result.sizing ?? {}).map(([format, s]) => ({ what: `sizing full load, ${format} (${int(s.sampledMessages)} rows)`, medianMB: s.migMaxRssMB, maxMB: s.migMaxRssMB }));
  return [...sizingRows, ...Object.entries(f.formats).flatMap(([format, v]) => rssRow(`full load, ${format} (${int(result.params.rows)} rows)`, v.figures.mig))];
}

function aims(f) {
  const formats = Object.entries(f.formats);
  return [
    ...formats.map(([format, v]) => {
      const r = v.ratios['mig full phase / raw kafkajs sends'];
      return { aim: `full load ≥ 0.7 × raw kafkajs produce (${format}; full phase ÷ sends)`, value: r ? r.ofMedians : null, met: r ? r.ofMedians >= 0.7 : null };
    }),
    ...formats.map(([format, v]) => javaAim('full load', format, 'full phase', v.ratios['mig full phase / java producer'], 0.5)),
  ];
}

export default { name: 'full', key: 'fullLoad', setup, run, summarize, teardown, render, rss, aims };
