// The Tablestore case of `npm run bench` (--cases tablestore): mig's full load of a table of the
// benchmark's ~200-byte rows into mig's Tablestore test server (dist/test-support/main.js, a
// process of its own, fresh for every step), then the catch-up of binlog events written while mig
// was stopped. The baseline, measured in the same runs against a fresh server too, writes the same
// rows with the SDK's BatchWriteRow directly (bench/baselines/tablestore-baseline.mjs: 200-row requests, as
// many in flight as mig's default concurrency). The test server is in-memory JavaScript, not a
// Tablestore instance: the ratios say how much mig adds over the bare writes it has to make, not
// what a real instance sustains.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SERVER_MAIN = path.join(ROOT, 'dist', 'test-support', 'main.js');
const TableStore = createRequire(path.join(ROOT, 'package.json'))('tablestore');
/** mig's defaults for the destination, which the baseline matches. */
const CONCURRENCY = 8;
const BATCH = 200;
const TABLE = 't_ts';

/** Starts a test server process; resolves with its JSON line (endpoint, instance, keys) and the child. */
function startServer(ctx) {
  if (!existsSync(SERVER_MAIN)) throw new Error(`${SERVER_MAIN} is missing: run npm run build (it builds the test server)`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVER_MAIN, '--port', '0'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    ctx.children.add(child);
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ info: JSON.parse(out.slice(0, nl)), child });
    });
    child.on('exit', (code) => {
      ctx.children.delete(child);
      reject(new Error(`Tablestore test server exited (${code}) before listening: ${err}`));
    });
  });
}

function stopServer(ctx, server) {
  ctx.killGroup(server.child);
  ctx.children.delete(server.child);
}

/** Rows in a table of the server, read back with GetRange through the SDK. */
async function countRows(info, table) {
  const client = new TableStore.Client({ endpoint: info.endpoint, instancename: info.instance, accessKeyId: info.accessKeyId, secretAccessKey: info.accessKeySecret, maxRetries: 0 });
  let start = [{ id: TableStore.INF_MIN }];
  let n = 0;
  while (start) {
    const res = await client.getRange({ tableName: table, direction: TableStore.Direction.FORWARD, inclusiveStartPrimaryKey: start, exclusiveEndPrimaryKey: [{ id: TableStore.INF_MAX }], columnsToGet: ['a'] });
    n += res.rows.length;
    start = res.nextStartPrimaryKey ? res.nextStartPrimaryKey.map((c) => ({ [c.name]: c.value })) : null;
  }
  return n;
}

function writeSpec(ctx, dir, name, info) {
  // The spec takes its keys by reference; mig inherits them from this process's environment.
  process.env.MIG_BENCH_TS_KEY_ID = info.accessKeyId;
  process.env.MIG_BENCH_TS_KEY_SECRET = info.accessKeySecret;
  writeFileSync(
    path.join(dir, 'migrations.d', `${name}.yaml`),
    `apiVersion: mig/v1
kind: Migration
metadata:
  name: ${name}
  description: benchmark run (bench/tablestore.mjs)
spec:
  source: { type: mariadb, host: ${ctx.HOST}, port: ${ctx.MYSQL_PORT}, user: root }
  destination:
    type: tablestore
    endpoint: ${info.endpoint}
    instance: ${info.instance}
    accessKeyId: \${env:MIG_BENCH_TS_KEY_ID}
    accessKeySecret: \${env:MIG_BENCH_TS_KEY_SECRET}
    concurrency: ${CONCURRENCY}
  types: [schema, full, incremental]
  objects:
    - database: ${ctx.DB}
      tables: [{ name: ${TABLE} }]
`,
  );
}

/** Binlog events for the catch-up: 90% new rows (1000 per INSERT), 10% updates (100 rows per UPDATE). */
async function writeEvents(ctx, conn, rows, events) {
  const updates = Math.floor(events / 10);
  const inserts = events - updates;
  await ctx.insertRows(conn, TABLE, rows + 1, inserts, 1000);
  for (let id = 1; id <= updates; id += 100) await conn.query(`UPDATE ${ctx.DB}.${TABLE} SET n = n + 1 WHERE id BETWEEN ? AND ?`, [id, Math.min(updates, id + 99)]);
  return { inserts, updates };
}

/** Puts the table back to its `rows` rows, outside the binlog (the next run's snapshot is the same size). */
async function resetTable(ctx, conn, rows) {
  await conn.query('SET SESSION sql_log_bin = 0');
  await conn.query(`DELETE FROM ${ctx.DB}.${TABLE} WHERE id > ?`, [rows]);
  await conn.query('SET SESSION sql_log_bin = 1');
}

