import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../../src/state/file-store.js';
import type { LockInfo } from '../../../src/state/model.js';
import { withLock } from '../../../src/state/ops.js';
import { LockedError, MigError } from '../../../src/util/errors.js';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mig-lock-'));
  file = join(dir, '.mig', 'state.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<MigError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof MigError) return err;
    throw err;
  }
  throw new Error('expected a MigError');
}

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

async function plantLock(lock: Partial<LockInfo>): Promise<LockInfo> {
  const full: LockInfo = {
    id: '11111111-2222-4333-8444-555555555555',
    pid: process.pid,
    host: hostname(),
    time: '2024-05-01T10:00:00.000Z',
    operation: 'apply',
    ...lock,
  };
  await mkdir(dirname(file), { recursive: true });
  await writeFile(`${file}.lock`, JSON.stringify(full));
  return full;
}

describe('FileStateStore lock', () => {
  it('writes the holder into <file>.lock and reports it as the current lock', async () => {
    const store = new FileStateStore(file);
    expect(await store.currentLock()).toBeUndefined();
    const lock = await store.lock('apply');
    expect(lock).toMatchObject({ pid: process.pid, host: hostname(), operation: 'apply' });
    expect(lock.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(await readFile(`${file}.lock`, 'utf8'))).toEqual(lock);
    expect(await new FileStateStore(file).currentLock()).toEqual(lock);
  });

  it('fails a second lock at once, naming the holder', async () => {
    const held = await new FileStateStore(file).lock('apply');
    const started = Date.now();
    const err = await rejection(new FileStateStore(file).lock('plan'));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(err).toBeInstanceOf(LockedError);
    expect(err.code).toBe('state-locked');
    expect((err as LockedError).holder).toEqual(held);
    expect(err.message).toContain(held.id);
    expect(err.message).toContain(`pid ${held.pid}`);
    expect(err.message).toContain('apply');
    expect(err.message).not.toContain('no longer running');
    expect(err.hint).toContain(`mig state unlock --force ${held.id}`);
  });

  it('lets exactly one of many concurrent lockers win', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => new FileStateStore(file).lock(`op${i}`)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(LockedError);
  });

  it('says so when the holder on this host is no longer running', async () => {
    const held = await plantLock({ pid: deadPid() });
    const err = await rejection(new FileStateStore(file).lock('apply'));
    expect(err.message).toContain('the holder process is no longer running');
    expect(err.message).toContain(`pid ${held.pid}`);
  });

  it('does not judge a pid from another host', async () => {
    await plantLock({ pid: deadPid(), host: `not-${hostname()}` });
    const err = await rejection(new FileStateStore(file).lock('apply'));
    expect(err.message).not.toContain('no longer running');
  });

  it('unlock removes only the lock with that id', async () => {
    const store = new FileStateStore(file);
    const lock = await store.lock('apply');
    await store.unlock('some-other-id');
    expect(await store.currentLock()).toEqual(lock);
    await store.unlock(lock.id);
    expect(await store.currentLock()).toBeUndefined();
    await store.unlock(lock.id); // already gone: not an error
    const again = await store.lock('apply');
    expect(again.id).not.toBe(lock.id);
  });

  it('force unlock needs the current id', async () => {
    const store = new FileStateStore(file);
    expect((await rejection(store.forceUnlock('x'))).code).toBe('not-locked');
    const held = await plantLock({ pid: deadPid() });
    const err = await rejection(store.forceUnlock('wrong-id'));
    expect(err.code).toBe('lock-mismatch');
    expect(err.message).toContain(held.id);
    expect(await store.currentLock()).toEqual(held);
    await store.forceUnlock(held.id);
    expect(await store.currentLock()).toBeUndefined();
  });

  it('reports an unreadable lock file instead of guessing', async () => {
    await plantLock({});
    await writeFile(`${file}.lock`, '{"id":');
    const store = new FileStateStore(file);
    const err = await rejection(store.lock('apply'));
    expect(err.code).toBe('lock-corrupt');
    expect(err.hint).toContain(`${file}.lock`);
  });

  it('withLock releases the lock when the work succeeds or fails', async () => {
    const store = new FileStateStore(file);
    const result = await withLock(store, 'apply', async (lock) => {
      expect((await store.currentLock())?.id).toBe(lock.id);
      return 7;
    });
    expect(result).toBe(7);
    expect(await store.currentLock()).toBeUndefined();

    await expect(
      withLock(store, 'apply', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.currentLock()).toBeUndefined();
  });
});
