// mig's benchmark (`npm run bench`; scripts/bench.sh builds mig and provides the services): runs each
// chosen case --runs times against baselines measured in the same runs, then reports and writes JSON.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import full from './cases/full.mjs';
import incremental from './cases/incremental.mjs';
import latency from './cases/latency.mjs';
import tablestore from './cases/tablestore.mjs';
import tidb from './cases/tidb.mjs';
import throttle from './cases/throttle.mjs';
import verify from './cases/verify.mjs';
import { assertBuilt, buildDigest, gitDescribe, shown } from './lib/app.mjs';
import { cleanupKafka, connectKafka } from './lib/kafka.mjs';
import { enableProfiles, measuredProfiles, profiles, setVariants } from './lib/mig.mjs';
import { DEFAULTS, parseArgs } from './lib/options.mjs';
import { children, killGroup, resourceUsage, session } from './lib/process.mjs';
import { summarizeProfile } from './lib/profile-summary.mjs';
import { removeAllDirs } from './lib/projects.mjs';
import { aims, int, render, rssSummary } from './lib/report.mjs';
import { BROKERS, DB, dropDatabases, HOST, MYSQL_PORT, sourceConnection } from './lib/services.mjs';
import { MAX_REQUEST_BYTES, MIG_CHUNK } from './cases/full.mjs';
import { INC_BASE_ROWS } from './cases/incremental.mjs';
import { JAVA_PRODUCER } from './lib/java-producer.mjs';
import { SAMPLE_MESSAGES } from './lib/sizing.mjs';

/** In the order they run (and are reported). */
const CASES = [full, incremental, latency, tablestore, tidb, throttle, verify];

async function cleanup(conn) {
  for (const c of [...children]) killGroup(c);
  removeAllDirs();
  if (conn) {
    await conn.query(`DROP DATABASE IF EXISTS ${DB}`).catch((e) => process.stderr.write(`bench: could not drop ${DB}: ${e.message}\n`));
    await dropDatabases(conn).catch((e) => process.stderr.write(`bench: could not drop the TiDB case's databases: ${e.message}\n`));
  }
  await cleanupKafka();
  if (conn) await conn.end().catch(() => undefined);
}

function header(opts, { ver, build, commit, refBuild }) {
  return {
    benchmark: 'mig',
    version: 2,
    date: new Date().toISOString(),
    commit,
    build,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, memoryGB: Math.round(os.totalmem() / 2 ** 30), node: process.version, mariadb: ver, loadAverageAtStart: os.loadavg() },
    params: {
      rows: opts.rows,
      runs: opts.runs,
      formats: opts.formats,
      cases: opts.cases,
      profiled: opts.profile,
      migNodeOptions: opts.nodeOptions,
      reference: opts.refApp ? { build: refBuild, builtFrom: opts.refBuiltFrom ?? null } : null,
      topic: { partitions: 1, compression: 'lz4', acks: 'all' },
      chunkSize: MIG_CHUNK,
      rawProducer: { chunk: MIG_CHUNK, maxRequestBytes: MAX_REQUEST_BYTES, sampleMessages: SAMPLE_MESSAGES },
      javaProducer: { tool: 'org.apache.kafka.tools.ProducerPerformance', acks: 'all', compression: 'lz4', batchSize: JAVA_PRODUCER.batchSize, lingerMs: JAVA_PRODUCER.lingerMs, sampleMessages: SAMPLE_MESSAGES, keys: false },
      incBaseRows: INC_BASE_ROWS,
      latency: { rowsPerSecond: opts.latencyRate, seconds: opts.latencySeconds, warmupSeconds: DEFAULTS.latencyWarmup },
      tablestoreRows: opts.tablestoreRows,
      tidbTransactions: opts.tidbTransactions,
      resourceUsage,
    },
    cases: {},
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  for (const dir of [opts.app, opts.refApp].filter(Boolean)) assertBuilt(dir);
  setVariants(opts);
  const build = buildDigest(opts.app);
  const refBuild = opts.refApp ? buildDigest(opts.refApp) : null;
  const commit = opts.builtFrom ?? gitDescribe();
  if (opts.profile) enableProfiles(path.join(path.dirname(opts.out), 'profiles'));
  const t0 = Date.now();
  const tag = `${process.pid}${Date.now().toString(36)}`;
  const log = (s) => process.stdout.write(`${s}\n`);
  const cases = CASES.filter((c) => opts.cases.includes(c.name));

  let conn;
  const onSignal = async (sig) => {
    if (session.interrupted) return;
    session.interrupted = true;
    process.stderr.write(`\nbench: ${sig}, cleaning up...\n`);
    await cleanup(conn);
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    conn = await sourceConnection();
    await connectKafka(opts.app);
    const [[ver]] = await conn.query('SELECT VERSION() AS v');
    log(`mig benchmark: ${int(opts.rows)} rows, ${opts.runs} runs, formats ${opts.formats.join(', ')}, cases ${opts.cases.join(', ')}; build ${build} (${commit ?? 'n/a'})`);
    log(`  MariaDB ${ver.v} on ${HOST}:${MYSQL_PORT}, Kafka ${BROKERS[0]}; ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; ${resourceUsage} for CPU and RSS`);
    if (profiles.dir) log(`  --profile: mig runs under node --cpu-prof (slower); profiles in ${shown(profiles.dir)}`);
    if (opts.refApp) log(`  reference: mig ref is build ${refBuild} (${opts.refBuiltFrom ?? 'n/a'}), measured next to mig in every run`);
    if (opts.nodeOptions.length > 0) log(`  mig runs with node ${opts.nodeOptions.join(' ')}`);
    await conn.query(`DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB}`);

    const result = header(opts, { ver: ver.v, build, commit, refBuild });
    const ctx = { opts, tag, conn, log };
    for (const c of cases) {
      const state = await c.setup(ctx);
      for (let i = 0; i < opts.runs; i++) await c.run(state, i);
      result.cases[c.key] = c.summarize(state, result);
      await c.teardown?.(state);
    }
    result.totalSeconds = (Date.now() - t0) / 1000;
    result.machine.loadAverageAtEnd = os.loadavg();
    result.rss = rssSummary(result, cases);
    result.aims = aims(result, cases);
    if (profiles.dir) result.profiles = measuredProfiles().map(({ label, file }) => ({ label, file: shown(file), ...summarizeProfile(file, 20) }));

    mkdirSync(path.dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, JSON.stringify(result, null, 2) + '\n');
    log(render(result, cases));
    log(`Results: ${shown(opts.out)}`);
    if (Object.values(result.cases).some((s) => s.errors.length > 0)) process.exitCode = 1;
  } finally {
    if (!session.interrupted) await cleanup(conn);
  }
}

main().catch((e) => {
  process.stderr.write(`bench: ${e.stack ?? e}\n`);
  process.exit(1);
});
