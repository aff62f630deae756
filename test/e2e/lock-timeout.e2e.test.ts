// --lock-timeout with the built binary: an apply finding the state locked by another live process
// fails at once by default, waits for the lock and proceeds once it is released, or gives up after
// the duration naming the holder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { KAFKA_BROKERS, MYSQL_PORT, rootConnection, uniqueName } from '../integration/helpers/env.js';
import { runMig } from './helpers/run-mig.js';
import { killIfRunning, startMig, type BackgroundMig } from './helpers/runner.js';

const db = uniqueName('lockwait');
const name = db.replace(/_/g, '-').slice(0, 63);
const LOCK_ID = '7e1f0c2a-0000-4000-8000-00000000abcd';

let cwd: string;
let conn: Connection;
let waiting: BackgroundMig | undefined;
const lockFile = () => path.join(cwd, '.mig', 'state.json.lock');

/** A lock held by a live process on this host (this test's own): never reclaimed as stale. */
function holdLock(): void {
  mkdirSync(path.join(cwd, '.mig'), { recursive: true });
  writeFileSync(lockFile(), JSON.stringify({ id: LOCK_ID, pid: process.pid, host: hostname(), time: new Date().toISOString(), operation: 'apply' }));
}

beforeAll(async () => {
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-lockwait-'));
  mkdirSync(path.join(cwd, 'migrations.d'));
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.a (id INT PRIMARY KEY)`);
  await conn.query(`INSERT INTO ${db}.a VALUES (1), (2)`);
  writeFileSync(path.join(cwd, 'migrations.d', 'm.yaml'), `apiVersion: mig/v1
kind: Migration
metadata: { name: ${name} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: { type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${db}.all, ddlTopic: ${db}.ddl, format: canal-json }
  objects: [ { database: ${db}, tables: [ { name: a, topic: ${db}.a } ] } ]
`);
});

afterAll(async () => {
  await killIfRunning(waiting);
  await conn?.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn?.end();
});

describe('--lock-timeout', () => {
  it('without it, a held lock fails the apply at once; the fix names the flag', async () => {
    holdLock();
    const started = Date.now();
    const r = await runMig(['apply', '-y'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`is locked by apply (lock id ${LOCK_ID}, pid ${process.pid} on ${hostname()}`);
    expect(r.stderr).toContain('--lock-timeout 5m');
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 60_000);

  it('gives up after the duration, saying whom it waited for and how long', async () => {
    holdLock();
    const started = Date.now();
    const r = await runMig(['apply', '-y', '--lock-timeout', '2s'], { cwd });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain(`The state is locked by apply (pid ${process.pid} on ${hostname()}, lock ${LOCK_ID}`);
    expect(r.stderr).toContain('still held after waiting 2 s (--lock-timeout)');
    expect(r.stderr).toContain(`mig state unlock --force ${LOCK_ID}`);
  }, 60_000);

  it('waits for a lock released meanwhile, then applies', async () => {
    holdLock();
    waiting = startMig(['apply', '-y', '--until-caught-up', '--lock-timeout', '60s'], { cwd });
    await waiting.waitForOutput(/waiting up to 60 s for it/, 30_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(waiting.running()).toBe(true);
    rmSync(lockFile());
    expect((await waiting.exited).code).toBe(0);
    expect(waiting.output()).toMatch(/Apply complete\. State serial \d+\./);
    expect(waiting.output().match(/waiting up to 60 s/g)).toHaveLength(1);
  }, 120_000);
});
