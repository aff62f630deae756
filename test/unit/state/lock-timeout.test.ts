import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../../src/state/file-store.js';
import type { LockInfo } from '../../../src/state/model.js';
import { acquireLock, withLock, withLockReclaiming } from '../../../src/state/ops.js';
import { parseDuration } from '../../../src/engine/wait-runner.js';
import { MigError } from '../../../src/util/errors.js';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mig-lockwait-'));
  file = join(dir, '.mig', 'state.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('--lock-timeout: waiting for a held state lock', () => {
  it('fails at once without a timeout, the fix naming --lock-timeout', async () => {
    const holder = new FileStateStore(file);
    await holder.lock('apply');
    const started = Date.now();
    const err = await acquireLock(new FileStateStore(file), 'destroy').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigError);
    expect((err as MigError).code).toBe('state-locked');
    expect((err as MigError).hint).toContain('--lock-timeout');
    expect(Date.now() - started).toBeLessThan(400);
  });

  it('takes the lock once the holder releases it within the timeout, announcing the wait once', async () => {
    const holder = new FileStateStore(file);
    const held = await holder.lock('apply');
    const heard: LockInfo[] = [];
    setTimeout(() => void holder.unlock(held.id), 300);
    const started = Date.now();
    const got = await withLock(new FileStateStore(file), 'destroy', async (l) => l, { timeoutMs: 5000, pollMs: 50, onWait: (h) => heard.push(h) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(got.operation).toBe('destroy');
    expect(heard).toEqual([held]);
    // Released after fn: the next taker gets it at once.
    expect(await new FileStateStore(file).currentLock()).toBeUndefined();
  });

  it('times out with the holder named and how long it waited', async () => {
    const holder = new FileStateStore(file);
    const held = await holder.lock('apply');
    const started = Date.now();
    const err = (await withLock(new FileStateStore(file), 'destroy', () => Promise.resolve(1), { timeoutMs: 400, pollMs: 50 }).catch((e: unknown) => e)) as MigError;
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(380);
    expect(took).toBeLessThan(2000);
    expect(err.code).toBe('state-locked');
    expect(err.message).toContain(`lock id ${held.id}`);
    expect(err.message).toContain('still held after waiting 0.4 s');
    expect(err.hint).toContain(`mig state unlock --force ${held.id}`);
    expect(await holder.currentLock()).toEqual(held);
  });

  it('withLockReclaiming waits too, and passes the wait to the lock', async () => {
    const holder = new FileStateStore(file);
    const held = await holder.lock('apply');
    setTimeout(() => void holder.unlock(held.id), 200);
    const r = await withLockReclaiming(new FileStateStore(file), 'apply', () => undefined, () => Promise.resolve('done'), { timeoutMs: 3000, pollMs: 50 });
    expect(r).toBe('done');
  });

  it('reads durations as the flag says them', () => {
    expect(parseDuration('30s', '--lock-timeout')).toBe(30_000);
    expect(parseDuration('5m', '--lock-timeout')).toBe(300_000);
    expect(parseDuration('0', '--lock-timeout')).toBe(0);
    expect(() => parseDuration('soon', '--lock-timeout')).toThrow(/--lock-timeout soon: not a duration/);
  });
});
