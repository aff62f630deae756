// The MySQL state backend against the real MariaDB: compare-and-set writes, the leased lock and its
// takeover, and the CLI on top (state migrate, --state-url). Uses a database of its own, dropped after.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../../src/state/file-store.js';
import { CURRENT_STATE_VERSION, type LockInfo, type State } from '../../../src/state/model.js';
import { MysqlStateStore, type MysqlStoreOptions } from '../../../src/state/mysql-store.js';
import { LockedError, MigError } from '../../../src/util/errors.js';
import { sampleState } from '../../unit/state/sample-state.js';
import { MYSQL_PORT, REPO_ROOT, rootConnection, uniqueName } from '../helpers/env.js';
import { runMig } from '../../e2e/helpers/run-mig.js';

const DB = uniqueName('mig_state_it');
const URL = `mysql://root@127.0.0.1:${MYSQL_PORT}/${DB}`;
const LIMITED_USER = uniqueName('mig_it_user').slice(0, 32);
const LIMITED_PASSWORD = 'Lim1ted-pw-7f3a';

let admin: Connection;
const stores: MysqlStateStore[] = [];
let projectDir: string;

function store(opts: MysqlStoreOptions = {}, query = ''): MysqlStateStore {
  const s = MysqlStateStore.fromUrl(`${URL}${query}`, 'test', {}, opts);
  stores.push(s);
  return s;
}

async function failure(p: Promise<unknown>): Promise<MigError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(MigError);
  return err as MigError;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  admin = await rootConnection();
  await admin.query(`CREATE DATABASE \`${DB}\``);
  projectDir = await mkdtemp(path.join(tmpdir(), 'mig-state-it-'));
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});
afterAll(async () => {
  await admin.query(`DROP DATABASE IF EXISTS \`${DB}\``);
  await admin.query(`DROP USER IF EXISTS '${LIMITED_USER}'@'127.0.0.1'`);
  await admin.end();
  await rm(projectDir, { recursive: true, force: true });
});

