// Runs the `run:` steps of a GitHub Actions job on this machine the way a runner does: bash with
// -eo pipefail, env layered workflow → job → step, ${{ }} expressions substituted, `if:` evaluated
// with the status functions, continue-on-error, and the GITHUB_OUTPUT / GITHUB_ENV / GITHUB_PATH /
// GITHUB_STEP_SUMMARY files read back between steps. `uses:` steps are not run: the caller prepares
// what they would have done (checkout, setup-node) and checks what they would have used.
// Only the expression syntax the project's workflows use is supported; anything else throws, so a
// workflow can never be evaluated differently from Actions without the test noticing.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string | boolean;
  env?: Record<string, string | number | boolean>;
  with?: Record<string, string | number | boolean>;
  shell?: string;
  'continue-on-error'?: boolean | string;
  'working-directory'?: string;
}

export interface Job {
  env?: Record<string, string | number | boolean>;
  defaults?: { run?: { shell?: string } };
  outputs?: Record<string, string>;
  steps: Step[];
}

export interface Workflow {
  env?: Record<string, string | number | boolean>;
  defaults?: { run?: { shell?: string } };
  jobs: Record<string, Job>;
}

export interface StepResult {
  name: string;
  id?: string;
  /** `simulated`: a `uses:` step the caller stood in for. */
  outcome: 'success' | 'failure' | 'skipped' | 'simulated';
  conclusion: 'success' | 'failure' | 'skipped';
  outputs: Record<string, string>;
  stdout: string;
  stderr: string;
  step: Step;
}

export interface JobRun {
  steps: StepResult[];
  outputs: Record<string, string>;
  summary: string;
  conclusion: 'success' | 'failure';
}

export interface RunOptions {
  workspace: string;
  /** Scratch directory: RUNNER_TEMP and the per-step command files. */
  temp: string;
  /** The `github` context (event, base_ref, repository, …). */
  github: Record<string, unknown>;
  secrets: Record<string, string>;
  /** The runner's own environment (PATH, HOME, GITHUB_* variables). */
  env: Record<string, string>;
  stepTimeoutMs?: number;
  /** A reason to leave a `run:` step out (recorded as skipped), e.g. a command this build lacks. */
  skip?: (step: Step) => string | undefined;
}

type Value = string | number | boolean | null | undefined | Record<string, unknown> | unknown[];

// ---- expressions --------------------------------------------------------------------------------

type Token = { t: 'op' | 'str' | 'num' | 'id' | 'lp' | 'rp' | 'dot' | 'lb' | 'rb'; v: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) { i++; continue; }
    const two = src.slice(i, i + 2);
    if (['==', '!=', '&&', '||'].includes(two)) { out.push({ t: 'op', v: two }); i += 2; continue; }
    if (c === '!') { out.push({ t: 'op', v: '!' }); i++; continue; }
    if (c === '(') { out.push({ t: 'lp', v: c }); i++; continue; }
    if (c === ')') { out.push({ t: 'rp', v: c }); i++; continue; }
    if (c === '.') { out.push({ t: 'dot', v: c }); i++; continue; }
    if (c === '[') { out.push({ t: 'lb', v: c }); i++; continue; }
    if (c === ']') { out.push({ t: 'rb', v: c }); i++; continue; }
    if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new Error(`unterminated string in expression: ${src}`);
        if (src[i] === "'" && src[i + 1] === "'") { s += "'"; i += 2; continue; }
        if (src[i] === "'") { i++; break; }
        s += src[i++];
      }
      out.push({ t: 'str', v: s });
      continue;
    }
    const num = /^\d+(\.\d+)?/.exec(src.slice(i));
    if (num) { out.push({ t: 'num', v: num[0] }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i));
    if (id) { out.push({ t: 'id', v: id[0] }); i += id[0].length; continue; }
    throw new Error(`unsupported expression syntax at ${JSON.stringify(src.slice(i))} in: ${src}`);
  }
  return out;
}

export interface ExprContext {
  contexts: Record<string, Value>;
  /** For success() / failure(): whether an earlier step concluded in failure. */
  failed: boolean;
}

const truthy = (v: Value) => !(v === undefined || v === null || v === false || v === 0 || v === '');

function loose(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (a === undefined || a === null) return b === undefined || b === null || b === '';
  if (b === undefined || b === null) return a === '';
  return String(a) === String(b);
}

