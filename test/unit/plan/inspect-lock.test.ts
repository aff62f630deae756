// The plan reads who holds the state lock without taking it; apply, which plans under its own lock,
// must not see itself as another process running the migrations.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import path from 'node:path';
import { inspectAll } from '../../../src/plan/make.js';
import { emptyState, type LockInfo } from '../../../src/state/model.js';
import type { StateStore } from '../../../src/state/store.js';

function store(lock: LockInfo | undefined | Error): StateStore {
  const no = () => Promise.reject(new Error('not in this test'));
  return {
    location: 'memory',
    read: () => Promise.resolve(emptyState('L')),
    write: no, lock: no, unlock: no, forceUnlock: no, acquireLease: no, renewLease: no, releaseLease: no,
    currentLock: () => (lock instanceof Error ? Promise.reject(lock) : Promise.resolve(lock)),
    leases: () => Promise.resolve({}),
  };
}

describe('inspectAll and the state lock', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mig-inspect-lock-'));
  const other: LockInfo = { id: 'a', pid: process.pid + 1, host: hostname(), time: '2026-11-20T00:00:00.000Z', operation: 'apply' };

  it('reports a lock another process holds', async () => {
    expect((await inspectAll(dir, store(other))).lock).toEqual(other);
  });

  it('leaves out its own lock, a free one, and a store that cannot tell', async () => {
    expect((await inspectAll(dir, store({ ...other, pid: process.pid }))).lock).toBeUndefined();
    expect((await inspectAll(dir, store(undefined))).lock).toBeUndefined();
    expect((await inspectAll(dir, store(new Error('down')))).lock).toBeUndefined();
  });
});
