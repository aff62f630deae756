// The stream loop holds its flushes until what the reader handed on is paid for, and a stop does not wait.
import { describe, expect, it } from 'vitest';
import { LoopControl, runStreamLoop, type LoopReader } from '../../../src/engine/stream-loop.js';
import type { RunContext } from '../../../src/engine/context.js';
import type { Delivery } from '../../../src/engine/delivery.js';
import type { ChangeEvent } from '../../../src/model/source-data.js';
import type { Migration } from '../../../src/spec/schema.js';

const row = (id: number): ChangeEvent => ({ kind: 'row', op: 'insert', database: 'd', table: 't', after: { id: String(id) }, timestamp: 0, id });

function context(rowsPerSecond: number, signal: AbortSignal): RunContext<unknown> {
  const noop = async () => undefined;
  return {
    migration: { spec: { throttle: { incremental: { rowsPerSecond } } } } as unknown as Migration,
    sink: { capabilities: { queueSize: 1000 } },
    checkpointer: { save: noop, saveIfDirty: noop },
    signal,
  } as unknown as RunContext<unknown>;
}

/** A reader that hands on `n` rows at start, a delivery that records when each flush ran. */
function pair(control: LoopControl, n: number) {
  let queued = 0;
  const flushes: { at: number; rows: number }[] = [];
  const reader: LoopReader = {
    start: async () => {
      const events = Array.from({ length: n }, (_, i) => row(i));
      control.read(events);
      queued += events.length;
      control.poke();
    },
    pause: () => undefined,
    resume: () => undefined,
    stop: async () => undefined,
    failure: () => undefined,
    caughtUp: () => (queued === 0 ? true : undefined),
  };
  const delivery: Delivery<number> = {
    get backlog() {
      return queued;
    },
    midTransaction: false,
    flush: async () => {
      if (queued === 0) return false;
      flushes.push({ at: Date.now(), rows: queued });
      const rows = queued;
      queued = 0;
      return rows;
    },
    settle: async () => false,
  };
  return { reader, delivery, flushes };
}

const hooks = { progress: () => undefined, stopped: () => undefined };

describe('the stream loop under spec.throttle.incremental', () => {
  it('writes what was read only once it is paid for', async () => {
    const control = new LoopControl();
    const { reader, delivery, flushes } = pair(control, 30);
    const started = Date.now();
    await runStreamLoop(context(100, new AbortController().signal), control, reader, delivery, hooks);
    expect(flushes).toHaveLength(1);
    // 30 rows at 100 rows/s: 300 ms, the bucket starting empty.
    expect(flushes[0]!.at - started).toBeGreaterThanOrEqual(280);
    expect(flushes[0]!.rows).toBe(30);
  });

  it('does not hold a stop: what is queued is written at once', async () => {
    const control = new LoopControl();
    const { reader, delivery, flushes } = pair(control, 3600);
    const stop = new AbortController();
    const started = Date.now();
    setTimeout(() => stop.abort(), 50);
    await runStreamLoop(context(1, stop.signal), control, reader, delivery, hooks);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(flushes.map((f) => f.rows)).toEqual([3600]);
  });
});
