// What a CI job sees when a runner cannot do what apply recorded: the source user lacks the grant on
// mig_meta that the backfill's watermarks need. The precheck refuses the plan up front; a generation
// recorded while the grant was there and revoked before the runner got to it fails in the runner, and
// `apply --wait` exits 1 with the runner's own error, which status shows too. Once granted, the next
// generation makes the runner retry at once and the backfill completes. Also: `plan` while a runner
// streams, `plan --replace` of an unknown table, and `apply --detach --wait` with no runner.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { rootConnection, uniqueName, MYSQL_PORT } from '../integration/helpers/env.js';
import { runMig } from './helpers/run-mig.js';
import { dump } from './helpers/tidb.js';
import { killIfRunning, leaseHolderPid, sleep, startMig, statusJson, statusOfMigration, waitUntil, type BackgroundMig } from './helpers/runner.js';
import { readMigState } from './helpers/backfill.js';

const SRC = uniqueName('rbesrc');
const DST = uniqueName('rbedst');
const CP = uniqueName('rbecp');
const NAME = SRC.replace(/_/g, '-').slice(0, 63);
const USER = uniqueName('rbeu').slice(0, 32);
const SECRET = 'rbe-Secret-1';
const ACCOUNT = `'${USER}'@'127.0.0.1'`;
const WATERMARK_GRANT = 'CREATE, INSERT, UPDATE, SELECT ON mig_meta.*';
const env = { RBE_DB_PASSWORD: SECRET };
let cwd: string;
let conn: Connection;

function spec(tables: string[]): string {
  return `apiVersion: mig/v1
kind: Migration
metadata: { name: ${NAME} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: ${USER}, password: "\${env:RBE_DB_PASSWORD}" }
  destination: { type: mysql, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root, checkpointDatabase: ${CP} }
  full: { chunkSize: 200 }
  objects:
    - database: ${SRC}
      target: ${DST}
      tables:
${tables.map((t) => `        - name: ${t}\n`).join('')}`;
}
const specFile = () => path.join(cwd, 'migrations.d', 'rbe.yaml');
const state = () => readMigState(cwd, NAME);
const mig = (args: string[]) => runMig(args, { cwd, env });

