// The pull-request workflow as GitHub would run it, on this machine: its `run:` steps, unchanged, in
// a clone of a small project that has mig as a dev dependency, against the real MariaDB and Kafka,
// with a local stand-in for GitHub's API. Checks the comment a reviewer sees, that later pushes edit
// that one comment, and the outputs and failures the workflow reports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { Kafka, logLevel } from 'kafkajs';
import type { Connection } from 'mysql2/promise';
import { KAFKA_BROKERS, KAFKA_PORT, MYSQL_PORT, REPO_ROOT, rootConnection, uniqueName } from '../helpers/env.js';
import { runJob, type JobRun, type Workflow } from './actions-sim.js';
import { startFakeGitHub, type FakeGitHub } from './fake-github.js';

const db = uniqueName('wf');
const stateDb = `${db}_state`;
const name = db.replace(/_/g, '-');
const REPO = 'acme/shop';
const TOKEN = 'test-token';
const PR = 7;
const MIG = path.join(REPO_ROOT, 'bin/run.js');
// `mig precheck` arrives separately; until this build has it, its step is left out (and only it).
const HAS_PRECHECK = spawnSync(process.execPath, [MIG, 'precheck', '--help'], { stdio: 'ignore' }).status === 0;

const GIT_ENV: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? tmpdir(),
  GIT_AUTHOR_NAME: 'dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'dev', GIT_COMMITTER_EMAIL: 'dev@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};
// The runner's environment: only what a hosted runner has that matters here, not this test process's.
const NPM_ENV = { npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

let root: string;
let origin: string;
let dev: string;
let conn: Connection;
let github: FakeGitHub;

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' });

function spec(migration: string, topic: string, tables: string): string {
  return `apiVersion: mig/v1
kind: Migration
metadata:
  name: ${name}-${migration}
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root, password: "\${env:SHOP_DB_PASSWORD}" }
  destination: { type: kafka, brokers: ["127.0.0.1:${KAFKA_PORT}"], topic: ${db}.${topic}, format: canal-json }
  types: [schema, full, incremental]
  objects:
    - database: ${db}
      tables:
${tables}`;
}

const shopBase = spec('shop', 'all', `        - name: orders\n          topic: ${db}.orders\n          partitions: 1\n          filter: "status <> 'draft'"\n        - name: customers\n`);
const shopChanged = shopBase.replace('partitions: 1', 'partitions: 3').replace(`"status <> 'draft'"`, `"status NOT IN ('draft', 'void')"`);
const legacy = spec('legacy', 'legacy', '        - name: customers\n');
const crm = (extra = '') => spec('crm', 'crm', `        - name: customers\n          topic: ${db}.crm.customers\n${extra}`);

function write(dir: string, rel: string, text: string) {
  mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  writeFileSync(path.join(dir, rel), text);
}

function commitOnFeature(files: Record<string, string | null>, message: string) {
  for (const [rel, text] of Object.entries(files)) {
    if (text === null) git(dev, 'rm', '-q', rel);
    else write(dev, rel, text);
  }
  git(dev, 'add', '-A');
  git(dev, 'commit', '-q', '-m', message);
  git(dev, 'push', '-q', 'origin', 'feature');
}

/** What actions/checkout does for a pull_request event: a fresh clone, full history (fetch-depth: 0),
 *  the merge of the pull request into its base checked out detached, as refs/pull/N/merge is. */
function checkout(run: number): string {
  const ws = path.join(root, `workspace-${run}`);
  git(root, 'clone', '-q', origin, ws);
  git(ws, 'checkout', '-q', '--detach', 'origin/main');
  git(ws, 'merge', '-q', '--no-ff', '--no-edit', 'origin/feature');
  return ws;
}

const stateUrl = () => `mysql://root@127.0.0.1:${MYSQL_PORT}/${stateDb}`;

async function runPlanWorkflow(run: number): Promise<JobRun & { workspace: string }> {
  const workspace = checkout(run);
  const temp = path.join(root, `runner-temp-${run}`);
  const eventPath = path.join(root, `event-${run}.json`);
  const event = {
    action: 'synchronize',
    number: PR,
    pull_request: { number: PR, base: { ref: 'main' }, head: { ref: 'feature', repo: { full_name: REPO } } },
    repository: { full_name: REPO },
  };
  writeFileSync(eventPath, JSON.stringify(event));
  // The workflow as committed in the project: the copy under test is the one the pull request runs.
  const workflow = parse(readFileSync(path.join(workspace, '.github/workflows/mig-plan.yml'), 'utf8')) as Workflow;
  const sha = git(workspace, 'rev-parse', 'HEAD').trim();
  const result = await runJob(workflow, 'plan', {
    workspace,
    temp,
    github: { event, event_name: 'pull_request', base_ref: 'main', head_ref: 'feature', repository: REPO, workspace, sha, ref: `refs/pull/${PR}/merge`, run_id: String(run), token: TOKEN },
    secrets: { GITHUB_TOKEN: TOKEN, MIG_STATE_URL: stateUrl(), SHOP_DB_PASSWORD: '' },
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      LANG: 'C.UTF-8',
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_BASE_REF: 'main',
      GITHUB_HEAD_REF: 'feature',
      GITHUB_REF: `refs/pull/${PR}/merge`,
      GITHUB_SHA: sha,
      GITHUB_REPOSITORY: REPO,
      GITHUB_API_URL: github.url,
      GITHUB_RUN_ID: String(run),
      ...NPM_ENV,
    },
    skip: (s) => (s.name === 'mig precheck' && !HAS_PRECHECK ? 'this build has no mig precheck' : undefined),
  });
  return { ...result, workspace };
}

