// Moving a state between stores (file to file here; MySQL in the integration tests): lineage kept,
// serial past both copies, refused over another lineage or a newer copy unless forced, under both locks.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../../src/state/file-store.js';
import { emptyState, type State } from '../../../src/state/model.js';
import { transferState } from '../../../src/state/transfer.js';
import { LockedError, MigError } from '../../../src/util/errors.js';
import { sampleState } from './sample-state.js';

let dir: string;
let from: FileStateStore;
let to: FileStateStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mig-transfer-'));
  from = new FileStateStore(join(dir, 'a', 'state.json'));
  to = new FileStateStore(join(dir, 'b', 'state.json'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<MigError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(MigError);
  return err as MigError;
}

/** Writes `state` through the store's own write(), `times` times, so the serial is real. */
async function seed(store: FileStateStore, state: State, times: number): Promise<State> {
  let cur: State = { ...state, serial: 0 };
  for (let i = 0; i < times; i++) cur = await store.write(cur);
  return cur;
}

describe('transferState', () => {
  it('copies into an empty target keeping the lineage, one serial past the source', async () => {
    const src = await seed(from, sampleState(), 3);
    const { source, written, replaced } = await transferState(from, to);
    expect(source).toEqual(src);
    expect(replaced).toBeUndefined();
    expect(written).toEqual({ ...src, serial: 4 });
    expect(await to.read()).toEqual(written);
    // The source is left alone, and both locks are released.
    expect(await from.read()).toEqual(src);
    expect(await from.currentLock()).toBeUndefined();
    expect(await to.currentLock()).toBeUndefined();
  });

  it('moves past an older copy of the same lineage and keeps it as the backup', async () => {
    const old = await seed(to, sampleState(), 2);
    await seed(from, sampleState(), 5);
    const { written, replaced } = await transferState(from, to);
    expect(replaced).toEqual(old);
    expect(written.serial).toBe(6);
    expect(JSON.parse(await readFile(to.backupPath, 'utf8')).serial).toBe(2);
  });

  it('refuses a target of another lineage unless forced', async () => {
    await seed(to, emptyState('00000000-0000-4000-8000-00000000000b'), 7);
    await seed(from, sampleState(), 2);
    const err = await failure(transferState(from, to));
    expect(err.code).toBe('lineage-mismatch');
    expect(err.message).toContain('00000000-0000-4000-8000-00000000000b');
    expect(err.hint).toContain('--force');
    expect((await to.read()).serial).toBe(7);
    expect(await from.currentLock()).toBeUndefined();

    const { written } = await transferState(from, to, { force: true });
    expect(written.lineage).toBe(sampleState().lineage);
    expect(written.serial).toBe(8);
  });

  it('refuses a target holding a newer copy unless forced', async () => {
    await seed(to, sampleState(), 4);
    await seed(from, sampleState(), 2);
    expect((await failure(transferState(from, to))).code).toBe('target-newer');
    expect((await transferState(from, to, { force: true })).written.serial).toBe(5);
  });

  it('refuses an empty source and the same store twice', async () => {
    expect((await failure(transferState(from, to))).code).toBe('state-empty');
    await seed(from, sampleState(), 1);
    expect((await failure(transferState(from, new FileStateStore(from.path)))).code).toBe('same-store');
  });

  it('fails at once when the target is locked, releasing the source', async () => {
    await seed(from, sampleState(), 1);
    const held = await to.lock('apply');
    const err = await failure(transferState(from, to));
    expect(err).toBeInstanceOf(LockedError);
    expect(err.message).toContain(held.id);
    expect(await from.currentLock()).toBeUndefined();
  });
});
