// Generations: what the runner takes up, what a plan is made against, and how a runner's write
// folds in a generation apply recorded meanwhile (and the reverse), without losing either side.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../../src/state/file-store.js';
import { generationsOf, mergeRunnerState, pendingGeneration, projectDesired, takeUpGeneration } from '../../../src/state/generation.js';
import type { State, TableState } from '../../../src/state/model.js';
import { Checkpointer } from '../../../src/engine/checkpointer.js';
import { sampleState } from './sample-state.js';

const fresh = (id: string): TableState => ({ id, phase: 'pending', target: id, snapshotDigest: 'd', keyColumns: [], rowsCopied: 0 });

function withDesired(state: State, change: Partial<NonNullable<State['migrations'][string]['desired']>> = {}): State {
  const ms = state.migrations.orders!;
  ms.observedGeneration = 1;
  ms.generation = 2;
  ms.desired = { generation: 2, recordedAt: '2026-01-01T00:00:00.000Z', spec: ms.spec, digest: 'sha256:new', dropTables: [], addTables: [fresh('shop.items')], ...change };
  return state;
}

describe('taking up a generation', () => {
  it('adds the new tables, drops the dropped ones, keeps the others and their progress', () => {
    const state = withDesired(sampleState(), { dropTables: ['shop.orders'], addTables: [fresh('shop.items'), fresh('shop.orders')] });
    const ms = state.migrations.orders!;
    ms.checkpoint = { file: 'b.000001', pos: 400 };
    expect(pendingGeneration(ms)).toBe(2);
    expect(takeUpGeneration(ms)).toBe('taken');
    expect(ms.observedGeneration).toBe(2);
    expect(ms.desired).toBeUndefined();
    expect(ms.digest).toBe('sha256:new');
    expect(ms.tables['shop.orders']!.rowsCopied).toBe(0);
    expect(Object.keys(ms.tables).sort()).toEqual(['shop.items', 'shop.orders']);
    // A table change never moves the stream's position.
    expect(ms.checkpoint).toEqual({ file: 'b.000001', pos: 400 });
    expect(pendingGeneration(ms)).toBeUndefined();
  });

  it('a new snapshot drops the positions; a plan removing the migration says so', () => {
    const a = withDesired(sampleState(), { resnapshot: true });
    a.migrations.orders!.checkpoint = { file: 'b.000001', pos: 400 };
    takeUpGeneration(a.migrations.orders!);
    expect(a.migrations.orders!.checkpoint).toBeUndefined();
    expect(a.migrations.orders!.snapshot).toBeUndefined();
    const b = withDesired(sampleState(), { spec: undefined, digest: undefined });
    expect(takeUpGeneration(b.migrations.orders!)).toBe('removed');
  });

  it('plans are made against the projection, which leaves the state itself alone', () => {
    const state = withDesired(sampleState());
    const projected = projectDesired(state);
    expect(Object.keys(projected.migrations.orders!.tables).sort()).toEqual(['shop.items', 'shop.orders']);
    expect(state.migrations.orders!.desired?.generation).toBe(2);
    expect(generationsOf(state)).toEqual({ orders: 2 });
    expect(generationsOf(projected)).toEqual({ orders: 2 });
  });
});

describe('a runner write meeting an apply write', () => {
  it('keeps the runner progress and the approved generation', () => {
    const mine = sampleState();
    mine.migrations.orders!.checkpoint = { file: 'b.000002', pos: 9 };
    const disk = withDesired(sampleState());
    disk.serial = 9;
    disk.migrations.other = { ...structuredClone(disk.migrations.orders!), name: 'other' };
    mergeRunnerState(mine, disk, new Set(['orders']));
    expect(mine.serial).toBe(9);
    expect(mine.migrations.orders!.checkpoint).toEqual({ file: 'b.000002', pos: 9 });
    expect(mine.migrations.orders!.desired?.generation).toBe(2);
    expect(mine.migrations.other).toBeDefined();
  });

  it('a generation the runner already took up is not taken from the disk again', () => {
    const mine = withDesired(sampleState());
    takeUpGeneration(mine.migrations.orders!);
    mergeRunnerState(mine, withDesired(sampleState()), new Set(['orders']));
    expect(mine.migrations.orders!.desired).toBeUndefined();
  });
});

describe('concurrent writers on one file state', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mig-gen-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a checkpointing runner and a recording apply both land, every time', async () => {
    const path = join(dir, 'state.json');
    const first = new FileStateStore(path);
    await first.write({ ...sampleState(), serial: 0 });
    const runnerStore = new FileStateStore(path);
    const cp = new Checkpointer(runnerStore, await runnerStore.read(), { runs: new Set(['orders']), intervalMs: 0 });
    const applyStore = new FileStateStore(path);
    let recorded = 0;
    const runner = (async () => {
      for (let i = 1; i <= 60; i++) {
        cp.state.migrations.orders!.eventsStreamed = i;
        await cp.save();
      }
    })();
    const apply = (async () => {
      for (let g = 1; g <= 15; g++) {
        for (;;) {
          const s = await applyStore.read();
          s.migrations.orders!.generation = g;
          try {
            await applyStore.write(s);
            recorded = g;
            break;
          } catch (e) {
            if ((e as { code?: string }).code !== 'state-conflict') throw e;
          }
        }
      }
    })();
    await Promise.all([runner, apply]);
    await cp.save();
    const final = await new FileStateStore(path).read();
    expect(recorded).toBe(15);
    expect(final.migrations.orders!.eventsStreamed).toBe(60);
    expect(final.migrations.orders!.generation).toBe(15);
  });
});
