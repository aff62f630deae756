// --target on plan and apply with two migrations, one table of a migration, and mig show of a saved
// plan in its three formats, against the real services.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { KAFKA_BROKERS, MYSQL_PORT, rootConnection, uniqueName } from '../integration/helpers/env.js';
import { execFileSync } from 'node:child_process';
import { MIG_BIN, runMig } from './helpers/run-mig.js';

const db = uniqueName('target');
const base = db.replace(/_/g, '-').slice(0, 50);
const one = `${base}-one`;
const two = `${base}-two`;

let cwd: string;
let conn: Connection;

function spec(name: string, tables: string): string {
  return `apiVersion: mig/v1
kind: Migration
metadata: { name: ${name} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  destination: { type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${db}.${name}, ddlTopic: ${db}.${name}.ddl, format: canal-json }
  objects:
    - database: ${db}
      tables: ${tables}
`;
}
const write = (name: string, tables: string) => writeFileSync(path.join(cwd, 'migrations.d', `${name}.yaml`), spec(name, tables));

interface StateFile { migrations: Record<string, { generation?: number; desired?: unknown; tables: Record<string, unknown>; spec: { spec: { objects: { tables?: { name: string; filter?: string }[] }[] } } }> }
const readState = () => JSON.parse(readFileSync(path.join(cwd, '.mig', 'state.json'), 'utf8')) as StateFile;

beforeAll(async () => {
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-target-'));
  mkdirSync(path.join(cwd, 'migrations.d'));
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  for (const t of ['a', 'b']) {
    await conn.query(`CREATE TABLE ${db}.${t} (id INT PRIMARY KEY, grp INT)`);
    await conn.query(`INSERT INTO ${db}.${t} VALUES (1, 1), (2, 2), (3, 3)`);
  }
  write(one, '[ { name: a } ]');
  write(two, '[ { name: a } ]');
  const r = await runMig(['apply', '-y', '--until-caught-up'], { cwd });
  expect(r.code, r.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  await conn?.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn?.end();
});

describe('--target', () => {
  it('plans and applies one migration of two; the plan says it is partial', async () => {
    write(one, '[ { name: a }, { name: b } ]');
    write(two, '[ { name: a, filter: "grp > 1" }, { name: b } ]');
    const p = await runMig(['plan', '--target', one, '--detailed-exitcode'], { cwd });
    expect(p.code, p.stderr).toBe(2);
    expect(p.stdout).toContain(`this plan is limited to --target ${one}`);
    expect(p.stdout).toContain(`+ table ${db}.b`);
    expect(p.stdout).not.toContain(`migration ${two}`);

    const a = await runMig(['apply', '-y', '--target', one, '--until-caught-up'], { cwd });
    expect(a.code, a.stderr).toBe(0);
    const s = readState();
    expect(Object.keys(s.migrations[one]!.tables).sort()).toEqual([`${db}.a`, `${db}.b`]);
    expect(s.migrations[one]!.generation).toBe(2);
    // The other migration was neither recorded nor run.
    expect(s.migrations[two]!.generation).toBe(1);
    expect(Object.keys(s.migrations[two]!.tables)).toEqual([`${db}.a`]);

    const full = await runMig(['plan'], { cwd });
    expect(full.stdout).not.toContain('limited to --target');
    expect(full.stdout).toContain(`migration ${two}`);
    // The applied migration has nothing left to do; the other still has its changes.
    expect(full.stdout).not.toContain(`+ table ${db}.b → topic ${db}.${one}`);
    expect(full.stdout).toContain(`+ table ${db}.b → topic ${db}.${two}`);
  }, 180_000);

  it('plans and applies one table of a migration: the other table change waits', async () => {
    const p = await runMig(['plan', '--target', `${two}/${db}.b`], { cwd });
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toContain(`+ table ${db}.b`);
    expect(p.stdout).not.toContain(`${db}.a`);

    const a = await runMig(['apply', '-y', '--target', `${two}/${db}.b`, '--until-caught-up'], { cwd });
    expect(a.code, a.stderr).toBe(0);
    const applied = readState().migrations[two]!;
    expect(Object.keys(applied.tables).sort()).toEqual([`${db}.a`, `${db}.b`]);
    // The recorded spec took b alone: a's filter is still to be applied.
    expect(applied.spec.spec.objects[0]!.tables).toEqual([{ name: 'a' }, { name: 'b' }]);
    const rest = await runMig(['plan'], { cwd });
    expect(rest.stdout).toContain(`-/+ table ${db}.a`);
    expect(rest.stdout).not.toContain(`+ table ${db}.b`);
  }, 180_000);

  it('refuses an unknown migration or table with a did-you-mean', async () => {
    const m = await runMig(['plan', '--target', `${one}x`], { cwd });
    expect(m.code).toBe(1);
    expect(m.stderr).toContain(`Error: --target ${one}x: no migration is named ${one}x; did you mean ${one}?`);
    const t = await runMig(['apply', '-y', '--target', `${one}/${db}.bb`], { cwd });
    expect(t.code).toBe(1);
    expect(t.stderr).toContain(`Error: --target ${one}/${db}.bb: migration ${one} has no table ${db}.bb; did you mean ${db}.b?`);
  }, 60_000);
});

describe('mig show', () => {
  it('renders a saved plan as mig plan does: human, markdown and json; refuses a file that is not a plan', async () => {
    const planned = await runMig(['plan', '--out', 'plan.json'], { cwd });
    expect(planned.code, planned.stderr).toBe(0);
    const human = await runMig(['show', 'plan.json'], { cwd });
    expect(human.code, human.stderr).toBe(0);
    expect(planned.stdout.startsWith(human.stdout.trimEnd())).toBe(true);
    expect(human.stdout).toMatch(new RegExp(`-/\\+ table ${db}\\.a`));
    // Piped: no colour.
    expect(human.stdout).not.toMatch(/\x1b\[/);
    // On a terminal (util-linux script gives it one): + ~ -/+ - in colour, unless NO_COLOR.
    const onTerminal = (env: Record<string, string>) => execFileSync('script', ['-qc', `${process.execPath} ${MIG_BIN} show plan.json`, '/dev/null'], { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
    expect(onTerminal({})).toMatch(/\x1b\[\d+m-\/\+/);
    expect(onTerminal({ NO_COLOR: '1' })).not.toMatch(/\x1b\[/);

    const md = await runMig(['show', 'plan.json', '--format', 'markdown'], { cwd });
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/^#+ /m);
    expect(md.stdout).toContain(two);

    const json = await runMig(['show', 'plan.json', '--json'], { cwd });
    expect(json.code).toBe(0);
    const shown = JSON.parse(json.stdout) as { applicable: boolean; migrations: { name: string }[]; kind?: string };
    const saved = JSON.parse(readFileSync(path.join(cwd, 'plan.json'), 'utf8')) as { migrations: unknown };
    expect(shown.applicable).toBe(true);
    expect(shown.kind).toBeUndefined();
    expect(shown.migrations).toEqual(saved.migrations);

    const notPlan = await runMig(['show', path.join('.mig', 'state.json')], { cwd });
    expect(notPlan.code).toBe(1);
    expect(notPlan.stderr).toContain('is not a plan saved by mig plan --out');
    const asJson = await runMig(['show', path.join('.mig', 'state.json'), '--json'], { cwd });
    expect(JSON.parse(asJson.stdout)).toMatchObject({ type: 'error', code: 'plan-corrupt' });
  }, 120_000);
});