export function evaluate(src: string, ctx: ExprContext): Value {
  const tokens = tokenize(src);
  let p = 0;
  const peek = () => tokens[p];
  const take = (t: Token['t'], v?: string) => {
    const tok = tokens[p];
    if (!tok || tok.t !== t || (v !== undefined && tok.v !== v)) throw new Error(`expected ${v ?? t} in: ${src}`);
    p++;
    return tok;
  };
  const or = (): Value => {
    let v = and();
    while (peek()?.v === '||') { p++; const r = and(); v = truthy(v) ? v : r; }
    return v;
  };
  const and = (): Value => {
    let v = unary();
    while (peek()?.v === '&&') { p++; const r = unary(); v = truthy(v) ? r : v; }
    return v;
  };
  const unary = (): Value => {
    if (peek()?.v === '!') { p++; return !truthy(unary()); }
    const left = primary();
    const op = peek();
    if (op?.t === 'op' && (op.v === '==' || op.v === '!=')) {
      p++;
      const right = primary();
      return op.v === '==' ? loose(left, right) : !loose(left, right);
    }
    return left;
  };
  const primary = (): Value => {
    const tok = peek();
    if (!tok) throw new Error(`unexpected end of expression: ${src}`);
    if (tok.t === 'lp') { p++; const v = or(); take('rp'); return v; }
    if (tok.t === 'str') { p++; return tok.v; }
    if (tok.t === 'num') { p++; return Number(tok.v); }
    if (tok.t !== 'id') throw new Error(`unexpected ${tok.v} in: ${src}`);
    p++;
    if (tok.v === 'true' || tok.v === 'false') return tok.v === 'true';
    if (tok.v === 'null') return null;
    if (peek()?.t === 'lp') {
      take('lp');
      take('rp');
      switch (tok.v) {
        case 'always': return true;
        case 'success': return !ctx.failed;
        case 'failure': return ctx.failed;
        case 'cancelled': return false;
        default: throw new Error(`unsupported function ${tok.v}() in: ${src}`);
      }
    }
    if (!(tok.v in ctx.contexts)) throw new Error(`unknown context ${tok.v} in: ${src}`);
    let v: Value = ctx.contexts[tok.v];
    for (;;) {
      let key: string;
      if (peek()?.t === 'dot') { p++; key = take('id').v; }
      else if (peek()?.t === 'lb') { p++; key = take('str').v; take('rb'); }
      else break;
      v = v !== null && typeof v === 'object' && !Array.isArray(v) ? ((v as Record<string, unknown>)[key] as Value) : undefined;
    }
    return v;
  };
  const v = or();
  if (p !== tokens.length) throw new Error(`unexpected ${tokens[p]!.v} in: ${src}`);
  return v;
}

const asText = (v: Value) => (v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** `${{ expr }}` replaced by its value, as Actions does in every string field. */
export function interpolate(text: string, ctx: ExprContext): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, e: string) => asText(evaluate(e, ctx)));
}

/** An `if:` with no status function is implicitly `success() && (…)`. */
export function condition(cond: string | boolean | undefined, ctx: ExprContext): boolean {
  if (cond === undefined) return !ctx.failed;
  if (typeof cond === 'boolean') return cond && !ctx.failed;
  const body = cond.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  const expr = /\b(always|success|failure|cancelled)\(\)/.test(body) ? body : `success() && (${body})`;
  return truthy(evaluate(expr, ctx));
}

// ---- command files ------------------------------------------------------------------------------

