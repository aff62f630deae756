// Case "verify": mig verify's throughput on the full-load table (--rows), for a MySQL destination
// (checksums of key-range chunks on both servers) against a plain CHECKSUM TABLE of the source and
// the destination table, and for Kafka (the topic read back and decoded, the source read and encoded)
// against reading the topic once; each pair measured in the same run, as whole processes.
import path from 'node:path';
import { deleteTopics, noteTopic, topicCount, TOPIC_PREFIX } from '../lib/kafka.mjs';
import { mig } from '../lib/mig.mjs';
import { ROOT } from '../lib/app.mjs';
import { ensureOk, lastJsonLine, measure } from '../lib/process.mjs';
import { projectDir, removeDir, SOURCE, writeKafkaSpec, writeMigration } from '../lib/projects.mjs';
import { errorLines, fix, HEAD, int, rateRow, ratioRows, rssRow } from '../lib/report.mjs';
import { BROKERS, COLUMNS, DB, HOST, insertRows, MYSQL_PORT, withoutBinlog } from '../lib/services.mjs';
import { errorsOf, figure, ratio } from '../lib/stats.mjs';
import { runRotated } from '../lib/steps.mjs';

const DEST = `${DB}_vdst`;
const CHECKPOINTS = `${DB}_vcp`;
const TABLE = 't_ver';

async function setup({ opts, tag, conn, log }) {
  await conn.query(`CREATE TABLE ${DB}.${TABLE} (${COLUMNS})`);
  const f0 = Date.now();
  await withoutBinlog(conn, () => insertRows(conn, TABLE, 1, opts.rows, 50_000));
  const mysqlDir = projectDir('verify');
  writeMigration(mysqlDir, 'bench-verify-mysql', `${SOURCE}
  destination: { type: mysql, host: ${HOST}, port: ${MYSQL_PORT}, user: root, checkpointDatabase: ${CHECKPOINTS} }
  types: [schema, full]
  objects: [{ database: ${DB}, target: ${DEST}, tables: [{ name: ${TABLE} }] }]
`);
  const topic = `${TOPIC_PREFIX}verify.${tag}`;
  noteTopic(topic);
  const kafkaDir = projectDir('verify');
  writeKafkaSpec(kafkaDir, { name: 'bench-verify-kafka', topic, table: TABLE, types: ['schema', 'full'], format: 'canal-json' });
  ensureOk('mig apply (verify case, MySQL destination)', await mig(mysqlDir, 'verify-copy-mysql', ['apply', '--auto-approve']));
  ensureOk('mig apply (verify case, Kafka)', await mig(kafkaDir, 'verify-copy-kafka', ['apply', '--auto-approve']));
  const got = await topicCount(topic);
  if (got !== opts.rows) throw new Error(`verify case: ${got} messages in ${topic}, expected ${opts.rows}`);
  log(`  verify: ${int(opts.rows)} rows copied to ${DEST}.${TABLE} and to ${topic} in ${fix((Date.now() - f0) / 1000, 1)} s (not measured)`);
  return { opts, log, conn, topic, mysqlDir, kafkaDir, runs: {} };
}

/** A verify run that must find everything equal (exit 0) and have compared every row. */
async function verifyStep(state, dir, label) {
  const r = ensureOk(`mig verify (${label})`, await mig(dir, label, ['verify', '--json']));
  const table = JSON.parse(r.stdout).migrations[0].tables[0];
  if (table.status !== 'equal' || table.sourceRows !== state.opts.rows) throw new Error(`mig verify (${label}): ${JSON.stringify(table).slice(0, 400)}`);
  return r;
}

function steps(state, i) {
  const N = state.opts.rows;
  return {
    'CHECKSUM TABLE': async () =>
      ensureOk('CHECKSUM TABLE', await measure('mariadb', ['--no-defaults', `-h${HOST}`, `-P${MYSQL_PORT}`, '-uroot', '-e', `CHECKSUM TABLE ${DB}.${TABLE}, ${DEST}.${TABLE}`])),
    'mig verify (MySQL)': () => verifyStep(state, state.mysqlDir, `verify-mysql-${i + 1}`),
    'read topic once': async () => {
      const r = ensureOk('read topic once', await measure(process.execPath, [path.join(ROOT, 'bench', 'cases', 'verify-read-topic.mjs'), '--app', state.opts.app, '--brokers', BROKERS.join(','), '--topic', state.topic]));
      const inner = lastJsonLine(r);
      if (inner.messages !== N) throw new Error(`read topic once: ${inner.messages} messages, expected ${N}`);
      return r;
    },
    'mig verify (Kafka)': () => verifyStep(state, state.kafkaDir, `verify-kafka-${i + 1}`),
  };
}

async function run(state, i) {
  await runRotated(steps(state, i), state.runs, i, 'verify', state.log);
}

function summarize({ opts, runs }) {
  const N = opts.rows;
  const fig = Object.fromEntries(Object.keys(steps({ opts }, 0)).map((k) => [k, figure('rows/s', N, runs[k] ?? [])]));
  const ratios = {
    'mig verify (MySQL) / CHECKSUM TABLE': ratio(fig['mig verify (MySQL)'], fig['CHECKSUM TABLE'], runs['mig verify (MySQL)'] ?? [], runs['CHECKSUM TABLE'] ?? []),
    'mig verify (Kafka) / read topic once': ratio(fig['mig verify (Kafka)'], fig['read topic once'], runs['mig verify (Kafka)'] ?? [], runs['read topic once'] ?? []),
  };
  return { rows: N, figures: fig, ratios, errors: errorsOf(runs) };
}

async function teardown({ conn, topic, mysqlDir, kafkaDir }) {
  await conn.query(`DROP TABLE ${DB}.${TABLE}`);
  await conn.query(`DROP DATABASE IF EXISTS ${DEST}; DROP DATABASE IF EXISTS ${CHECKPOINTS}`);
  await deleteTopics([topic]);
  removeDir(mysqlDir);
  removeDir(kafkaDir);
}

function render(f, result) {
  const out = ['', `Verify: ${int(f.rows)} rows of ${DB}.${TABLE} at a MySQL destination and in a 1-partition canal-json topic, ${result.params.runs} runs (rows/s of the source table, whole processes)`];
  out.push(HEAD);
  for (const [k, v] of Object.entries(f.figures)) out.push(rateRow(k, v));
  out.push(...ratioRows(f.ratios));
  out.push('  CHECKSUM TABLE reads the source and the destination table once each on the server; mig verify');
  out.push('  checksums key-range chunks on both servers. Ratios: rate ÷ rate, > 1 means mig verify is faster.');
  out.push(...errorLines(f.errors));
  return out;
}

function rss(f) {
  return [...rssRow(`verify, MySQL destination (${int(f.rows)} rows)`, f.figures['mig verify (MySQL)']), ...rssRow(`verify, Kafka (${int(f.rows)} rows)`, f.figures['mig verify (Kafka)'])];
}

export default { name: 'verify', key: 'verify', setup, run, summarize, teardown, render, rss, aims: () => [] };
