// spec.alerts end to end (issue 14): the built mig POSTs alert bodies to a webhook receiver this test
// runs on 127.0.0.1, which records them. It runs a MariaDB and a Kafka broker of its own
// (helpers/private-services.ts), since the failure case stops Kafka for good.
//   a. lag: a burst of row changes through a low incremental throttle puts the stream behind; lag
//      stays over thresholdSeconds for forSeconds → a firing lag alert; once the backlog is written
//      and lag is back under → resolved.
//   b. failure: Kafka stopped with a retry window shorter than the outage, so apply gives up and
//      exits 1 → a firing failure alert with the error's code and message, sent before the exit;
//      Kafka started again and apply run again → the next process resolves it once it streams.
// The webhook URL is a secret (${env:…}): its path never appears in mig's output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { privateServices, type PrivateServices } from './helpers/private-services.js';
import { killIfRunning, sleep, startMig, waitUntil, type BackgroundMig } from './helpers/runner.js';
import { fillLoadTable, LOAD_TABLE_COLUMNS, startWriteLoad, type WriteLoad } from './helpers/write-load.js';

/** The webhook's path: what makes a real webhook URL a credential. */
const SECRET_PATH = '/hooks/T0ALERTS/s3cr3t-w3bh00k-t0k3n';

interface Received {
  path: string;
  at: number;
  body: AlertBody;
}

interface AlertBody {
  status: 'firing' | 'resolved';
  alert: { name: string; on: 'failure' | 'lag' };
  migration: string;
  labels: Record<string, string>;
  what: string;
  value: { lagSeconds?: number; code?: string; message?: string; fix?: string };
  threshold: { seconds: number; forSeconds: number } | null;
  startsAt: string;
  at: string;
  text: string;
}

let services: PrivateServices;
let conn: Connection;
let receiver: Server;
let hookUrl: string;
const received: Received[] = [];
const migs: BackgroundMig[] = [];
const loads: WriteLoad[] = [];
const extraConns: Connection[] = [];

beforeAll(async () => {
  services = await privateServices('mig-alerts-');
  const ms = await services.start(['mariadb', 'kafka']);
  console.log(`alerts: private MariaDB (port ${services.mysqlPort}) and Kafka (port ${services.kafkaPort}) started in ${(ms / 1000).toFixed(1)} s`);
  conn = await services.mysqlConnection();
  receiver = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', at: Date.now(), body: JSON.parse(text) as AlertBody });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}${SECRET_PATH}`;
});

afterAll(async () => {
  for (const l of loads) await l.stop().catch(() => undefined);
  for (const m of migs) await killIfRunning(m);
  for (const c of [...extraConns, conn]) await c?.end().catch(() => undefined);
  await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
  await services?.cleanup();
});

/** A project with one Kafka migration of a fresh load table; `extra` is spec lines (two-space indented). */
async function project(name: string, extra: string, rows: number): Promise<{ cwd: string; db: string }> {
  const db = `${name.replace(/-/g, '_')}_${Date.now().toString(36)}`;
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.t (${LOAD_TABLE_COLUMNS})`);
  await fillLoadTable(conn, `${db}.t`, rows);
  const cwd = mkdtempSync(path.join(tmpdir(), `mig-${name}-`));
  mkdirSync(path.join(cwd, 'migrations.d'));
  writeFileSync(path.join(cwd, 'migrations.d', `${name}.yaml`), `apiVersion: mig/v1
kind: Migration
metadata:
  name: ${name}
  labels: { env: e2e, team: data }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${services.mysqlPort}, user: root }
  destination: { type: kafka, brokers: ${JSON.stringify(services.kafkaBrokers)}, topic: ${db}.t, ddlTopic: ${db}.ddl, format: canal-json }
${extra}  objects:
    - database: ${db}
      tables: [{ name: t }]
`);
  return { cwd, db };
}

function follow(cwd: string, env: Record<string, string> = {}): BackgroundMig {
  const m = startMig(['apply', '--auto-approve', '--follow'], { cwd, env: { ALERT_WEBHOOK: hookUrl, ...env } });
  migs.push(m);
  return m;
}

async function steadyLoad(db: string, rows: number, perSecond: number, seed: number): Promise<WriteLoad> {
  const c = await services.mysqlConnection();
  extraConns.push(c);
  const rowsMap = new Map<number, number>();
  for (let id = 1; id <= rows; id++) rowsMap.set(id, 0);
  const l = startWriteLoad(c, { tables: [{ table: `${db}.t`, rows: rowsMap, nextId: rows + 1 }], perSecond, insertShare: 0, deleteShare: 0, seed });
  loads.push(l);
  return l;
}

function bodiesOf(migration: string): AlertBody[] {
  return received.filter((r) => r.body.migration === migration).map((r) => r.body);
}

/** Prints the bodies received for `migration`, from the `from`th on (the closing note quotes them). */
function show(migration: string, from = 0): void {
  for (const r of received.filter((x) => x.body.migration === migration).slice(from)) console.log(`alerts: ${migration}: received at ${new Date(r.at).toISOString()}:\n${JSON.stringify(r.body, null, 2)}`);
}

describe('a lag alert', () => {
  it('fires once lag stays over the threshold for forSeconds, and is resolved once the stream caught up', async () => {
    const name = 'alerts-lag';
    const ROWS = 400;
    const { cwd, db } = await project(name, `  throttle: { incremental: { rowsPerSecond: 40 } }
  alerts:
    - { on: lag, name: behind, thresholdSeconds: 3, forSeconds: 2, webhook: "\${env:ALERT_WEBHOOK}" }
