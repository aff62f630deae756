// /metrics from the built binary, scraped as Prometheus would: during a throttled full load (rows
// copied strictly between 0 and the table's size), then after the load and some streamed changes,
// where every counter must equal what `mig status --json` reports from the state. Then the flag's
// wiring at its edges: mig run serves it too, the server never holds a finished command open, and a
// port in use fails the command before it does anything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { KAFKA_BROKERS, MYSQL_PORT, rootConnection, uniqueName } from '../integration/helpers/env.js';
import { parseExposition, samples, sample, type Exposition } from '../support/exposition.js';
import { runMig } from './helpers/run-mig.js';
import { isObject, killIfRunning, startMig, statusJson, statusOfMigration, waitUntil, type BackgroundMig, type JsonObject } from './helpers/runner.js';

const ROWS = 100_000;
// Throttled so the load takes about four seconds whatever the machine: long enough to scrape it mid-way.
const ROWS_PER_SECOND = 25_000;
const CHANGES = 30;
const NAME = 'metrics-load';
const db = uniqueName('metrics');
const table = `${db}.items`;
let cwd: string;
let conn: Connection;
let apply: BackgroundMig | undefined;

beforeAll(async () => {
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-metrics-'));
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.items (id INT PRIMARY KEY, label VARCHAR(40), n INT)`);
  for (let start = 0; start < ROWS; start += 10_000) {
    const rows = Array.from({ length: 10_000 }, (_, i) => [start + i + 1, `item ${start + i + 1}`, (start + i) % 101]);
    await conn.query(`INSERT INTO ${db}.items VALUES ?`, [rows]);
  }
  // information_schema's estimate is what the copy starts from; make it current.
  await conn.query(`ANALYZE TABLE ${db}.items`);
  mkdirSync(path.join(cwd, 'migrations.d'));
  writeFileSync(path.join(cwd, 'migrations.d', 'load.yaml'), `apiVersion: mig/v1
kind: Migration
metadata:
  name: ${NAME}
  labels: { env: e2e, team: data }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: { type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${db}.items, format: canal-json }
  full: { chunkSize: 2000 }
  throttle:
    full: { rowsPerSecond: ${ROWS_PER_SECOND} }
  objects:
    - database: ${db}
      tables: [{ name: items }]
`);
});

afterAll(async () => {
  await killIfRunning(apply);
  await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.end();
});

async function scrape(url: string): Promise<Exposition> {
  const r = await fetch(url);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(await r.text());
}

const LABELS = { migration: NAME, env: 'e2e', team: 'data' };

/** The migration's non-zero series, for the log. */
const excerpt = (text: string) => text.split('\n').filter((l) => l.startsWith('mig_') && !l.endsWith(' 0')).join('\n');

/** The newest progress reading apply --json wrote for the migration. */
function lastProgress(output: string): { rows: { copied: number }; events: Record<'read' | 'written' | 'filtered' | 'skipped', number>; lag: { seconds: number | null } } | undefined {
  const lines = output.split('\n').filter((l) => l.startsWith('{') && l.includes('"type":"progress"'));
  for (const l of lines.reverse()) {
    try {
      const e = JSON.parse(l) as { migration?: string; progress?: ReturnType<typeof lastProgress> };
      if (e.migration === NAME && e.progress) return e.progress;
    } catch {
      // a line cut where stderr interleaved: the one before serves
    }
  }
  return undefined;
}

/** `mig status --json`'s counters for the migration: events if it reports them, else the written count it had before. */
function statusCounters(s: JsonObject): { rowsCopied: number; written: number; events?: JsonObject } {
  const m = statusOfMigration(s, NAME);
  if (!m) throw new Error(`mig status --json has no ${NAME}: ${JSON.stringify(s)}`);
  const t = Array.isArray(m.tables) ? m.tables.filter(isObject).find((x) => x.table === table) : undefined;
  const events = isObject(m.events) ? m.events : undefined;
  return { rowsCopied: Number(t?.rowsCopied), written: Number(events ? events.written : m.eventsStreamed), ...(events ? { events } : {}) };
}

describe('mig apply --metrics-port', () => {
  it('serves the load as it happens, and the same numbers as mig status once it streams', async () => {
    // --json: apply's own reading of the run (its progress events) is the third one compared below.
    apply = startMig(['apply', '--auto-approve', '--follow', '--metrics-port', '0', '--json'], { cwd });
    await apply.waitForOutput(/metrics at http:\/\/127\.0\.0\.1:\d+\/metrics/, 60_000);
    const url = /metrics at (http:\/\/\S+)/.exec(apply.output())![1]!;

    // During the load: some rows copied, not all; the estimate, the phase and the runner's status with them.
    let text = '';
    const during = await waitUntil('a scrape during the load', 60_000, async () => {
      const s = await scrape(url);
      const copied = samples(s, 'mig_rows_copied_total').find((x) => x.labels.table === table);
      // Past the first chunk, so the excerpt below shows a load under way.
      if (!copied || copied.value < ROWS / 4 || copied.value >= ROWS) return undefined;
      text = await (await fetch(url)).text();
      return s;
    }, 100);
    const copiedDuring = sample(during, 'mig_rows_copied_total', { ...LABELS, table });
    expect(copiedDuring).toBeGreaterThan(0);
    expect(copiedDuring).toBeLessThan(ROWS);
    expect(sample(during, 'mig_rows_estimated', { ...LABELS, table })).toBeGreaterThan(ROWS / 2);
    expect(sample(during, 'mig_table_phase', { ...LABELS, table, phase: 'full' })).toBe(1);
    expect(sample(during, 'mig_runner_status', { ...LABELS, status: 'loading' })).toBe(1);
    expect(sample(during, 'mig_throttle_full_rows_per_second', LABELS)).toBe(ROWS_PER_SECOND);
    expect(sample(during, 'mig_retrying', LABELS)).toBe(0);
    expect(sample(during, 'mig_run_failures_total', LABELS)).toBe(0);
    for (const name of ['process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) expect(during.types.has(name), name).toBe(true);
    console.log(`mid-load scrape: ${copiedDuring} of ${ROWS} rows copied\n${excerpt(text)}`);

    // After the load, some changes streamed.
    // Streaming once the runner says so: the metrics themselves, not the wording of the output.
    await waitUntil('the migration to stream', 120_000, async () => (sample(await scrape(url), 'mig_runner_status', { ...LABELS, status: 'streaming' }) === 1 ? true : undefined), 250);
    for (let i = 1; i <= CHANGES; i++) await conn.query(`UPDATE ${db}.items SET n = n + 1 WHERE id = ?`, [i]);
    const after = await waitUntil('apply, the metrics and mig status to agree on the streamed changes', 60_000, async () => {
      const [s, st] = [await scrape(url), await statusJson(cwd)];
      const c = statusCounters(st);
      const written = sample(s, 'mig_change_events_total', { ...LABELS, kind: 'written' });
      const own = lastProgress(apply!.output());
      return written >= CHANGES && c.written === written && own?.events.written === written ? { s, c, own } : undefined;
    }, 250);
    const { s, c, own } = after;
    // The three readings of one run: apply's --json progress event, mig status --json, /metrics.
    const kinds = ['read', 'written', 'filtered', 'skipped'] as const;
    const readings = {
      apply: { rowsCopied: own.rows.copied, ...own.events, lagSeconds: own.lag.seconds },
      status: { rowsCopied: c.rowsCopied, ...Object.fromEntries(kinds.map((k) => [k, Number(c.events?.[k])])) },
      metrics: { rowsCopied: sample(s, 'mig_rows_copied_total', { ...LABELS, table }), ...Object.fromEntries(kinds.map((k) => [k, sample(s, 'mig_change_events_total', { ...LABELS, kind: k })])), lagSeconds: samples(s, 'mig_lag_seconds').find((x) => x.labels.migration === NAME)?.value },
    };
    console.log(`three readings of one run:\n${JSON.stringify(readings, null, 1)}`);
    for (const k of kinds) {
      expect(readings.apply[k], k).toBe(readings.metrics[k]);
      expect(readings.status[k], k).toBe(readings.metrics[k]);
    }
    expect(readings.apply.rowsCopied).toBe(ROWS);
    expect(sample(s, 'mig_rows_copied_total', { ...LABELS, table })).toBe(ROWS);
    expect(c.rowsCopied).toBe(ROWS);
    if (c.events) for (const kind of ['read', 'written', 'filtered', 'skipped']) expect(sample(s, 'mig_change_events_total', { ...LABELS, kind }), kind).toBe(Number(c.events[kind]));
    expect(sample(s, 'mig_table_phase', { ...LABELS, table, phase: 'incremental' })).toBe(1);
    expect(sample(s, 'mig_runner_status', { ...LABELS, status: 'streaming' })).toBe(1);
    expect(samples(s, 'mig_lag_seconds').filter((x) => x.labels.migration === NAME)).toHaveLength(1);
    console.log(`after the load and ${CHANGES} changes:\n${excerpt(await (await fetch(url)).text())}`);

    apply.child.kill('SIGTERM');
    const exit = await apply.exited;
    expect(exit.code, apply.output()).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
  });

  it('mig run serves it too, and a command that ends is not held open by it', async () => {
    const run = await runMig(['run', NAME, '--until-caught-up', '--metrics-port', '0'], { cwd });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout + run.stderr).toMatch(/metrics at http:\/\/127\.0\.0\.1:\d+\/metrics/);
    const again = await runMig(['apply', '--auto-approve', '--until-caught-up', '--metrics-port', '0'], { cwd });
    expect(again.code, again.stdout + again.stderr).toBe(0);
  });

  it('a port in use fails the command before it does anything, with the fix', async () => {
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as AddressInfo).port;
    try {
      const r = await runMig(['apply', '--auto-approve', '--until-caught-up', '--metrics-port', String(port)], { cwd });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`Error: the metrics server cannot listen on 127.0.0.1:${port}: the port is in use`);
      expect(r.stderr).toContain('Fix: stop what listens there');
      expect(r.stdout).toBe('');
    } finally {
      await new Promise<void>((r) => busy.close(() => r()));
    }
  });
});
