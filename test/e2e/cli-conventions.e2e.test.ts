// The conventions of an oclif CLI (issue 16): help with -h and `mig help CMD`, version, autocomplete
// and did-you-mean from the official plugins; --json on every command, with any error (a flag oclif
// cannot parse included) as one JSON object on stdout and the exit code it has without --json;
// kebab-case flags with the old spellings as hidden aliases; a piped stdin never taken as an
// argument; `state show` with no state recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { KAFKA_PORT, MYSQL_PORT, rootConnection, uniqueName } from '../integration/helpers/env.js';
import { MIG_BIN, type MigResult } from './helpers/run-mig.js';

const db = uniqueName('e2e_conv');
const name = db.replace(/_/g, '-');
let home: string;
let conn: Connection;

/** Runs mig with `input` on a piped stdin (not a terminal); fails after `timeoutMs` rather than hang. */
function mig(args: string[], cwd: string, opts: { input?: string; timeoutMs?: number } = {}): Promise<MigResult> {
  return new Promise((resolve, reject) => {
    // HOME and XDG dirs of the test's own: autocomplete writes its cache there.
    const env = { ...process.env, MIG_SOURCE_PASSWORD: '', HOME: home, XDG_CACHE_HOME: path.join(home, 'cache'), XDG_DATA_HOME: path.join(home, 'data'), XDG_CONFIG_HOME: path.join(home, 'config'), NO_COLOR: '1' };
    const child = spawn(process.execPath, [MIG_BIN, ...args], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mig ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 120_000} ms; stderr so far:\n${stderr}`));
    }, opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    // Written and left open a moment, as `echo … | mig …` does: a command reading stdin would get it.
    if (opts.input !== undefined) child.stdin.write(opts.input);
    setTimeout(() => child.stdin.end(), 300);
  });
}

function project(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `mig-conv-${prefix}-`));
  mkdirSync(path.join(dir, 'migrations.d'));
  return dir;
}

/** The one JSON object an error under --json is. */
function oneError(r: MigResult): Record<string, unknown> {
  const lines = r.stdout.trim().split('\n');
  expect(lines, r.stdout + r.stderr).toHaveLength(1);
  const e = JSON.parse(lines[0]!) as Record<string, unknown>;
  expect(e).toMatchObject({ type: 'error', code: expect.any(String), message: expect.any(String) });
  expect(e).toHaveProperty('fix');
  return e;
}

beforeAll(async () => {
  home = mkdtempSync(path.join(tmpdir(), 'mig-conv-home-'));
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.items (id INT PRIMARY KEY, label VARCHAR(20))`);
  await conn.query(`INSERT INTO ${db}.items VALUES (1, 'one'), (2, 'two'), (3, 'three')`);
});

afterAll(async () => {
  await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.end();
});

