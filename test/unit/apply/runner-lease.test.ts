// A following runner that loses its lease (it could not renew in time and another runner took it
// over) stops writing and stands by again, instead of ending or writing over its successor.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { FileStateStore } from '../../../src/state/file-store.js';
import type { LeaseOutcome, RunnerLease } from '../../../src/state/store.js';
import { runOne } from '../../../src/engine/runner.js';
import type { ApplyEvent } from '../../../src/model/events.js';
import { sampleState } from '../state/sample-state.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mig-runner-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A file store whose lease is taken over by another runner at the first renewal. */
class TakenOverStore extends FileStateStore {
  takenOver = false;
  readonly other: RunnerLease = { id: 'other', migration: 'orders', pid: 1, host: 'elsewhere', since: new Date().toISOString(), expiresAt: new Date(Date.now() + 60_000).toISOString() };

  override async acquireLease(migration: string, leaseMs: number): Promise<LeaseOutcome> {
    return this.takenOver ? { held: false, holder: this.other } : super.acquireLease(migration, leaseMs);
  }

  override async renewLease(): Promise<boolean> {
    this.takenOver = true;
    return false;
  }
}

it('stands by again after losing its lease, and writes nothing more', async () => {
  const store = new TakenOverStore(join(dir, 'state.json'));
  // The spec's password refers to an unset variable: every run fails at once, without a network.
  delete process.env.DB_PASSWORD;
  await store.write({ ...sampleState(), serial: 0 });
  const events: ApplyEvent[] = [];
  const abort = new AbortController();
  const done = runOne(store, 'orders', {
    specDir: dir, leaseMs: 300, mode: 'follow', standby: true, awaitFix: true, signal: abort.signal, pollMs: 50, retryMs: 60_000, // a retry this far off: standing by must not wait for it
    hook: (e) => {
      events.push(e);
      if (e.type === 'lease' && e.event === 'standby') abort.abort();
    },
  });
  const outcome = await done;
  const leaseEvents = events.filter((e): e is Extract<ApplyEvent, { type: 'lease' }> => e.type === 'lease').map((e) => e.event);
  expect(leaseEvents).toEqual(['taken', 'lost', 'standby']);
  expect(events.some((e) => e.type === 'runner-error')).toBe(true);
  expect(outcome).toEqual({ migration: 'orders', result: 'stopped' });
  // The failure was recorded while the lease was held; nothing after the loss.
  const state = await new FileStateStore(join(dir, 'state.json')).read();
  expect(state.migrations.orders!.runner?.status).toBe('failed');
});