describe('MysqlStateStore', () => {
  it('creates its tables and round-trips a state through the same document encoding as the file', async () => {
    const s = store({}, '?name=roundtrip');
    const empty = await s.read();
    expect(empty.serial).toBe(0);
    expect((await s.read()).lineage).toBe(empty.lineage);

    const state: State = { ...sampleState(), serial: 0 };
    const written = await s.write(state);
    expect(written).toEqual({ ...state, serial: 1 });
    expect(await store({}, '?name=roundtrip').read()).toEqual(written);

    const [rows] = await admin.query(`SELECT serial, lineage, version, body FROM \`${DB}\`.mig_state WHERE name = 'roundtrip'`);
    // The admin connection reads BIGINT as text.
    const row = (rows as { serial: string; lineage: string; version: number; body: string }[])[0];
    expect(row).toMatchObject({ serial: '1', lineage: state.lineage, version: CURRENT_STATE_VERSION });
    expect(JSON.parse(row.body)).toMatchObject({ serial: 1, lineage: state.lineage });
    expect((await s.write(written)).serial).toBe(2);
  });

  it('lets exactly one of two writers of the same serial win; the other gets state-conflict', async () => {
    const a = store({}, '?name=race');
    const b = store({}, '?name=race');
    const base = await a.write({ ...sampleState(), serial: 0 });
    const [ra, rb] = [await a.read(), await b.read()];
    const results = await Promise.allSettled([a.write(ra), b.write(rb)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(MigError);
    expect((lost.reason as MigError).code).toBe('state-conflict');
    expect((await a.read()).serial).toBe(base.serial + 1);

    // Two first writes of an absent state race on the INSERT the same way.
    const c = store({}, '?name=race-insert');
    const d = store({}, '?name=race-insert');
    const fresh = { ...sampleState(), serial: 0 };
    const inserts = await Promise.allSettled([c.write(fresh), d.write(fresh)]);
    expect(inserts.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('fails a second lock at once, naming the holder', async () => {
    const held = await store({}, '?name=held').lock('apply');
    const started = Date.now();
    const err = await failure(store({}, '?name=held').lock('plan'));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(err).toBeInstanceOf(LockedError);
    expect((err as LockedError).holder).toMatchObject({ id: held.id, pid: process.pid, operation: 'apply' });
    expect(err.message).toContain(held.id);
    expect(err.message).toContain('lease');
    expect(err.hint).toContain(`mig state unlock --force ${held.id}`);
    expect(await store({}, '?name=held').currentLock()).toEqual(held);
  });

  it('lets exactly one of many concurrent lockers win', async () => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store({}, '?name=many').lock(`op${i}`)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(LockedError);
  });

  it('takes over a lock whose lease lapsed, says so, and fences the old holder out of writing', async () => {
    // The first holder never renews (as if it hung or crashed): its 1.5 s lease lapses.
    const first = store({ leaseMs: 1500, renewMs: 600_000 }, '?name=lapse');
    const base = await first.write({ ...sampleState(), serial: 0 });
    const stale = await first.lock('apply');
    const seen: LockInfo[] = [];
    const second = store({ onTakeover: (l) => seen.push(l) }, '?name=lapse');
    expect(await failure(second.lock('apply'))).toBeInstanceOf(LockedError);

    await sleep(1700);
    expect(await second.currentLock()).toBeUndefined();
    const taken = await second.lock('apply');
    expect(taken.takenOver).toMatchObject({ id: stale.id, operation: 'apply' });
    expect(seen.map((l) => l.id)).toEqual([stale.id]);

    const err = await failure(first.write(base));
    expect(err.code).toBe('lock-lost');
    expect((await second.read()).serial).toBe(base.serial);
    expect((await second.write(base)).serial).toBe(base.serial + 1);
  });

  it('keeps a held lock alive past its lease by renewing it, and stops when unlocked', async () => {
    const holder = store({ leaseMs: 1500, renewMs: 300 }, '?name=renew');
    const held = await holder.lock('apply');
    await sleep(3200);
    const err = await failure(store({}, '?name=renew').lock('plan'));
    expect((err as LockedError).holder.id).toBe(held.id);
    await holder.unlock(held.id);
    expect(await store({}, '?name=renew').currentLock()).toBeUndefined();
    const next = await store({}, '?name=renew').lock('plan');
    expect(next.takenOver).toBeUndefined();
  });

  it('survives a holder killed with SIGKILL: its lease lapses and the next lock takes over', async () => {
    const child = holderProcess('?name=killed', 'hold');
    const id = await child.lockId;
    child.proc.kill('SIGKILL');
    await new Promise((r) => child.proc.once('exit', r));
    const err = await failure(store({}, '?name=killed').lock('apply'));
    expect(err.message).toContain(id);
    expect(err.message).toContain('no longer running');
    await sleep(1700);
    const taken = await store({}, '?name=killed').lock('apply');
    expect(taken.takenOver?.id).toBe(id);
  });

  it('lets a holder that closes its store without unlocking exit by itself', async () => {
    const child = holderProcess('?name=exits', 'close');
    await child.lockId;
    const code = await new Promise((r) => child.proc.once('exit', r));
    expect(code).toBe(0);
  });

  it('force-unlocks only the named lock', async () => {
    const s = store({}, '?name=force');
    expect((await failure(s.forceUnlock('nope'))).code).toBe('not-locked');
    const held = await store({}, '?name=force').lock('apply');
    const mismatch = await failure(s.forceUnlock('11111111-2222-4333-8444-555555555555'));
    expect(mismatch.code).toBe('lock-mismatch');
    expect(mismatch.hint).toContain(held.id);
    await s.forceUnlock(held.id);
    expect(await s.currentLock()).toBeUndefined();
    expect((await s.lock('apply')).id).not.toBe(held.id);
  });

  it('names the CREATE privilege when it cannot create its tables', async () => {
    await admin.query(`CREATE USER '${LIMITED_USER}'@'127.0.0.1' IDENTIFIED BY '${LIMITED_PASSWORD}'`);
    await admin.query(`GRANT SELECT, INSERT, UPDATE ON \`${DB}\`.* TO '${LIMITED_USER}'@'127.0.0.1'`);
    const url = `mysql://${LIMITED_USER}:${LIMITED_PASSWORD}@127.0.0.1:${MYSQL_PORT}/${DB}?table=other_state`;
    const s = MysqlStateStore.fromUrl(url, 'test');
    stores.push(s);
    const err = await failure(s.read());
    expect(err.code).toBe('state-privilege');
    expect(err.message).toContain('CREATE privilege');
    expect(`${err.message} ${err.hint}`).not.toContain(LIMITED_PASSWORD);
    // Tables an administrator created are enough: no CREATE needed then.
    const ok = MysqlStateStore.fromUrl(url.replace('other_state', 'mig_state'), 'test');
    stores.push(ok);
    expect((await ok.read()).serial).toBe(0);
  });
});

/** A separate process (the built store) that takes the lock with a 1.5 s lease, then holds it or closes. */
function holderProcess(query: string, mode: 'hold' | 'close'): { proc: ChildProcess; lockId: Promise<string> } {
  const script = `
    import { MysqlStateStore } from ${JSON.stringify(path.join(REPO_ROOT, 'dist', 'state', 'mysql-store.js'))};
    const store = MysqlStateStore.fromUrl(process.argv[1], 'child', {}, { leaseMs: 1500, renewMs: 600000 });
    const lock = await store.lock('apply');
    process.stdout.write(lock.id + '\\n');
    if (process.argv[2] === 'close') await store.close();
    else setInterval(() => {}, 1000);
  `;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', script, `${URL}${query}`, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const lockId = new Promise<string>((ok, fail) => {
    proc.stdout?.once('data', (d: Buffer) => ok(d.toString().trim()));
    proc.once('exit', (code) => fail(new Error(`holder exited (${code}) before locking: ${err}`)));
  });
  return { proc, lockId };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function mig(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runMig(args, { cwd: projectDir, env });
}

describe('mig with a MySQL state (built CLI)', () => {
  const env = { MIG_STATE_URL: `${URL}?name=cli` };

  it('migrates file → mysql → file keeping the lineage', async () => {
    const file = new FileStateStore(path.join(projectDir, '.mig', 'state.json'));
    let seeded = await file.write({ ...sampleState(), serial: 0 });
    seeded = await file.write(seeded);

    const there = await mig(['state', 'migrate', '--to', 'mysql:${env:MIG_STATE_URL}'], env);
    expect(there.stderr).toBe('');
    expect(there.code).toBe(0);
    expect(there.stdout).toContain(`serial ${seeded.serial + 1}`);
    const inDb = await store({}, '?name=cli').read();
    expect(inDb).toEqual({ ...seeded, serial: seeded.serial + 1 });

    // Again: the target now holds a newer copy, refused without --force.
    const again = await mig(['state', 'migrate', '--to', 'mysql:${env:MIG_STATE_URL}'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('newer copy');

    const back = await mig(['state', 'migrate', '--from', 'mysql:${env:MIG_STATE_URL}', '--to', 'file:back/state.json'], env);
    expect(back.code).toBe(0);
    const returned = await new FileStateStore(path.join(projectDir, 'back', 'state.json')).read();
    expect(returned).toEqual({ ...seeded, serial: seeded.serial + 2 });
    expect(returned.lineage).toBe(seeded.lineage);
  });

  it('reads the state through --state-url and through mig.config.yaml', async () => {
    const viaFlag = await mig(['state', 'show', '--state-url', '${env:MIG_STATE_URL}', '--json'], env);
    expect(viaFlag.code).toBe(0);
    const shown = JSON.parse(viaFlag.stdout) as { location: string; state: State };
    expect(shown.location).toBe(`mysql://root@127.0.0.1:${MYSQL_PORT}/${DB}?table=mig_state&name=cli`);
    expect(shown.state.lineage).toBe(sampleState().lineage);

    await writeFile(path.join(projectDir, 'mig.config.yaml'), 'state:\n  backend: mysql\n  url: ${env:MIG_STATE_URL}\n');
    try {
      const viaConfig = await mig(['state', 'show'], env);
      expect(viaConfig.code).toBe(0);
      expect(viaConfig.stdout).toContain(`name=cli: version ${CURRENT_STATE_VERSION}, serial ${shown.state.serial}`);
      // --state still wins over the configuration.
      const viaFile = await mig(['state', 'show', '--state', 'back/state.json'], env);
      expect(viaFile.stdout).toContain('state back/state.json');
    } finally {
      await rm(path.join(projectDir, 'mig.config.yaml'));
    }
  });

  it('reports a wrong password without showing it', async () => {
    const password = 'Wr0ng-Pa55-q8z';
    const bad = `mysql://root:${password}@127.0.0.1:${MYSQL_PORT}/${DB}`;
    for (const args of [
      ['state', 'show', '--state-url', bad],
      ['state', 'show', '--state-url', '${env:BAD_STATE_URL}'],
    ]) {
      const run = await mig(args, { BAD_STATE_URL: bad });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("refused user 'root'");
      expect(run.stdout + run.stderr).not.toContain(password);
    }
  });
});