beforeAll(async () => {
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-rbe-'));
  mkdirSync(path.join(cwd, 'migrations.d'));
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${SRC}`);
  for (const t of ['a', 'c', 'd']) {
    await conn.query(`CREATE TABLE ${SRC}.${t} (id INT PRIMARY KEY, v VARCHAR(20))`);
    await conn.query(`INSERT INTO ${SRC}.${t} VALUES ?`, [Array.from({ length: 1000 }, (_, i) => [i + 1, `${t} ${i + 1}`])]);
  }
  // What a binlog migration needs on the source, and SELECT on the migrated database only: nothing on mig_meta.
  await conn.query(`CREATE USER ${ACCOUNT} IDENTIFIED BY '${SECRET}'`);
  await conn.query(`GRANT RELOAD, REPLICATION SLAVE, REPLICATION CLIENT, BINLOG MONITOR ON *.* TO ${ACCOUNT}`);
  await conn.query(`GRANT SELECT ON ${SRC}.* TO ${ACCOUNT}`);
  writeFileSync(specFile(), spec(['a']));
});

afterAll(async () => {
  await conn?.query(`DROP DATABASE IF EXISTS ${SRC}; DROP DATABASE IF EXISTS ${DST}; DROP DATABASE IF EXISTS ${CP}`);
  await conn?.query(`DROP USER IF EXISTS ${ACCOUNT}`);
  await conn?.end();
});

describe('runner errors reach apply --wait and status', () => {
  it('a missing mig_meta grant: refused by the precheck, or failed in the runner and reported; granted, the backfill completes', { timeout: 150_000 }, async () => {
    const first = await mig(['apply', '--auto-approve', '--until-caught-up']);
    expect(first.code, first.stdout + first.stderr).toBe(0);

    let runner: BackgroundMig | undefined = startMig(['run', NAME], { cwd, env });
    let waiting: BackgroundMig | undefined;
    onTestFinished(async () => {
      await killIfRunning(runner);
      await killIfRunning(waiting);
    });
    const holds = async (pid: number) => (leaseHolderPid(statusOfMigration(await statusJson(cwd, ['--offline'], env), NAME)) === pid ? true : undefined);
    await waitUntil('the runner to hold the lease', 30_000, () => holds(runner!.pid));

    // The grant is checked before anything is recorded.
    writeFileSync(specFile(), spec(['a', 'c']));
    const generation = state().generation;
    const refused = await mig(['apply', '--auto-approve', '--wait', '60s']);
    const refusedOut = refused.stdout + refused.stderr;
    console.log(`runner errors: apply without the mig_meta grant exited ${refused.code}`);
    expect(refused.code, refusedOut).toBe(1);
    expect(refusedOut).toMatch(/mig_meta/);
    expect(refusedOut).toMatch(/GRANT .*mig_meta/);
    expect(state().generation).toBe(generation);
    expect(runner.running(), runner.output()).toBe(true);

    // A generation recorded with the grant in place, revoked before the runner gets to it: the runner's
    // fresh connections lack it, so the watermark write fails there, and apply --wait reports that.
    runner.child.kill('SIGTERM');
    await runner.exited;
    runner = undefined;
    await conn.query(`GRANT ${WATERMARK_GRANT} TO ${ACCOUNT}`);
    waiting = startMig(['apply', '--auto-approve', '--detach', '--wait', '60s'], { cwd, env });
    await waiting.waitForOutput(/Waiting up to/, 60_000);
    await conn.query(`REVOKE ${WATERMARK_GRANT} FROM ${ACCOUNT}`);
    const failStart = Date.now();
    runner = startMig(['run', NAME], { cwd, env });
    const waited = await Promise.race([waiting.exited, sleep(70_000).then(() => 'timeout' as const)]);
    const waitedOut = waiting.output();
    console.log(`runner errors: apply --wait returned ${JSON.stringify(waited)} ${((Date.now() - failStart) / 1000).toFixed(1)} s after the runner started`);
    expect(waited, waitedOut).toEqual({ code: 1, signal: null });
    expect(waitedOut).toMatch(/runner could not run generation/);
    expect(waitedOut).toMatch(/mig_meta/);
    expect(waitedOut).toMatch(/GRANT/);
    const failed = state();
    expect(failed.runner?.status).toBe('failed');
    expect(JSON.stringify(failed.runner?.lastError)).toMatch(/mig_meta/);
    const status = await mig(['status']);
    expect(status.code, status.stdout + status.stderr).toBe(0);
    expect(status.stdout).toMatch(/last error: .*mig_meta/);
    expect(runner.running(), runner.output()).toBe(true);

    // Granted: plan shows who streams and what is backfilled; an unknown table to replace is an error.
    await conn.query(`GRANT ${WATERMARK_GRANT} TO ${ACCOUNT}`);
    await waitUntil('the restarted runner to hold the lease', 30_000, () => holds(runner!.pid));
    writeFileSync(specFile(), spec(['a', 'c', 'd']));
    const plan = await mig(['plan']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain(`the runner pid ${runner.pid}`);
    expect(plan.stdout).toMatch(new RegExp(`table ${SRC}\\.d .*\\[backfill, stream keeps running(: ~[\\d,]+ rows)?\\]`));
    const nope = await mig(['plan', '--replace', `${NAME}/${SRC}.nope`]);
    expect(nope.code, nope.stdout + nope.stderr).not.toBe(0);
    expect(nope.stdout + nope.stderr).toContain(`${SRC}.nope`);

    // The new generation wakes the failed runner at once rather than after its retry delay.
    const retryStart = Date.now();
    const fixed = await mig(['apply', '--auto-approve', '--wait', '60s']);
    expect(fixed.code, `${fixed.stdout}${fixed.stderr}\n--- runner:\n${runner.output()}`).toBe(0);
    const done = await waitUntil('C and D backfilled', 60_000, () => {
      const m = state();
      return m.tables[`${SRC}.c`]?.backfill?.doneAt && m.tables[`${SRC}.d`]?.backfill?.doneAt ? m : undefined;
    }, 250);
    console.log(`runner errors: after the grant, C and D backfilled ${((Date.now() - retryStart) / 1000).toFixed(1)} s after apply (C ${done.tables[`${SRC}.c`]?.rowsCopied} rows, D ${done.tables[`${SRC}.d`]?.rowsCopied} rows)`);
    expect(done.runner?.status).not.toBe('failed');
    for (const t of ['a', 'c', 'd']) expect(await dump(conn, DST, t), t).toEqual(await dump(conn, SRC, t));

    // No runner: a detached apply that waits has nobody to wait for.
    runner.child.kill('SIGTERM');
    await runner.exited;
    runner = undefined;
    writeFileSync(specFile(), spec(['a', 'c']));
    const alone = await mig(['apply', '--auto-approve', '--detach', '--wait', '5s']);
    expect(alone.code, alone.stdout + alone.stderr).toBe(1);
    expect(alone.stdout + alone.stderr).toContain('no runner holds its lease');
  });
});
