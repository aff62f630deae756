// Which migrations a change set touches: the spec files that differ between a base ref (the branch a
// pull request targets) and the work tree, and the migration names inside them. The plan itself still
// covers every spec; this only tells a reviewer which of its changes the pull request causes.
import { realpath, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { simpleGit, type SimpleGit } from 'simple-git';
import { parseSpecText, specDigest } from '../spec/index.js';
import { MigError } from '../util/errors.js';

export type SpecChange = 'added' | 'modified' | 'removed' | 'renamed';

export interface ChangedSpecFile {
  /** Relative to the repository's top level, with `/` separators (as git prints it). */
  path: string;
  status: SpecChange;
  /** The path at the base, for a renamed file. */
  from?: string;
}

export interface BaseChanges {
  /** The ref as given (`origin/main`). */
  ref: string;
  /** The commit compared with: the merge base of `ref` and HEAD, so commits that landed on the
   *  target branch after this branch forked do not show up as reverted here. */
  base: string;
  /** HEAD's commit. */
  head: string;
  files: ChangedSpecFile[];
  /** Migration name → how it changed: its spec means something else (modified), only its file moved
   *  (renamed). A migration whose spec is untouched is left out, even when its file changed. */
  migrations: Map<string, SpecChange>;
}

/** The JSON form, for plan files and renderers. */
export interface BaseSummary {
  ref: string;
  base: string;
  head: string;
  files: ChangedSpecFile[];
  migrations: Record<string, SpecChange>;
}

export interface ChangesOptions {
  /** Where git runs and relative paths start; the working directory by default. */
  cwd?: string;
  /** Plan a work tree with uncommitted changes, which then count as changes since the base. */
  allowDirty?: boolean;
}

const SPEC_FILE = /\.ya?ml$/i;

export async function changesSince(ref: string, specDir: string, opts: ChangesOptions = {}): Promise<BaseChanges> {
  const cwd = opts.cwd ?? process.cwd();
  const git = simpleGit({ baseDir: cwd });
  const top = await topLevel(git, cwd);
  const dirAbs = await realpath(path.resolve(cwd, specDir)).catch(() => path.resolve(cwd, specDir));
  const dirRel = toPosix(path.relative(top, dirAbs));
  if (dirRel.startsWith('..') || path.isAbsolute(dirRel)) {
    throw new MigError('git-outside', `--base: the spec directory ${specDir} is not inside the git repository at ${top}`, 'run mig from the repository that holds the specs');
  }
  const inSpecDir = (p: string) => path.posix.dirname(p) === (dirRel === '' ? '.' : dirRel) && SPEC_FILE.test(p);

  const head = await revParse(git, 'HEAD', 'HEAD');
  const target = await revParse(git, ref, ref);
  const base = await mergeBase(git, target, head, ref);

  const dirty = await dirtyFiles(git, dirAbs);
  if (dirty.tracked.length + dirty.untrackedSpecs.length > 0 && !opts.allowDirty) {
    const all = [...dirty.tracked, ...dirty.untrackedSpecs.map((p) => `${p} (untracked)`)];
    const shown = all.slice(0, 5).join(', ') + (all.length > 5 ? `, … (${all.length} in all)` : '');
    throw new MigError(
      'git-dirty',
      `--base plans a commit, but the work tree has uncommitted changes: ${shown}`,
      'commit or stash them (git stash -u) so the plan matches a commit, or pass --allow-dirty to plan the work tree as it is',
    );
  }

  // Only exact renames: specs written from one template look alike, and git's similarity guess would
  // pair a deleted spec with an unrelated new one. A rename with edits is then removed + added files,
  // and the migration inside still counts as modified (its name is on both sides).
  const files = specFilesOnly(parseNameStatus(await git.raw(['diff', '-z', '--name-status', '-M100%', base, '--', dirAbs])), inSpecDir);
  if (opts.allowDirty) for (const p of dirty.untrackedSpecs.filter(inSpecDir)) files.push({ path: p, status: 'added' });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  // name → [file, document] on each side, so a migration whose document is untouched (another one in
  // its file changed, or only comments did) does not count as changed.
  const before = new Map<string, [string, string]>();
  const after = new Map<string, [string, string]>();
  for (const f of files) {
    const old = f.status === 'added' ? undefined : (f.from ?? f.path);
    if (old !== undefined) for (const [n, doc] of documentsIn(await git.show([`${base}:${old}`]), old)) before.set(n, [old, doc]);
    if (f.status !== 'removed') {
      const text = await readFile(path.join(top, f.path), 'utf8').catch(() => '');
      for (const [n, doc] of documentsIn(text, f.path)) after.set(n, [f.path, doc]);
    }
  }
  const migrations = new Map<string, SpecChange>();
  for (const name of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const was = before.get(name);
    const now = after.get(name);
    if (was === undefined) migrations.set(name, 'added');
    else if (now === undefined) migrations.set(name, 'removed');
    else if (was[1] !== now[1]) migrations.set(name, 'modified');
    else if (was[0] !== now[0]) migrations.set(name, 'renamed');
  }
  return { ref, base, head, files, migrations };
}

export function baseSummary(c: BaseChanges): BaseSummary {
  return { ref: c.ref, base: c.base, head: c.head, files: c.files, migrations: Object.fromEntries(c.migrations) };
}

/** The migration names a spec file declares. */
export function namesIn(text: string, file: string): string[] {
  return [...documentsIn(text, file).keys()];
}

/**
 * Each migration of a spec file, by name, with what to compare: the digest of its normalised spec, so
 * a change of formatting or comments only is not a change. A document the loader rejects (a spec for
 * an older schema, a typo this very change fixes) still names its migration through `metadata.name`,
 * compared by its raw data: a removed migration must be reported even then.
 */
function documentsIn(text: string, file: string): Map<string, string> {
  const docs = new Map<string, string>();
  for (const doc of parseAllDocuments(text, { prettyErrors: false })) {
    if (doc.errors.length > 0) continue;
    const name: unknown = doc.getIn(['metadata', 'name']);
    if (typeof name !== 'string' || name === '') continue;
    let data: string;
    try {
      data = `raw:${JSON.stringify(doc.toJS())}`;
    } catch {
      data = `raw:unreadable:${file}`;
    }
    docs.set(name, data);
  }
  for (const m of parseSpecText(text, file).migrations) docs.set(m.migration.metadata.name, specDigest(m.migration));
  return docs;
}

/** `git diff -z --name-status -M` output: status, NUL, path (a rename adds a second path). */
export function parseNameStatus(out: string): ChangedSpecFile[] {
  const parts = out.split('\0');
  const files: ChangedSpecFile[] = [];
  for (let i = 0; i + 1 < parts.length; ) {
    const code = parts[i++]!;
    if (code === '') continue;
    const kind = code[0];
    if (kind === 'R' || kind === 'C') {
      const from = parts[i++]!;
      const to = parts[i++]!;
      // A copy leaves its source in place: only the new file is a change.
      if (kind === 'C') files.push({ path: to, status: 'added' });
      else if (code === 'R100') files.push({ path: to, status: 'renamed', from });
      else files.push({ path: to, status: 'modified', from });
      continue;
    }
    const p = parts[i++]!;
    files.push({ path: p, status: kind === 'A' ? 'added' : kind === 'D' ? 'removed' : 'modified' });
  }
  return files;
}

/** Keeps the files the loader reads (*.yaml directly in the spec directory); a rename across that
 *  boundary is an addition or a removal of a spec. */
function specFilesOnly(files: ChangedSpecFile[], isSpec: (p: string) => boolean): ChangedSpecFile[] {
  const out: ChangedSpecFile[] = [];
  for (const f of files) {
    const now = isSpec(f.path);
    const was = f.from !== undefined && isSpec(f.from);
    if (f.from === undefined || (now && was)) {
      if (now) out.push(f);
    } else if (now) out.push({ path: f.path, status: 'added' });
    else if (was) out.push({ path: f.from, status: 'removed' });
  }
  return out;
}

async function topLevel(git: SimpleGit, cwd: string): Promise<string> {
  try {
    return (await git.raw(['rev-parse', '--show-toplevel'])).trim();
  } catch {
    throw new MigError('git-not-repo', `--base needs a git repository, and ${cwd} is not inside one`, 'run mig plan from a clone of the repository, or drop --base');
  }
}

async function revParse(git: SimpleGit, rev: string, shown: string): Promise<string> {
  try {
    return (await git.raw(['rev-parse', '--verify', '--end-of-options', `${rev}^{commit}`])).trim();
  } catch {
    const branch = shown.replace(/^origin\//, '');
    throw new MigError(
      'git-unknown-ref',
      `--base ${shown}: no such commit in this clone`,
      shown === 'HEAD' ? 'commit the specs first' : `fetch it first (git fetch origin ${branch}); in GitHub Actions, check out with fetch-depth: 0`,
    );
  }
}

async function mergeBase(git: SimpleGit, a: string, b: string, shown: string): Promise<string> {
  // merge-base exits 1 without a word when there is none, which simple-git does not treat as failure.
  const found = await git.raw(['merge-base', a, b]).then((out) => out.trim(), () => '');
  if (found === '') {
    const shallow = (await git.raw(['rev-parse', '--is-shallow-repository']).catch(() => '')).trim() === 'true';
    throw new MigError(
      'git-no-merge-base',
      `--base ${shown}: it shares no history with HEAD${shallow ? ' in this shallow clone' : ''}`,
      shallow ? 'fetch the full history (git fetch --unshallow; in GitHub Actions, actions/checkout with fetch-depth: 0)' : 'name the branch this one was started from',
    );
  }
  return found;
}

/**
 * Uncommitted changes to tracked files anywhere in the repository (mig.config.yaml or a ${file:…}
 * a spec reads matter as much as the specs), and untracked files in the spec directory, which the
 * plan would read although no commit holds them. Other untracked files (build output) do not count.
 */
async function dirtyFiles(git: SimpleGit, dirAbs: string): Promise<{ tracked: string[]; untrackedSpecs: string[] }> {
  const tracked = porcelainPaths(await git.raw(['status', '--porcelain=v1', '-z', '--untracked-files=no']));
  const untracked = porcelainPaths(await git.raw(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', dirAbs]), '??');
  return { tracked, untrackedSpecs: untracked.filter((p) => SPEC_FILE.test(p)) };
}

function porcelainPaths(out: string, only?: string): string[] {
  const parts = out.split('\0');
  const paths: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const e = parts[i]!;
    if (e.length < 4) continue;
    const xy = e.slice(0, 2);
    // A rename or copy is followed by its source path, which is not an entry of its own.
    if (xy[0] === 'R' || xy[0] === 'C') i++;
    if (only === undefined || xy === only) paths.push(e.slice(3));
  }
  return paths;
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