const step = (r: JobRun, stepName: string) => {
  const s = r.steps.find((x) => x.name === stepName);
  if (!s) throw new Error(`no step ${stepName}: ${r.steps.map((x) => x.name).join(', ')}`);
  return s;
};
const logs = (r: JobRun) => r.steps.map((s) => `--- ${s.name}: ${s.outcome}\n${s.stdout}${s.stderr}`).join('\n');
const comments = () => github.comments.get(PR) ?? [];

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'mig-workflow-'));
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE DATABASE ${stateDb}`);
  await conn.query(`CREATE TABLE ${db}.orders (id INT PRIMARY KEY, status VARCHAR(10), amount DECIMAL(10,2))`);
  await conn.query(`CREATE TABLE ${db}.customers (id INT PRIMARY KEY, name VARCHAR(50))`);
  await conn.query(`INSERT INTO ${db}.orders VALUES (1,'paid',10.50),(2,'draft',3.00),(3,'void',7.25)`);
  await conn.query(`INSERT INTO ${db}.customers VALUES (1,'Ada'),(2,'Bob')`);
  github = await startFakeGitHub({ repo: REPO, token: TOKEN });

  // The project: its specs, mig as a dev dependency, the workflow and script from this repository.
  const project = path.join(root, 'project');
  write(project, 'package.json', JSON.stringify({ name: 'shop-migrations', private: true, devDependencies: { mig: `file:${REPO_ROOT}` } }, null, 2));
  execFileSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], { cwd: project, env: { ...GIT_ENV, ...NPM_ENV }, stdio: 'pipe' });
  write(project, '.gitignore', 'node_modules/\n.mig/\nplan.json\nplan.md\nplan.err\n');
  write(project, 'mig.config.yaml', 'state:\n  backend: mysql\n  url: ${env:MIG_STATE_URL}\n');
  for (const f of ['.github/workflows/mig-plan.yml', '.github/scripts/sticky-comment.mjs']) {
    mkdirSync(path.dirname(path.join(project, f)), { recursive: true });
    copyFileSync(path.join(REPO_ROOT, f), path.join(project, f));
  }
  write(project, 'migrations.d/shop.yaml', shopBase);
  write(project, 'migrations.d/legacy.yaml', legacy);
  git(project, 'init', '-q', '-b', 'main');
  git(project, 'add', '-A');
  git(project, 'commit', '-q', '-m', 'shop and legacy migrations');
  origin = path.join(root, 'origin.git');
  git(root, 'clone', '-q', '--bare', project, origin);

  // What main's apply workflow did when the base landed: the shared state now holds both migrations.
  execFileSync(process.execPath, [MIG, 'apply', '--auto-approve'], { cwd: project, env: { ...GIT_ENV, MIG_STATE_URL: stateUrl(), SHOP_DB_PASSWORD: '' }, stdio: 'pipe' });

  // The pull request: shop's filter and partitions change, legacy goes, crm is new.
  dev = path.join(root, 'dev');
  git(root, 'clone', '-q', origin, dev);
  git(dev, 'checkout', '-q', '-b', 'feature');
  commitOnFeature({ 'migrations.d/shop.yaml': shopChanged, 'migrations.d/legacy.yaml': null, 'migrations.d/crm.yaml': crm() }, 'reshape shop, retire legacy, add crm');
}, 180_000);

afterAll(async () => {
  await github?.close();
  // The topics the applies created: all of this run's start with its database name.
  const admin = new Kafka({ clientId: 'mig-test', brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${db}.`));
  if (mine.length > 0) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
  await admin.disconnect();
  await conn?.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn?.query(`DROP DATABASE IF EXISTS ${stateDb}`);
  await conn?.end();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('mig-plan workflow', () => {
  let first: JobRun & { workspace: string };

  it('runs every run: step, comments the plan once, and reports changes without errors', async () => {
    first = await runPlanWorkflow(1);
    expect(first.conclusion, logs(first)).toBe('success');
    // Only `uses:` steps are stood in for, and the test did what they would have.
    expect(first.steps.filter((s) => s.outcome === 'simulated').map((s) => s.step.uses)).toEqual(['actions/checkout@v4', 'actions/setup-node@v4', 'actions/upload-artifact@v4']);
    expect(step(first, 'actions/checkout@v4').step.with?.['fetch-depth']).toBe(0);
    expect(first.steps.filter((s) => s.outcome === 'skipped').map((s) => s.name)).toEqual(HAS_PRECHECK ? [] : ['mig precheck']);
    expect(first.steps.filter((s) => s.outcome !== 'simulated' && s.outcome !== 'skipped').every((s) => s.outcome === 'success'), logs(first)).toBe(true);
    expect(step(first, 'mig plan').outputs).toEqual({ has_changes: 'true', has_errors: 'false', exit_code: '2' });
    expect(first.outputs).toEqual({ has_changes: 'true', has_errors: 'false' });

    expect(github.calls.map((c) => c.method)).toEqual(['GET', 'POST']);
    expect(comments()).toHaveLength(1);
    const body = comments()[0]!.body;
    expect(body.startsWith('<!-- mig-plan -->\n## mig plan: 4 to create, 1 to update, 1 to replace, 1 to delete\n')).toBe(true);
    expect(body).toContain(`**Changed since \`origin/main\``);
    expect(body).toContain(`\`${name}-crm\` added, \`${name}-legacy\` removed, \`${name}-shop\` modified`);
    expect(body).toContain(`| \`-/+\` | table \`${db}.orders\` → topic \`${db}.orders\` | filter changed: table is re-snapshotted | 🔁 re-snapshot |`);
    expect(body).toContain(`| \`~\` | topic \`${db}.orders\` (1 → 3 partitions) |`);
    expect(body).toContain('🔀 breaks-key-order');
    expect(body).toContain(`| \`-\` | migration \`${name}-legacy\` |`);
    expect(body).toContain('🔥 destructive');
    expect(body).toMatch(/```diff\n[\s\S]*-          partitions: 1\n-          filter: status <> 'draft'\n\+          partitions: 3\n\+          filter: status NOT IN \('draft', 'void'\)\n/);
    if (HAS_PRECHECK) expect(body).toContain('### Prechecks');
    expect(body).not.toContain('Not verified');

    // The same text in the run's summary, and the files the artifact step uploads.
    expect(first.summary).toBe(readFileSync(path.join(first.workspace, 'plan.md'), 'utf8'));
    expect(first.summary).toBe(body);
    const artifact = step(first, 'keep the plan').step.with?.path;
    for (const f of String(artifact).split('\n').filter(Boolean)) expect(existsSync(path.join(first.workspace, f)), f).toBe(true);
    const saved = JSON.parse(readFileSync(path.join(first.workspace, 'plan.json'), 'utf8')) as { kind: string; base: { ref: string } };
    expect(saved).toMatchObject({ kind: 'mig-plan', base: { ref: 'origin/main' } });
  });

  it('a later push edits the same comment instead of adding one', async () => {
    const id = comments()[0]!.id;
    commitOnFeature({ 'migrations.d/crm.yaml': `${crm()}  full:\n    chunkSize: 1000\n` }, 'smaller chunks for crm');
    github.calls.length = 0;
    const second = await runPlanWorkflow(2);
    expect(second.conclusion, logs(second)).toBe('success');
    expect(github.calls.map((c) => `${c.method} ${c.path.replace(/\?.*/, '')}`)).toEqual([`GET /repos/${REPO}/issues/${PR}/comments`, `PATCH /repos/${REPO}/issues/comments/${id}`]);
    expect(comments()).toHaveLength(1);
    expect(comments()[0]!.body).toContain('+    chunkSize: 1000');
    expect(step(second, 'comment on the pull request').stdout).toContain(`updated comment ${id}`);
  });

  it('a plan with errors still updates the comment, sets has_errors and fails the job', async () => {
    commitOnFeature({ 'migrations.d/crm.yaml': crm('        - name: no_such_table\n') }, 'a table that does not exist');
    const third = await runPlanWorkflow(3);
    expect(third.conclusion).toBe('failure');
    expect(third.outputs).toEqual({ has_changes: 'true', has_errors: 'true' });
    expect(step(third, 'comment on the pull request').outcome).toBe('success');
    const fail = step(third, 'fail on errors');
    expect(fail.outcome).toBe('failure');
    // The precheck finds the missing table too (source.objects-exist).
    expect(fail.stdout).toContain(`::error::failed: ${HAS_PRECHECK ? 'mig precheck ' : ''}mig plan`);
    expect(comments()).toHaveLength(1);
    expect(comments()[0]!.body).toContain('❌ **1 error**');
    expect(comments()[0]!.body).toContain(`table \`${db}.no_such_table\` does not exist on the source`);
  });

  it('specs that do not validate replace the plan in the comment with the errors', async () => {
    commitOnFeature({ 'migrations.d/crm.yaml': crm().replace('format: canal-json', 'format: canal-json, colour: blue') }, 'a typo');
    const fourth = await runPlanWorkflow(4);
    expect(fourth.conclusion).toBe('failure');
    expect(step(fourth, 'mig validate').outcome).toBe('failure');
    expect(step(fourth, 'mig validate').conclusion).toBe('success');
    expect(fourth.outputs).toEqual({ has_changes: 'false', has_errors: 'true' });
    expect(step(fourth, 'fail on errors').stdout).toContain(`::error::failed: mig validate ${HAS_PRECHECK ? 'mig precheck ' : ''}mig plan`);
    expect(comments()).toHaveLength(1);
    const body = comments()[0]!.body;
    expect(body.startsWith('<!-- mig-plan -->\n## mig plan failed\n')).toBe(true);
    expect(body).toContain('migrations.d/crm.yaml');
    expect(body).toContain('colour');
  });
});