/** `name=value` lines and `name<<DELIM` … `DELIM` blocks, as GITHUB_OUTPUT and GITHUB_ENV hold them. */
export function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) body.push(lines[i]!);
      out[heredoc[1]!] = body.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw new Error(`malformed command file line: ${line}`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

// ---- the job ------------------------------------------------------------------------------------

function runBash(script: string, file: string, cwd: string, env: Record<string, string>, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  writeFileSync(file, script);
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

const strings = (o: Record<string, string | number | boolean> | undefined, ctx: ExprContext) =>
  Object.fromEntries(Object.entries(o ?? {}).map(([k, v]) => [k, interpolate(String(v), ctx)]));

export async function runJob(workflow: Workflow, jobName: string, opts: RunOptions): Promise<JobRun> {
  const job = workflow.jobs[jobName];
  if (!job) throw new Error(`no job ${jobName}`);
  mkdirSync(opts.temp, { recursive: true });
  const steps: Record<string, { outcome: string; conclusion: string; outputs: Record<string, string> }> = {};
  const results: StepResult[] = [];
  const addedPath: string[] = [];
  const addedEnv: Record<string, string> = {};
  let summary = '';
  let failed = false;

  const ctxFor = (env: Record<string, string>): ExprContext => ({
    contexts: { github: opts.github, secrets: opts.secrets, steps, env, runner: { temp: opts.temp, os: 'Linux' }, job: {}, vars: {} },
    failed,
  });

  for (const [index, step] of job.steps.entries()) {
    const name = step.name ?? step.uses ?? (step.run ?? '').split('\n')[0]!;
    const baseEnv = { ...strings(workflow.env, ctxFor({})) };
    Object.assign(baseEnv, strings(job.env, ctxFor(baseEnv)), addedEnv);
    const stepEnv = { ...baseEnv, ...strings(step.env, ctxFor(baseEnv)) };
    const ctx = ctxFor(stepEnv);
    const record = (r: Omit<StepResult, 'name' | 'id' | 'step'>) => {
      results.push({ name, id: step.id, step, ...r });
      if (step.id) steps[step.id] = { outcome: r.outcome === 'simulated' ? 'success' : r.outcome, conclusion: r.conclusion, outputs: r.outputs };
    };
    if (!condition(step.if, ctx)) {
      record({ outcome: 'skipped', conclusion: 'skipped', outputs: {}, stdout: '', stderr: '' });
      continue;
    }
    if (opts.skip?.(step) !== undefined) {
      record({ outcome: 'skipped', conclusion: 'skipped', outputs: {}, stdout: opts.skip(step) ?? '', stderr: '' });
      continue;
    }
    if (step.uses !== undefined) {
      record({ outcome: 'simulated', conclusion: 'success', outputs: {}, stdout: '', stderr: '' });
      continue;
    }
    const shell = step.shell ?? job.defaults?.run?.shell ?? workflow.defaults?.run?.shell;
    if (shell !== 'bash') throw new Error(`step ${name}: only shell: bash is simulated (got ${String(shell)})`);
    const files = { GITHUB_OUTPUT: `output-${index}`, GITHUB_ENV: `env-${index}`, GITHUB_PATH: `path-${index}`, GITHUB_STEP_SUMMARY: `summary-${index}` };
    const fileEnv = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, path.join(opts.temp, f)]));
    for (const f of Object.values(fileEnv)) writeFileSync(f, '');
    const env: Record<string, string> = {
      ...opts.env,
      ...stepEnv,
      ...fileEnv,
      RUNNER_TEMP: opts.temp,
      GITHUB_WORKSPACE: opts.workspace,
      PATH: [...addedPath, opts.env.PATH ?? ''].join(path.delimiter),
    };
    const cwd = step['working-directory'] ? path.resolve(opts.workspace, step['working-directory']) : opts.workspace;
    const r = await runBash(interpolate(step.run ?? '', ctx), path.join(opts.temp, `step-${index}.sh`), cwd, env, opts.stepTimeoutMs ?? 300_000);
    const read = (k: keyof typeof files) => readFileSync(fileEnv[k]!, 'utf8');
    const outputs = parseCommandFile(read('GITHUB_OUTPUT'));
    Object.assign(addedEnv, parseCommandFile(read('GITHUB_ENV')));
    addedPath.unshift(...read('GITHUB_PATH').split('\n').filter(Boolean).reverse());
    summary += read('GITHUB_STEP_SUMMARY');
    const ok = r.code === 0;
    const continueOnError = step['continue-on-error'] === true || interpolate(String(step['continue-on-error'] ?? 'false'), ctx) === 'true';
    record({ outcome: ok ? 'success' : 'failure', conclusion: ok || continueOnError ? 'success' : 'failure', outputs, stdout: r.stdout, stderr: r.stderr });
    if (!ok && !continueOnError) failed = true;
  }
  const outputs = strings(job.outputs as Record<string, string> | undefined, ctxFor({}));
  return { steps: results, outputs, summary, conclusion: failed ? 'failure' : 'success' };
}

