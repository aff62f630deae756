// The throttled checkpoint: within the interval a save is skipped, but with `maxSkipped` no more
// than that many in a row, so what a crash makes the full load send again is bounded by a count of
// chunks and not only by time.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../../src/state/file-store.js';
import { Checkpointer } from '../../../src/engine/checkpointer.js';
import { sampleState } from '../state/sample-state.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mig-cp-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Checkpointer.saveThrottled', () => {
  it('skips within the interval, but never more than maxSkipped saves in a row', async () => {
    const store = new FileStateStore(join(dir, 'state.json'));
    await store.write({ ...sampleState(), serial: 0 });
    const cp = new Checkpointer(store, await store.read(), { intervalMs: 60_000 });
    await cp.save();
    const serial = async () => (await store.read()).serial;
    const first = await serial();
    // Unbounded: every save inside the minute is skipped.
    for (let i = 0; i < 5; i++) await cp.saveThrottled();
    expect(await serial()).toBe(first);
    await cp.save();
    const second = await serial();
    // At most one in a row: skip, write, skip, write.
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      await cp.saveThrottled(1);
      seen.push(await serial());
    }
    expect(seen).toEqual([second, second + 1, second + 1, second + 2]);
  });
});
