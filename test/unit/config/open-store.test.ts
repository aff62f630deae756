// Which state store a command opens: --state, then --state-url, then mig.config.yaml, then .mig/state.json.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStateStore, parseStoreRef } from '../../../src/config/index.js';
import { FileStateStore } from '../../../src/state/file-store.js';
import { MysqlStateStore } from '../../../src/state/mysql-store.js';
import type { StateStore } from '../../../src/state/store.js';
import { MigError } from '../../../src/util/errors.js';

let cwd: string;
const opened: StateStore[] = [];
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'mig-config-'));
});
afterEach(async () => {
  // MySQL stores connect lazily: nothing here reaches a server, but their pools still need ending.
  for (const s of opened.splice(0)) await s.close?.();
  await rm(cwd, { recursive: true, force: true });
});

const env = { MIG_STATE_URL: 'mysql://mig:s3cret@db.internal:3307/ops', OTHER_URL: 'mysql://other@db2/ops2' };

async function open(flags: { state?: string; 'state-url'?: string }): Promise<StateStore> {
  const store = await openStateStore(flags, { cwd, env });
  opened.push(store);
  return store;
}

async function failure(p: Promise<unknown>): Promise<MigError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(MigError);
  return err as MigError;
}

const mysqlConfig = 'state:\n  backend: mysql\n  url: ${env:MIG_STATE_URL}\n  name: shop\n';

describe('openStateStore', () => {
  it('defaults to .mig/state.json without flags or config', async () => {
    const store = await open({});
    expect(store).toBeInstanceOf(FileStateStore);
    expect(store.location).toBe(join(cwd, '.mig', 'state.json'));
  });

  it('uses the file mig.config.yaml names, relative to it', async () => {
    await writeFile(join(cwd, 'mig.config.yaml'), 'state:\n  backend: file\n  path: shared/state.json\n');
    expect((await open({})).location).toBe(join(cwd, 'shared', 'state.json'));
    await writeFile(join(cwd, 'mig.config.yaml'), 'state:\n  backend: file\n');
    expect((await open({})).location).toBe(join(cwd, '.mig', 'state.json'));
  });

  it('opens the MySQL store mig.config.yaml names, resolving the URL and never showing the password', async () => {
    await writeFile(join(cwd, 'mig.config.yaml'), mysqlConfig);
    const store = await open({});
    expect(store).toBeInstanceOf(MysqlStateStore);
    expect(store.location).toBe('mysql://mig@db.internal:3307/ops?table=mig_state&name=shop');
  });

  it('lets --state-url win over mig.config.yaml, and --state over both', async () => {
    await writeFile(join(cwd, 'mig.config.yaml'), mysqlConfig);
    expect((await open({ 'state-url': '${env:OTHER_URL}' })).location).toBe('mysql://other@db2:3306/ops2?table=mig_state&name=default');
    expect((await open({ 'state-url': 'mysql://x@db3/d?name=n' })).location).toBe('mysql://x@db3:3306/d?table=mig_state&name=n');
    const file = await open({ state: 'elsewhere.json', 'state-url': '${env:OTHER_URL}' });
    expect(file).toBeInstanceOf(FileStateStore);
    expect(file.location).toBe('elsewhere.json');
  });

  it('does not read mig.config.yaml when a flag decides', async () => {
    await writeFile(join(cwd, 'mig.config.yaml'), 'state: [broken\n');
    expect((await open({ state: 's.json' })).location).toBe('s.json');
    expect((await open({ 'state-url': 'mysql://x@h/d' })).location).toContain('mysql://x@h');
    await expect(open({})).rejects.toThrow(/error/);
  });

  it('refuses a file ref in --state-url and names a missing variable', async () => {
    expect((await failure(open({ 'state-url': 'file:x.json' }))).hint).toContain('--state x.json');
    const err = await failure(open({ 'state-url': '${env:NOPE}' }));
    expect(err.code).toBe('secret-unresolved');
    expect(err.message).toContain('NOPE');
  });

  it('names the variable, not its value, when the URL it holds is invalid', async () => {
    const err = await failure(openStateStore({ 'state-url': '${env:BAD}' }, { cwd, env: { BAD: 'pg://u:hunter2@h/d' } }));
    expect(err.message).toContain('${env:BAD}');
    expect(err.message).not.toContain('hunter2');
  });
});

describe('parseStoreRef', () => {
  it.each([
    ['file:.mig/state.json', { backend: 'file', path: '.mig/state.json' }],
    ['mysql://u:p@h/d', { backend: 'mysql', url: 'mysql://u:p@h/d', secret: false }],
    ['mariadb://u@h/d', { backend: 'mysql', url: 'mariadb://u@h/d', secret: false }],
    ['mysql:${env:MIG_STATE_URL}', { backend: 'mysql', url: '${env:MIG_STATE_URL}', secret: true }],
    ['${file:secrets/state-url}', { backend: 'mysql', url: '${file:secrets/state-url}', secret: true }],
  ])('reads %s', (text, ref) => {
    expect(parseStoreRef(text, '--to')).toEqual(ref);
  });

  it('refuses anything else without echoing it', () => {
    for (const text of ['state.json', 'file:', 'mysql:hunter2', 'postgres://u:hunter2@h/d']) {
      let err: unknown;
      try {
        parseStoreRef(text, '--to');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MigError);
      expect((err as MigError).message).toContain('--to');
      expect((err as MigError).message).not.toContain('hunter2');
    }
  });
});
