// What apply prints while it works (issue 14): without a terminal, timestamped lines with a progress
// line per table every --progress-interval (rows of the estimate, rows/s, ETA); with --json, nothing
// but JSON lines on stdout ending in a result; on a terminal (under script(1), when present), the live
// view's bars, coloured unless NO_COLOR is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { rootConnection, uniqueName, MYSQL_PORT, KAFKA_PORT } from '../integration/helpers/env.js';
import { MIG_BIN, runMig } from './helpers/run-mig.js';

const db = uniqueName('e2e_progress');
const name = db.replace(/_/g, '-');
const topic = `${db}.all`;
const env = { MIG_SOURCE_PASSWORD: '' };
const ROWS = 60_000;
let cwd: string;
let conn: Connection;

const ISO = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`;
const COUNT = String.raw`\d{1,3}(?:,\d{3})*`;

beforeAll(async () => {
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-e2e-progress-'));
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  // MariaDB's seq_1_to_N tables need a current database.
  await conn.query(`USE ${db}`);
  await conn.query(`CREATE TABLE ${db}.stock_movements (id BIGINT PRIMARY KEY, sku VARCHAR(20), qty INT)`);
  await conn.query(`INSERT INTO ${db}.stock_movements SELECT seq, CONCAT('SKU-', seq MOD 977), seq MOD 50 FROM seq_1_to_${ROWS}`);
  await conn.query(`ANALYZE TABLE ${db}.stock_movements`);
  const init = await runMig(['init', '--name', name, '--database', db, '--topic', topic, '--port', String(MYSQL_PORT), '--brokers', `127.0.0.1:${KAFKA_PORT}`], { cwd, env });
  expect(init.code, init.stderr).toBe(0);
  // A load of about four seconds: long enough for progress lines every second.
  const specFile = path.join(cwd, 'migrations.d', `${name}.yaml`);
  const spec = readFileSync(specFile, 'utf8').replace(/^ {2}types: /m, '  throttle:\n    full: { rowsPerSecond: 15000 }\n  types: ');
  expect(spec).toContain('rowsPerSecond: 15000');
  writeFileSync(specFile, spec);
});

afterAll(async () => {
  await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.end();
});

describe('apply output', () => {
  it('without a terminal: timestamped lines with a level, and progress lines with rows, rate and ETA', async () => {
    const a = await runMig(['apply', '--auto-approve', '--progress-interval', '1s'], { cwd, env });
    expect(a.code, a.stdout + a.stderr).toBe(0);
    expect(a.stdout).not.toContain('\u001b');
    const progress = new RegExp(`^${ISO} info ${name}: ${db}\\.stock_movements ${COUNT}/${COUNT} rows \\(\\d+%\\) ${COUNT} rows/s ETA \\d+ s$`, 'gm');
    const lines = a.stdout.match(progress) ?? [];
    expect(lines.length, a.stdout).toBeGreaterThanOrEqual(2);
    expect(a.stdout).toMatch(new RegExp(`^${ISO} info ${name}: ${db}\\.stock_movements: full load \\(~${COUNT} rows\\)$`, 'm'));
    expect(a.stdout).toMatch(new RegExp(`^${ISO} info ${name}: ${db}\\.stock_movements: 60,000 rows in [\\d.]+ s \\(${COUNT} rows/s\\)$`, 'm'));
    expect(a.stdout).toMatch(new RegExp(`^${ISO} info Apply complete\\. State serial \\d+\\.$`, 'm'));
  });

  it('--json --auto-approve --until-caught-up: every stdout line is JSON, ending in the result', async () => {
    await conn.query(`UPDATE ${db}.stock_movements SET qty = qty + 1 WHERE id <= 250`);
    const a = await runMig(['apply', '--json', '--auto-approve', '--until-caught-up'], { cwd, env });
    expect(a.code, a.stdout + a.stderr).toBe(0);
    const lines = a.stdout.trimEnd().split('\n');
    const objs = lines.map((l) => JSON.parse(l) as { type: string; time: string; [k: string]: unknown });
    for (const o of objs) expect(o.time).toMatch(new RegExp(`^${ISO}$`));
    const types = objs.map((o) => o.type);
    expect(types).toContain('stream-start');
    expect(types).toContain('stream-stop');
    expect(objs.some((o) => o.type === 'progress' && o.final === true)).toBe(true);
    const result = objs.at(-1)! as unknown as { type: string; ok: boolean; serial: number; migrations: Record<string, { progress: { events: { written: number }; rows: { copied: number } } }> };
    expect(result.type).toBe('result');
    expect(result.ok).toBe(true);
    expect(result.serial).toBeGreaterThan(0);
    expect(result.migrations[name]!.progress.rows.copied).toBe(ROWS);
    expect(result.migrations[name]!.progress.events.written).toBeGreaterThanOrEqual(250);
    // The log went to stderr.
    expect(a.stderr).toMatch(new RegExp(`^${ISO} info ${name}: caught up`, 'm'));
  });

  it('--json without --auto-approve: one JSON error on stdout, exit 1', async () => {
    const a = await runMig(['apply', '--json'], { cwd, env });
    expect(a.code).toBe(1);
    const lines = a.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: 'error', code: 'json-needs-auto-approve', fix: expect.stringContaining('--auto-approve') });
    expect(a.stdout + a.stderr).not.toMatch(/\n\s+at /);
  });

  const hasScript = (() => {
    try {
      execFileSync('script', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.runIf(hasScript)('on a terminal: the live view draws bars; NO_COLOR leaves the colour out', () => {
    const onTty = (extraEnv: Record<string, string>) => {
      // script's pseudo-terminal starts 0×0; give it a size so a bar row fits on one line.
      const cmd = `stty cols 160 rows 40; ${JSON.stringify(process.execPath)} ${JSON.stringify(MIG_BIN)} apply --auto-approve --replace ${name}`;
      return execFileSync('script', ['-qec', cmd, '/dev/null'], { cwd, env: { ...process.env, ...env, TERM: 'xterm-256color', ...extraEnv }, encoding: 'utf8', timeout: 120_000 });
    };
    const colour = onTty({});
    expect(colour.replace(/\u001b\[[\d;]*m/g, '')).toMatch(/█+░*\s+\d+%\s+[\d,]+\/[\d,]+ rows\s+[\d,]+ rows\/s\s+ETA \d+ s/);
    expect(colour).toContain('\u001b[32m');
    const plain = onTty({ NO_COLOR: '1' });
    expect(plain).toMatch(/█+░*\s+\d+%/);
    // Cursor movement stays (it is how the area is redrawn); colours go.
    expect(plain).not.toMatch(/\u001b\[(?:3\d|1|2)m/);
  });
});
