// The one reading of a migration (model/progress.ts) and the counters the deliveries move: read =
// written + filtered + skipped once everything is flushed, lag in source time from the newest
// durable commit, and the same figures in mig status.
import { describe, expect, it } from 'vitest';
import { ackDelivery } from '../../../src/engine/delivery-ack.js';
import { recordingHook } from '../../../src/engine/record-events.js';
import { progressOf } from '../../../src/model/progress.js';
import { statusOf } from '../../../src/cli/views/status.js';
import type { RunContext } from '../../../src/engine/context.js';
import type { ChangeEvent } from '../../../src/model/source-data.js';
import type { MigrationState, State } from '../../../src/state/model.js';
import type { ApplyEvent } from '../../../src/model/events.js';

const row = (table: string, id: number): ChangeEvent => ({ kind: 'row', op: 'insert', database: 'd', table, after: { id: String(id) }, timestamp: 0, id });

function mstate(extra: Partial<MigrationState> = {}): MigrationState {
  return {
    name: 'm',
    spec: { metadata: { name: 'm', labels: { env: 'prod' } }, spec: {} },
    digest: 'x',
    appliedAt: '2026-01-01T00:00:00.000Z',
    tables: {
      'd.t': { id: 'd.t', phase: 'incremental', target: 'topic.t', snapshotDigest: 'x', keyColumns: ['id'], rowsCopied: 120, estimatedRows: 100, fullDoneAt: '2026-01-01T00:00:00.000Z' },
    },
    topics: {},
    snapshot: { position: { file: 'b.000001', pos: 4 }, takenAt: '2026-01-01T00:00:00.000Z' },
    ...extra,
  } as unknown as MigrationState;
}

/** A Kafka-like sink: even ids pass the filter; id 4 is refused and skipped as oversized. */
function context(ms: MigrationState): RunContext<number> {
  const noop = async () => undefined;
  const ctx = {
    migration: { metadata: { name: 'm' } },
    mstate: ms,
    shapes: new Map([['d.t', {}]]),
    checkpointer: { save: noop, saveThrottled: noop },
    hook: recordingHook(ms, () => undefined),
    sink: {
      change: (ev: ChangeEvent) => (ev.kind === 'row' && Number(ev.after!.id) % 2 === 0 ? Number(ev.after!.id) : undefined),
      send: async (items: number[]) => {
        for (const i of items) if (i === 4) ctx.hook({ type: 'row-skipped', migration: 'm', row: { table: 'd.t', key: '4', bytes: 9 } } as ApplyEvent);
      },
    },
  };
  return ctx as unknown as RunContext<number>;
}

describe('event counters', () => {
  it('counts read, filtered, skipped and written for a migrated table, nothing for other tables', async () => {
    const ms = mstate();
    const d = ackDelivery(context(ms));
    await d.start();
    d.take({ events: [row('t', 1), row('t', 2), row('t', 3), row('t', 4), row('other', 6)], end: { file: 'b.000001', pos: 100, timestamp: 5000 } });
    expect(ms.counters).toEqual({ read: 4, written: 0, filtered: 2, skipped: 0 });
    await d.flush();
    expect(ms.counters).toEqual({ read: 4, written: 1, filtered: 2, skipped: 1 });
    const c = ms.counters!;
    expect(c.read).toBe(c.written + c.filtered + c.skipped);
  });

  it('a state from before counters starts from its written count', () => {
    expect(progressOf(mstate({ eventsStreamed: 7 }), 0).events).toEqual({ read: 0, written: 7, filtered: 0, skipped: 0 });
  });
});

describe('lag', () => {
  it('is source time now − the newest durable commit, the source clock offset applied', () => {
    const ms = mstate({ checkpoint: { file: 'b.000001', pos: 9, timestamp: 10_000 }, sourceClock: { offsetMs: 2_000, measuredAt: '2026-01-01T00:00:00.000Z' } });
    const p = progressOf(ms, 20_000);
    expect(p.lag).toEqual({ seconds: 12, basis: 'last-event', newestDurableCommit: new Date(10_000).toISOString() });
  });

  it('reads a TiDB feed from its newest commit ts (physical ms in the upper bits)', () => {
    const ts = (BigInt(50_000) << 18n) + 7n;
    const ms = mstate({ snapshot: undefined, feed: { startTs: '1', takenAt: '2026-01-01T00:00:00.000Z', positions: { 'f:0': { offset: '3', commitTs: String(ts) }, 'f:1': { offset: '1', commitTs: '5' } } } });
    expect(progressOf(ms, 53_000).lag.seconds).toBe(3);
  });

  it('is unknown before anything streamed, and says when a heartbeat measures it', () => {
    const ms = mstate();
    (ms.spec.spec as { heartbeat?: unknown }).heartbeat = { enabled: true };
    expect(progressOf(ms, 1).lag).toEqual({ seconds: null, basis: 'heartbeat' });
  });
});

describe('mig status reads the same figures', () => {
  it('shows the counters, the estimate, the labels and the lag of progressOf', () => {
    const ms = mstate({ counters: { read: 9, written: 5, filtered: 3, skipped: 1 }, checkpoint: { file: 'b.000001', pos: 9, timestamp: 1_000 } });
    const state = { version: 2, serial: 1, lineage: 'l', migrations: { m: ms } } as State;
    const [s] = statusOf(state, new Map([['m', 0]]), () => 'TOPIC', {}, 4_000);
    const p = progressOf(ms, 4_000);
    expect(s!.events).toEqual(p.events);
    expect(s!.lag).toEqual(p.lag);
    expect(s!.labels).toEqual({ env: 'prod' });
    expect(s!.caughtUp).toBe(true);
    expect(s!.tables[0]).toMatchObject({ rowsCopied: 120, estimatedRows: 100 });
  });
});