export async function tablestoreCase(opts, ctx, conn, log) {
  const N = opts.tablestoreRows;
  const E = Math.floor(N / 2);
  const t0 = Date.now();
  await conn.query(`DROP TABLE IF EXISTS ${ctx.DB}.${TABLE}; CREATE TABLE ${ctx.DB}.${TABLE} (${ctx.COLUMNS})`);
  await conn.query('SET SESSION sql_log_bin = 0');
  await ctx.insertRows(conn, TABLE, 1, N, 50_000);
  await conn.query('SET SESSION sql_log_bin = 1');
  log(`  filled ${ctx.DB}.${TABLE} with ${ctx.int(N)} rows in ${ctx.fix((Date.now() - t0) / 1000, 1)} s`);
  const runs = {};
  let split = { inserts: 0, updates: 0 };
  const steps = (i) => ({
    'mig tablestore': async () => {
      const server = await startServer(ctx);
      const dir = ctx.projectDir('ts');
      const name = `bench-ts-${i}`;
      try {
        writeSpec(ctx, dir, name, server.info);
        const load = ctx.ensureOk('mig apply (Tablestore full load)', await ctx.mig(dir, `ts-full-${i + 1}`, ['apply', '--auto-approve']));
        const loaded = await countRows(server.info, TABLE);
        if (loaded !== N) throw new Error(`mig full load: ${loaded} rows in Tablestore, expected ${N}\n${load.stdout}`);
        split = await writeEvents(ctx, conn, N, E);
        const catchUp = ctx.ensureOk('mig apply --until-caught-up (Tablestore)', await ctx.mig(dir, `ts-inc-${i + 1}`, ['apply', '--auto-approve', '--until-caught-up']));
        const after = await countRows(server.info, TABLE);
        if (after !== N + split.inserts) throw new Error(`mig catch-up: ${after} rows in Tablestore, expected ${N + split.inserts}`);
        const phase = (r, a, b) => (r.marks[b] !== undefined && r.marks[a] !== undefined ? r.marks[b] - r.marks[a] : NaN);
        return { ...load, phaseSeconds: phase(load, 'fullStart', 'fullDone'), catchUp: { ...catchUp, phaseSeconds: phase(catchUp, 'streamStart', 'caughtUp') } };
      } finally {
        stopServer(ctx, server);
        ctx.removeDir(dir);
        await resetTable(ctx, conn, N);
      }
    },
    'SDK BatchWriteRow': async () => {
      const server = await startServer(ctx);
      try {
        const args = ['--server', JSON.stringify(server.info), '--mysql-port', String(ctx.MYSQL_PORT), '--table', `${ctx.DB}.${TABLE}`, '--target', TABLE, '--batch', String(BATCH), '--concurrency', String(CONCURRENCY)];
        const r = ctx.ensureOk('SDK BatchWriteRow baseline', await ctx.measure(process.execPath, [path.join(ROOT, 'bench', 'baselines', 'tablestore-baseline.mjs'), ...args]));
        const inner = JSON.parse(r.stdout.trim().split('\n').pop());
        const written = await countRows(server.info, TABLE);
        if (written !== N) throw new Error(`baseline: ${written} rows in Tablestore, expected ${N}`);
        return { ...r, sendSeconds: inner.sendSeconds, requests: inner.requests };
      } finally {
        stopServer(ctx, server);
      }
    },
  });
  for (let i = 0; i < opts.runs; i++) {
    const s = steps(i);
    await ctx.runSteps(s, ctx.rotate(Object.keys(s), i), runs, i, 'tablestore', log);
  }
  const mRuns = runs['mig tablestore'] ?? [];
  const bRuns = runs['SDK BatchWriteRow'] ?? [];
  const cRuns = mRuns.map((r) => (r && !r.error ? r.catchUp : r));
  const phase = (r) => r.phaseSeconds;
  const sends = (r) => r.sendSeconds;
  const figures = {
    mig: ctx.figure('rows/s', N, mRuns),
    migPhase: ctx.figure('rows/s', N, mRuns, { pick: phase, whole: false }),
    catchUp: ctx.figure('events/s', E, cRuns),
    catchUpPhase: ctx.figure('events/s', E, cRuns, { pick: phase, whole: false }),
    sdk: ctx.figure('rows/s', N, bRuns),
    sdkSends: ctx.figure('rows/s', N, bRuns, { pick: sends, whole: false }),
  };
  const ratios = {
    'mig full phase / SDK BatchWriteRow sends': ctx.ratio(figures.migPhase, figures.sdkSends, mRuns, bRuns, phase, sends),
    'mig apply / SDK baseline (whole processes)': ctx.ratio(figures.mig, figures.sdk, mRuns, bRuns),
    // Events and rows differ in number: per-run ratios of rates, not of seconds.
    'mig catch-up phase / SDK BatchWriteRow sends': ctx.ratio(figures.catchUpPhase, figures.sdkSends, cRuns, bRuns, (r) => phase(r) / E, (r) => sends(r) / N),
  };
  return { rows: N, events: E, inserts: split.inserts, updates: split.updates, batch: BATCH, concurrency: CONCURRENCY, figures, ratios, errors: ctx.errorsOf(runs) };
}

export function renderTablestore(t, runs, ctx) {
  const out = ['', `Tablestore: ${ctx.int(t.rows)} rows into mig's test server (a process, in-memory), then ${ctx.int(t.events)} binlog events (${ctx.int(t.inserts)} inserted rows, ${ctx.int(t.updates)} updated), ${runs} runs`];
  out.push(`  baseline: the same rows with the SDK's BatchWriteRow, ${t.batch}-row requests, ${t.concurrency} in flight (mig's concurrency)`);
  out.push(ctx.HEAD);
  out.push(ctx.rateRow('mig apply, full load (whole process)', t.figures.mig));
  out.push(ctx.rateRow('mig full-load phase', t.figures.migPhase));
  out.push(ctx.rateRow('mig apply --until-caught-up (process)', t.figures.catchUp));
  out.push(ctx.rateRow('mig streaming phase', t.figures.catchUpPhase));
  out.push(ctx.rateRow('SDK BatchWriteRow (whole process)', t.figures.sdk));
  out.push(ctx.rateRow('SDK BatchWriteRow (sends only)', t.figures.sdkSends));
  for (const [k, r] of Object.entries(t.ratios)) out.push(ctx.ratioRow(k, r));
  out.push('  The server is JavaScript on the same cores: it bounds both sides, so read the ratios, not the rates.');
  for (const e of t.errors) out.push(`  ERROR run ${e.run} ${e.step}: ${e.error.split('\n')[0]}`);
  return out;
}
