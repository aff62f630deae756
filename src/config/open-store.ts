// Which state store a command works on. First match wins:
//   1. --state PATH        a state file
//   2. --state-url URL     a MySQL table (a URL, or ${env:NAME} holding one)
//   3. mig.config.yaml     its `state:` section
//   4. .mig/state.json     the default file
import path from 'node:path';
import { isSecretRef, resolveSecret } from '../spec/secrets.js';
import { FileStateStore } from '../state/file-store.js';
import { MysqlStateStore, type MysqlStoreOptions } from '../state/mysql-store.js';
import type { TargetOverrides } from '../state/mysql-url.js';
import type { StateStore } from '../state/store.js';
import { MigError } from '../util/errors.js';
import { DEFAULT_STATE_PATH, loadProjectConfig } from './project.js';
import { parseStoreRef, type StoreRef } from './store-ref.js';

export interface StateFlags {
  state?: string;
  'state-url'?: string;
}

export interface OpenStoreOptions {
  /** Where mig.config.yaml is looked for, and relative paths start; the working directory by default. */
  cwd?: string;
  /** Defaults to process.env; tests pass their own. */
  env?: Readonly<Record<string, string | undefined>>;
  /** For a MySQL store: lease settings, and what to do when a lapsed lock is taken over. */
  mysql?: MysqlStoreOptions;
}

export async function openStateStore(flags: StateFlags, opts: OpenStoreOptions = {}): Promise<StateStore> {
  if (flags.state !== undefined) return new FileStateStore(flags.state);
  const url = flags['state-url'];
  if (url !== undefined) {
    const ref = parseStoreRef(url, '--state-url');
    if (ref.backend === 'file') {
      throw new MigError('bad-store', '--state-url names a MySQL store, not a file', `use --state ${ref.path} for a state file`);
    }
    return openStoreRef(ref, '--state-url', opts);
  }
  const loaded = await loadProjectConfig(opts.cwd ?? '.');
  const state = loaded?.config.state;
  if (!loaded || !state) return new FileStateStore(within(opts.cwd ?? '.', DEFAULT_STATE_PATH));
  if (state.backend === 'file') return new FileStateStore(within(loaded.dir, state.path ?? DEFAULT_STATE_PATH));
  const where = `state.url in ${loaded.file}`;
  // Validation guarantees the url for backend mysql.
  const ref: StoreRef = { backend: 'mysql', url: state.url ?? '', secret: isSecretRef(state.url) };
  return openStoreRef(ref, where, { ...opts, cwd: loaded.dir }, { table: state.table, name: state.name });
}

/** Opens the store a ref names; `where` names the flag or setting it came from, for messages. */
export async function openStoreRef(ref: StoreRef, where: string, opts: OpenStoreOptions = {}, overrides: TargetOverrides = {}): Promise<StateStore> {
  if (ref.backend === 'file') return new FileStateStore(within(opts.cwd ?? '.', ref.path));
  let url = ref.url;
  let origin = where;
  if (ref.secret) {
    url = await resolveSecret(ref.url, where, { projectRoot: path.resolve(opts.cwd ?? '.'), env: opts.env });
    origin = `${ref.url} (${where})`;
  }
  return MysqlStateStore.fromUrl(url, origin, overrides, opts.mysql);
}

/** The store the project is configured for, ignoring flags: what `mig state migrate` starts from. */
export function openConfiguredStore(opts: OpenStoreOptions = {}): Promise<StateStore> {
  return openStateStore({}, opts);
}

/** Relative paths start at `dir`; absolute ones stand. Relative results stay relative, for readable messages. */
function within(dir: string, p: string): string {
  return path.isAbsolute(p) ? p : path.join(dir, p);
}