describe('help, version, autocomplete and did-you-mean', () => {
  it('-h lists the commands, and the state topic has a description of its own', async () => {
    const r = await mig(['-h'], home);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('USAGE\n  $ mig [COMMAND]');
    expect(r.stdout).toMatch(/state\s+Inspect the recorded state, clear a stale lock, or copy the state to/);
    expect(r.stdout).not.toMatch(/state\s+Copy the state to another backend/);
    for (const cmd of ['apply', 'plan', 'init', 'autocomplete', 'help', 'version']) expect(r.stdout).toMatch(new RegExp(`^  ${cmd}\\s`, 'm'));
  });

  it('mig help apply and mig apply -h show the same help, with -y for --auto-approve', async () => {
    const [help, short] = await Promise.all([mig(['help', 'apply'], home), mig(['apply', '-h'], home)]);
    expect(help.code, help.stderr).toBe(0);
    expect(short.code, short.stderr).toBe(0);
    expect(help.stdout).toContain('$ mig apply [PLANFILE]');
    expect(help.stdout).toMatch(/-y, --auto-approve\s+do not ask for approval/);
    expect(short.stdout).toBe(help.stdout);
  });

  it('mig version, mig --version and mig -v print the version; version --json as JSON', async () => {
    const pkg = JSON.parse(readFileSync(path.resolve(MIG_BIN, '../../package.json'), 'utf8')) as { version: string };
    const [json, ...plain] = await Promise.all([['version', '--json'], ['version'], ['--version'], ['-v']].map((args) => mig(args, home)));
    for (const r of plain) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^mig/${pkg.version.replace(/\./g, '\\.')} \\S+ node-v\\d+`));
    }
    expect(json!.code).toBe(0);
    expect(JSON.parse(json!.stdout)).toMatchObject({ cliVersion: `mig/${pkg.version}`, nodeVersion: process.version.replace(/^v/, 'node-v') });
  });

  it('mig autocomplete prints the setup instructions without asking anything', async () => {
    const r = await mig(['autocomplete', 'bash'], home, { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('mig autocomplete script bash');
    const script = await mig(['autocomplete', 'script', 'bash'], home, { timeoutMs: 30_000 });
    expect(script.code, script.stderr).toBe(0);
    expect(script.stdout).toContain('MIG_AC_BASH_SETUP_PATH');
  });

  it('mig aply without a terminal suggests apply and exits 127 instead of waiting for an answer', async () => {
    const r = await mig(['aply'], home, { input: 'y\n', timeoutMs: 15_000 });
    expect(r.code).toBe(127);
    expect(r.stderr).toContain('aply is not a mig command');
    expect(r.stderr).toContain('did you mean mig apply?');
    expect(r.stdout).toBe('');
    const topic = await mig(['state', 'shw'], home, { timeoutMs: 15_000 });
    expect(topic.code).toBe(127);
    expect(topic.stderr).toContain('did you mean mig state show?');
  }, 40_000);

  it('mig aply --json is one error object with the suggestion', async () => {
    const r = await mig(['aply', '--json'], home, { timeoutMs: 15_000 });
    expect(r.code).toBe(127);
    expect(oneError(r)).toMatchObject({ code: 'command-not-found', message: 'aply is not a mig command', fix: expect.stringContaining('did you mean mig apply?') });
  });
});

describe('mig init: kebab-case flags, the camelCase ones kept as hidden aliases', () => {
  it.each([
    ['--dest-host', '--dest-user', 'mysql-to-mysql'],
    // The old spellings still work.
    ['--destHost', '--destUser', 'tidb-to-mysql'],
  ])('%s and %s fill the template (%s)', async (hostFlag, userFlag, template) => {
    const cwd = project('init');
    const r = await mig(['init', '--template', template, '--name', 'dest', hostFlag, 'db-dest.internal', userFlag, 'dest_user'], cwd);
    expect(r.code, r.stderr).toBe(0);
    const spec = readFileSync(path.join(cwd, 'migrations.d', 'dest.yaml'), 'utf8');
    expect(spec).toMatch(/^ {4}host: db-dest\.internal$/m);
    expect(spec).toMatch(/^ {4}user: dest_user\b/m);
  });

  it('--help shows the kebab-case flags only', async () => {
    const r = await mig(['init', '--help'], home);
    expect(r.stdout).toContain('--dest-host=<value>');
    expect(r.stdout).toContain('--dest-user=<value>');
    expect(r.stdout).not.toMatch(/destHost|destUser/);
  });
});

describe('--json on every command', () => {
  let cwd: string;

  beforeAll(() => {
    cwd = project('json');
  });

  it('init', async () => {
    const r = await mig(['init', '--name', name, '--database', db, '--topic', db, '--port', String(MYSQL_PORT), '--brokers', `127.0.0.1:${KAFKA_PORT}`, '--json'], cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ spec: `migrations.d/${name}.yaml`, template: 'mysql-to-kafka', name, gitignoreUpdated: true, schema: 'schemas/migration.schema.json', next: expect.any(Array) });
  });

  it('validate, precheck, plan, status', async () => {
    const [validate, precheck, plan, status] = await Promise.all([['validate', '--json'], ['precheck', '--json'], ['plan', '--json'], ['status', '--json', '--offline']].map((args) => mig(args, cwd)));
    expect(validate!.code, validate!.stderr).toBe(0);
    expect(JSON.parse(validate!.stdout)).toMatchObject({ valid: true, migrations: [{ name }] });
    expect(precheck!.code, precheck!.stdout + precheck!.stderr).toBe(0);
    expect(JSON.parse(precheck!.stdout)).toMatchObject({ ok: true, migrations: [{ migration: name }] });
    expect(plan!.code, plan!.stderr).toBe(0);
    expect(JSON.parse(plan!.stdout)).toMatchObject({ applicable: true, migrations: [{ name }] });
    expect(status!.code, status!.stderr).toBe(0);
    expect(JSON.parse(status!.stdout)).toEqual({ serial: 0, migrations: [] });
  });

  it('state show with no state: no lineage, the same answer each time, state null under --json', async () => {
    // One after the other: two reads of the same missing state must agree.
    const first = await mig(['state', 'show'], cwd);
    const second = await mig(['state', 'show'], cwd);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('No state recorded yet in .mig/state.json');
    expect(first.stdout).not.toContain('lineage');
    expect(second.stdout).toBe(first.stdout);
    const json = await mig(['state', 'show', '--json'], cwd);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ location: '.mig/state.json', lock: null, state: null });
  });

  it('apply: JSON lines only, ending in the result', async () => {
    const r = await mig(['apply', '-y', '--json'], cwd);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; ok?: boolean });
    expect(lines.at(-1)).toMatchObject({ type: 'result', ok: true, recorded: [{ migration: name, generation: 1 }] });
  });

  it('run: the same event stream as apply, ending in a result', async () => {
    const r = await mig(['run', name, '--until-caught-up', '--json', '--lease-seconds', '5'], cwd);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.at(-1)).toMatchObject({ type: 'result', ok: true, interrupted: false, recorded: [], migrations: { [name]: { progress: expect.any(Object) } } });
    // The log went to stderr, not between the JSON lines.
    expect(r.stderr).toContain('Runner done.');
  });

  it('state show once there is a state: its lineage, in text and in JSON alike', async () => {
    const json = JSON.parse((await mig(['state', 'show', '--json'], cwd)).stdout) as { state: { lineage: string; serial: number } };
    expect(json.state.serial).toBeGreaterThan(0);
    const text = await mig(['state', 'show'], cwd);
    expect(text.stdout).toContain(`lineage ${json.state.lineage}`);
  });

  it('state migrate and state unlock', async () => {
    const migrate = await mig(['state', 'migrate', '--to', 'file:copy/state.json', '--json'], cwd);
    expect(migrate.code, migrate.stderr).toBe(0);
    const moved = JSON.parse(migrate.stdout) as { lineage: string; to: { serial: number } };
    expect(moved).toMatchObject({ migrations: [name], from: { location: '.mig/state.json' }, to: { location: 'copy/state.json' }, replaced: null, config: { state: { backend: 'file', path: 'copy/state.json' } } });
    const show = JSON.parse((await mig(['state', 'show', '--json', '--state', 'copy/state.json'], cwd)).stdout) as { state: { lineage: string; serial: number } };
    expect(show.state).toMatchObject({ lineage: moved.lineage, serial: moved.to.serial });

    const lock = { id: 'c0ffee00-0000-4000-8000-000000000001', pid: 999999, host: 'elsewhere', time: new Date().toISOString(), operation: 'apply' };
    writeFileSync(path.join(cwd, 'copy', 'state.json.lock'), JSON.stringify(lock) + '\n');
    const unlock = await mig(['state', 'unlock', '--force', lock.id, '--state', 'copy/state.json', '--json'], cwd);
    expect(unlock.code, unlock.stderr).toBe(0);
    expect(JSON.parse(unlock.stdout)).toEqual({ location: 'copy/state.json', unlocked: lock.id });
    const again = await mig(['state', 'unlock', '--force', lock.id, '--state', 'copy/state.json', '--json'], cwd);
    expect(again.code).toBe(1);
    expect(oneError(again)).toMatchObject({ code: 'not-locked' });
  });
});

describe('errors under --json', () => {
  let cwd: string;

  beforeAll(() => {
    cwd = project('errors');
    writeFileSync(path.join(cwd, 'migrations.d', 'broken.yaml'), 'apiVersion: mig/v1\nkind: Migration\nmetadata: { name: broken\nspec: {}\n');
  });

  it('a spec with a syntax error: one object with code, message, fix and where; exit 1 as without --json', async () => {
    const runs = [['plan', '--offline'], ['plan', '--offline', '--json'], ['precheck', '--json'], ['apply', '-y', '--json']];
    const [text, ...json] = await Promise.all(runs.map((args) => mig(args, cwd)));
    expect(text!.code).toBe(1);
    for (const r of json) {
      expect(r.code, r.stdout + r.stderr).toBe(1);
      const e = oneError(r);
      expect(e).toMatchObject({ code: 'spec-invalid', file: 'migrations.d/broken.yaml', line: expect.any(Number), col: expect.any(Number), diagnostics: [{ code: 'yaml-syntax' }] });
      expect(e.message).toMatch(/^migrations\.d\/broken\.yaml:\d+:\d+: /);
    }
  });

  it('a flag oclif cannot parse, or a missing argument: one object, exit 2 as without --json', async () => {
    const [text, bad, missing] = await Promise.all([mig(['status', '--bogus'], cwd), mig(['status', '--bogus', '--json'], cwd), mig(['state', 'unlock', '--force', '--json'], cwd)]);
    expect(text.code).toBe(2);
    expect(bad.code).toBe(2);
    expect(oneError(bad)).toMatchObject({ code: 'invalid-arguments', message: 'Nonexistent flag: --bogus', fix: 'see mig status --help for the flags and arguments it takes' });
    expect(bad.stderr).toBe('');
    expect(missing.code).toBe(2);
    expect(oneError(missing)).toMatchObject({ code: 'invalid-arguments', message: expect.stringContaining('Missing 1 required arg') });
  });
});

describe('a piped stdin is never an argument', () => {
  it('mig apply inside a shell loop does not take stdin as its PLANFILE', async () => {
    const cwd = project('stdin');
    const r = await mig(['apply', '--auto-approve'], cwd, { input: 'plan.json\n' });
    // Taken as PLANFILE, it would fail: plan.json cannot be read.
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('plan.json');
  });

  it('mig state unlock does not take stdin as the lock id', async () => {
    const cwd = project('stdin-unlock');
    const r = await mig(['state', 'unlock', '--force'], cwd, { input: 'c0ffee00-0000-4000-8000-000000000002\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Missing 1 required arg');
  });

  it('no command takes stdin as an argument: mig destroy, whose arguments are optional', async () => {
    const cwd = project('stdin-destroy');
    const r = await mig(['destroy', '-y'], cwd, { input: 'shop\n' });
    // Taken as a migration, it would fail: no migration is named shop.
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('shop');
  });

  it('mig run does not take stdin as a migration', async () => {
    const cwd = project('stdin-run');
    const r = await mig(['run', '--until-caught-up'], cwd, { input: 'shop\n' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('records no migration');
    expect(r.stderr).not.toContain('not in the state: shop');
  });
});
