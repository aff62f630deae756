// What a new user reads in the demo flow: init → plan --out → apply PLANFILE → source changes →
// apply --until-caught-up → plan. The spec diff is shown once (by plan; apply of the saved plan
// shows its changes without it) and as written; a 12-row table is not long-running, a 120,000-row
// one is, with its rows; "No changes to the migrations" then the stream; no escape codes in a pipe,
// colour on a terminal unless NO_COLOR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { rootConnection, uniqueName, MYSQL_PORT, KAFKA_PORT } from '../integration/helpers/env.js';
import { MIG_BIN, runMig } from './helpers/run-mig.js';

const db = uniqueName('out');
const name = db.replace(/_/g, '-');
const topic = `${db}.all`;
const env = { MIG_SOURCE_PASSWORD: '' };
// Above plan/table-size.ts LONG_RUNNING_ROWS (100,000), small enough to copy in seconds.
const BIG = 120_000;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/;
let cwd: string;
let conn: Connection;

const mig = (args: string[], extra: Record<string, string> = {}) => runMig(args, { cwd, env: { ...env, ...extra } });
const count = (text: string, part: string) => text.split(part).length - 1;

beforeAll(async () => {
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-output-'));
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.customers (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL)`);
  await conn.query(`INSERT INTO ${db}.customers SELECT seq, CONCAT('c', seq) FROM ${db}.seq_1_to_12`);
  await conn.query(`CREATE TABLE ${db}.orders (id INT PRIMARY KEY, customer_id INT NOT NULL)`);
  await conn.query(`INSERT INTO ${db}.orders SELECT seq, 1 + seq % 12 FROM ${db}.seq_1_to_${BIG}`);
  // The row estimate the plan reads (information_schema.TABLES.TABLE_ROWS) is fresh after ANALYZE.
  await conn.query(`ANALYZE TABLE ${db}.orders, ${db}.customers`);
});

afterAll(async () => {
  await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.end();
  rmSync(cwd, { recursive: true, force: true });
});

describe('output a new user reads', () => {
  it('shows the diff once and as written, sizes with separators, no changes apart from the stream', { timeout: 240_000 }, async () => {
    const init = await mig(['init', '--name', name, '--database', db, '--topic', topic, '--port', String(MYSQL_PORT), '--brokers', `127.0.0.1:${KAFKA_PORT}`]);
    expect(init.code, init.stderr).toBe(0);

    const plan = await mig(['plan', '--out', 'plan.json']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).not.toMatch(ANSI);
    expect(count(plan.stdout, `+++ ${name} (spec)`)).toBe(1);
    expect(plan.stdout).toContain('spec diff (fields at their defaults left out; --full-diff shows them):');
    expect(plan.stdout).toContain(`+    password: \${env:MIG_SOURCE_PASSWORD}`);
    expect(plan.stdout).not.toContain('connectTimeoutMs');
    expect(plan.stdout).toMatch(new RegExp(`\\+ table ${db}\\.orders → topic ${topic.replace('.', '\\.')}  \\[long-running: ~1[0-9]{2},[0-9]{3} rows\\]`));
    expect(plan.stdout).toContain(`+ table ${db}.customers → topic ${topic}\n        new table (~12 rows, 2 columns, primary key id, DDL replicate)`);

    const full = await mig(['plan', '--full-diff']);
    expect(full.code, full.stdout + full.stderr).toBe(0);
    expect(full.stdout).toContain('+    connectTimeoutMs: 10000');
    expect(full.stdout).toContain('+    replicationFactor: 1');

    const apply = await mig(['apply', 'plan.json', '--auto-approve']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).not.toMatch(ANSI);
    expect(apply.stdout).not.toContain(`+++ ${name} (spec)`);
    expect(apply.stdout).toContain(`+ table ${db}.orders → topic ${topic}`);
    expect(apply.stdout).toContain('Plan: 5 to create, 0 to update, 0 to replace, 0 to delete.\nThe spec diff was shown when this plan was made (mig plan); --full-diff prints the normalised spec diff.');
    expect(apply.stdout).toMatch(new RegExp(`${db}\\.orders: ${BIG.toLocaleString('en-US')} rows in`));
    // Across the plan-then-apply flow, the diff was printed once.
    expect(count(plan.stdout + apply.stdout, `+++ ${name} (spec)`)).toBe(1);

    await conn.query(`INSERT INTO ${db}.customers VALUES (13, 'new')`);
    await conn.query(`UPDATE ${db}.orders SET customer_id = customer_id + 100 WHERE id <= 3`);
    await conn.query(`DELETE FROM ${db}.customers WHERE id = 1`);

    const stream = await mig(['apply', '--auto-approve', '--until-caught-up']);
    expect(stream.code, stream.stdout + stream.stderr).toBe(0);
    expect(stream.stdout).not.toContain('No changes.');
    const said = stream.stdout.indexOf("No changes to the migrations. Streaming the source's new changes…");
    expect(said, stream.stdout).toBeGreaterThan(-1);
    expect(stream.stdout.indexOf(`${name}: streaming from`)).toBeGreaterThan(said);
    expect(stream.stdout).toContain('5 change(s) written');

    const again = await mig(['plan', '--detailed-exitcode']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('No changes to the migrations: they match the recorded state and the live systems.\nStreaming is not part of a plan');
  });

  it('colours the plan on a terminal, and not under NO_COLOR or --no-color', () => {
    // `script` gives mig a terminal for stdout, as a person running mig plan has; --replace makes a
    // change to show (-/+, magenta) on the migration applied above.
    const { NO_COLOR: _unset, ...base } = process.env;
    const atTerminal = (extra: string, envExtra: Record<string, string> = {}) =>
      spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(MIG_BIN)} plan --replace ${name}/${db}.customers ${extra}`, '/dev/null'], {
        cwd, env: { ...base, ...env, TERM: 'xterm', ...envExtra }, encoding: 'utf8', timeout: 60_000,
      });
    const on = atTerminal('');
    expect(on.status, on.stdout + on.stderr).toBe(0);
    expect(on.stdout).toContain(`\u001b[35m-/+\u001b[39m table ${db}.customers`);
    for (const off of [atTerminal('', { NO_COLOR: '1' }), atTerminal('--no-color')]) {
      expect(off.status, off.stdout + off.stderr).toBe(0);
      expect(off.stdout).toContain(`-/+ table ${db}.customers`);
      expect(off.stdout).not.toMatch(ANSI);
    }
  });
});
