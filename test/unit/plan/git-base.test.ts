import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, unlinkSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { changesSince, namesIn, parseNameStatus } from '../../../src/plan/git-base.js';
import { MigError } from '../../../src/util/errors.js';

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_NOSYSTEM: '1' };

const specYaml = (name: string, table = 'orders') => `apiVersion: mig/v1
kind: Migration
metadata:
  name: ${name}
spec:
  source: { type: mysql, host: 127.0.0.1, port: 3307, user: root, password: "\${env:PW}" }
  destination: { type: kafka, brokers: ["127.0.0.1:19092"], topic: ${name}, format: canal-json }
  objects:
    - database: shop
      tables:
        - name: ${table}
`;

let repo: string;
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env: GIT_ENV, encoding: 'utf8' });
const write = (rel: string, text: string) => {
  mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
  writeFileSync(path.join(repo, rel), text);
};
const commit = (msg: string) => {
  git('add', '-A');
  git('commit', '-q', '-m', msg);
};

async function refusal(p: Promise<unknown>): Promise<MigError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(MigError);
  return e as MigError;
}

beforeEach(() => {
  repo = mkdtempSync(path.join(tmpdir(), 'mig-git-base-'));
  git('init', '-q', '-b', 'main');
  write('migrations.d/a.yaml', specYaml('a'));
  write('migrations.d/b.yaml', specYaml('b'));
  write('migrations.d/c.yaml', specYaml('c'));
  write('migrations.d/m.yaml', `${specYaml('m1')}---\n${specYaml('m2')}`);
  write('README.md', 'project\n');
  commit('base');
  git('checkout', '-q', '-b', 'feature');
});

afterEach(() => rmSync(repo, { recursive: true, force: true }));

describe('changesSince', () => {
  it('names the migrations added, modified, removed and renamed since the merge base', async () => {
    write('migrations.d/a.yaml', specYaml('a', 'customers'));
    unlinkSync(path.join(repo, 'migrations.d/b.yaml'));
    renameSync(path.join(repo, 'migrations.d/c.yaml'), path.join(repo, 'migrations.d/c-renamed.yaml'));
    write('migrations.d/d.yaml', specYaml('d'));
    // m2 moves to its own file: modified, not removed and added.
    write('migrations.d/m.yaml', specYaml('m1'));
    write('migrations.d/m2.yml', specYaml('m2', 'items'));
    write('migrations.d/notes.md', 'not a spec\n');
    write('migrations.d/old/a.yaml', specYaml('archived'));
    commit('change');
    // The target branch moves on after the fork: its new migration is not this change's.
    git('checkout', '-q', 'main');
    write('migrations.d/e.yaml', specYaml('e'));
    commit('elsewhere');
    git('checkout', '-q', 'feature');

    const c = await changesSince('main', 'migrations.d', { cwd: repo });
    expect(c.base).toBe(git('rev-parse', 'main~1').trim());
    expect(c.head).toBe(git('rev-parse', 'HEAD').trim());
    expect(c.files).toEqual([
      { path: 'migrations.d/a.yaml', status: 'modified' },
      { path: 'migrations.d/b.yaml', status: 'removed' },
      { path: 'migrations.d/c-renamed.yaml', status: 'renamed', from: 'migrations.d/c.yaml' },
      { path: 'migrations.d/d.yaml', status: 'added' },
      { path: 'migrations.d/m.yaml', status: 'modified' },
      { path: 'migrations.d/m2.yml', status: 'added' },
    ]);
    // m1's document is untouched although its file changed; m2 moved to another file and changed.
    expect(Object.fromEntries(c.migrations)).toEqual({ a: 'modified', b: 'removed', c: 'renamed', d: 'added', m2: 'modified' });
  });

  it('works from a subdirectory and with a spec directory given relative to it', async () => {
    write('migrations.d/a.yaml', specYaml('a', 'customers'));
    // A comment or the formatting alone does not change what b means.
    write('migrations.d/b.yaml', `# owned by the shop team\n${specYaml('b').replace('{ type: mysql,', '{ type: "mysql",')}`);
    commit('change');
    const c = await changesSince('main', '.', { cwd: path.join(repo, 'migrations.d') });
    expect(c.files.map((f) => f.path)).toEqual(['migrations.d/a.yaml', 'migrations.d/b.yaml']);
    expect(Object.fromEntries(c.migrations)).toEqual({ a: 'modified' });
  });

  it('refuses uncommitted changes to tracked files anywhere and untracked specs, unless allowed', async () => {
    write('README.md', 'changed\n');
    let e = await refusal(changesSince('main', 'migrations.d', { cwd: repo }));
    expect(e.code).toBe('git-dirty');
    expect(e.message).toContain('README.md');
    expect(e.hint).toContain('--allow-dirty');
    git('checkout', '--', 'README.md');

    write('migrations.d/new.yaml', specYaml('new'));
    e = await refusal(changesSince('main', 'migrations.d', { cwd: repo }));
    expect(e.message).toContain('migrations.d/new.yaml (untracked)');
    const allowed = await changesSince('main', 'migrations.d', { cwd: repo, allowDirty: true });
    expect(Object.fromEntries(allowed.migrations)).toEqual({ new: 'added' });

    // Untracked files elsewhere (build output, a plan file) do not make the tree dirty.
    unlinkSync(path.join(repo, 'migrations.d/new.yaml'));
    write('plan.json', '{}');
    await expect(changesSince('main', 'migrations.d', { cwd: repo })).resolves.toMatchObject({ files: [] });
  });

  it('an unknown ref, a directory outside git and unrelated history are refused with a fix', async () => {
    let e = await refusal(changesSince('origin/nope', 'migrations.d', { cwd: repo }));
    expect(e.code).toBe('git-unknown-ref');
    expect(e.hint).toContain('git fetch origin nope');
    expect(e.hint).toContain('fetch-depth: 0');

    const outside = mkdtempSync(path.join(tmpdir(), 'mig-no-git-'));
    try {
      e = await refusal(changesSince('main', '.', { cwd: outside }));
      expect(e.code).toBe('git-not-repo');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }

    git('checkout', '-q', '--orphan', 'other');
    commit('unrelated');
    e = await refusal(changesSince('main', 'migrations.d', { cwd: repo }));
    expect(e.code).toBe('git-no-merge-base');
  });
});

describe('namesIn', () => {
  it('names migrations the current schema rejects, so their removal is still reported', () => {
    expect(namesIn('apiVersion: mig/v0\nkind: Migration\nmetadata: { name: legacy }\nspec: { what: ever }\n', 'x.yaml')).toEqual(['legacy']);
    expect(namesIn(`${specYaml('one')}---\n${specYaml('two')}`, 'x.yaml')).toEqual(['one', 'two']);
    expect(namesIn('{ broken', 'x.yaml')).toEqual([]);
  });
});

describe('parseNameStatus', () => {
  it('reads NUL-separated name-status output, renames and copies included', () => {
    expect(parseNameStatus('M\0a b.yaml\0R100\0x.yaml\0y.yaml\0R075\0p.yaml\0q.yaml\0C100\0s.yaml\0t.yaml\0D\0gone.yaml\0A\0new.yaml\0')).toEqual([
      { path: 'a b.yaml', status: 'modified' },
      { path: 'y.yaml', status: 'renamed', from: 'x.yaml' },
      { path: 'q.yaml', status: 'modified', from: 'p.yaml' },
      { path: 't.yaml', status: 'added' },
      { path: 'gone.yaml', status: 'removed' },
      { path: 'new.yaml', status: 'added' },
    ]);
  });
});