`, ROWS);
    // A steady trickle well under the throttle keeps lag low (a quiet source's lag would grow).
    const load = await steadyLoad(db, ROWS, 4, 7);
    const mig = follow(cwd);
    await mig.waitForOutput(/: streaming from /, 90_000);
    await sleep(5000);
    expect(bodiesOf(name), mig.output()).toEqual([]);
    // One statement changing every row: ROWS changes the throttle lets through in ROWS/40 = 10 s.
    const burstAt = Date.now();
    await conn.query(`UPDATE ${db}.t SET note = 'burst'`);
    await waitUntil('a resolved lag alert', 90_000, () => (bodiesOf(name).some((b) => b.status === 'resolved') ? true : undefined), 250);
    await sleep(3000);
    await load.stop();
    show(name);
    const got = bodiesOf(name);
    expect(got.map((b) => b.status), mig.output()).toEqual(['firing', 'resolved']);
    const [firing, resolved] = got as [AlertBody, AlertBody];
    expect(firing).toMatchObject({ alert: { name: 'behind', on: 'lag' }, labels: { env: 'e2e', team: 'data' }, threshold: { seconds: 3, forSeconds: 2 } });
    expect(firing.value.lagSeconds).toBeGreaterThan(3);
    expect(Date.parse(firing.at) - Date.parse(firing.startsAt)).toBeGreaterThanOrEqual(2000);
    expect(Date.parse(firing.startsAt)).toBeGreaterThanOrEqual(burstAt - 1000);
    expect(firing.text).toMatch(/^\[FIRING\] behind \(env=e2e, team=data\): alerts-lag is [\d.]+ s behind its source/);
    expect(resolved.value.lagSeconds).toBeLessThanOrEqual(3);
    expect(resolved.startsAt).toBe(firing.startsAt);
    expect(resolved.text).toMatch(/^\[RESOLVED\] behind \(env=e2e, team=data\): alerts-lag is back to [\d.]+ s behind/);
    expect(received.filter((r) => r.body.migration === name).every((r) => r.path === SECRET_PATH)).toBe(true);
    await mig.waitForOutput(/alert behind resolved: sent to/, 10_000);
    const out = mig.output();
    expect(out).toMatch(/alert behind firing: sent to http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/alert behind resolved: sent to/);
    expect(out).not.toContain(SECRET_PATH);
    mig.child.kill('SIGTERM');
    expect(await mig.exited).toEqual({ code: 0, signal: null });
  });
});

describe('a failure alert', () => {
  it('fires when apply gives up after its retry window, and is delivered before mig exits 1', async () => {
    const name = 'alerts-failure';
    const ROWS = 100;
    const { cwd, db } = await project(name, `  retry: { connectionMinutes: 10 }
  alerts:
    - { on: failure, webhook: "\${env:ALERT_WEBHOOK}" }
`, ROWS);
    // A minute of a retry window is 500 ms here: connectionMinutes 10 is a 5 s window.
    const mig = follow(cwd, { MIG_RETRY_MINUTE_MS: '500' });
    await mig.waitForOutput(/: streaming from /, 90_000);
    // Changes keep coming, so the lost broker is noticed at once.
    const load = await steadyLoad(db, ROWS, 20, 11);
    await sleep(2000);
    await services.stop('kafka');
    // The Kafka client's own retries (~20 s) come before the engine sees the first failure.
    const exit = await Promise.race([mig.exited, sleep(60_000).then(() => 'still running' as const)]);
    await load.stop();
    show(name);
    const out = mig.output();
    expect(exit, out).toEqual({ code: 1, signal: null });
    const got = bodiesOf(name);
    expect(got.map((b) => b.status), out).toEqual(['firing']);
    const f = got[0]!;
    expect(f).toMatchObject({ alert: { name: 'failure', on: 'failure' }, migration: name, labels: { env: 'e2e', team: 'data' }, threshold: null });
    expect(f.value.code).toMatch(/\S/);
    expect(f.value.message).toMatch(/\S/);
    // The same error mig printed as it exited.
    expect(out).toContain(`Error: ${f.value.message!.split(' ').slice(0, 4).join(' ')}`);
    expect(f.text).toBe(`[FIRING] failure (env=e2e, team=data): ${f.what}`);
    expect(out).toMatch(/alert failure firing: sent to http:\/\/127\.0\.0\.1:\d+/);
    expect(out).not.toContain(SECRET_PATH);

    // Kafka back and apply run again: the state says the last run failed, so this process resolves
    // the alert the previous one sent once it streams.
    await services.startAgain('kafka');
    const again = follow(cwd);
    await again.waitForOutput(/: streaming from /, 90_000);
    await waitUntil('a resolved failure alert', 30_000, () => (bodiesOf(name).some((b) => b.status === 'resolved') ? true : undefined), 250);
    show(name, 1);
    const all = bodiesOf(name);
    expect(all.map((b) => b.status), again.output()).toEqual(['firing', 'resolved']);
    expect(all[1]).toMatchObject({ alert: { name: 'failure', on: 'failure' }, value: { code: f.value.code } });
    // When it failed, as the state recorded it (a few ms before the first process sent its alert).
    expect(Math.abs(Date.parse(all[1]!.startsAt) - Date.parse(f.startsAt))).toBeLessThan(1000);
    expect(all[1]!.text).toMatch(new RegExp(`^\\[RESOLVED\\] failure \\(env=e2e, team=data\\): ${name} is running again, .* after it failed \\(${f.value.code}\\)$`));
    // The webhook has the body before mig has the response and prints its line.
    await again.waitForOutput(/alert failure resolved: sent to/, 10_000);
    again.child.kill('SIGTERM');
    expect(await again.exited).toEqual({ code: 0, signal: null });
  });
});
