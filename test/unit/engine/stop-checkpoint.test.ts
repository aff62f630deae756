// A stream that stops (a signal, a new generation, caught up) while the reader has handed on
// transactions the loop has not written yet must not record a position past them: the checkpoint
// would count them applied and the next run would start after them. Found as a lost UPDATE when a
// runner restarted for a new generation under a write load to a MySQL destination.
import { describe, expect, it } from 'vitest';
import { txDelivery } from '../../../src/engine/delivery-tx.js';
import { ackDelivery } from '../../../src/engine/delivery-ack.js';
import type { RunContext } from '../../../src/engine/context.js';
import type { TransactionalSink, UpstreamTransaction } from '../../../src/connectors/contract.js';
import type { ChangeEvent, TableInfo } from '../../../src/model/source-data.js';
import type { DesiredTable } from '../../../src/model/targets.js';
import type { BinlogPosition, MigrationState } from '../../../src/state/model.js';

const shape = { database: 'd', table: 't', columns: [{ name: 'id' }], key: ['id'] } as unknown as TableInfo;
const change = (table: string, id: number): ChangeEvent => ({ kind: 'row', op: 'update', database: 'd', table, before: { id: String(id) }, after: { id: String(id) }, timestamp: 0, id });
const at = (pos: number): BinlogPosition => ({ file: 'b.000001', pos, serverId: 1 });

function context(applied: UpstreamTransaction[][]): { ctx: RunContext<never>; ms: MigrationState; txSink: TransactionalSink<never> } {
  const ms = { name: 'm', tables: {}, topics: {}, snapshot: { position: at(4), takenAt: '2026-01-01T00:00:00.000Z' } } as unknown as MigrationState;
  const noop = async () => undefined;
  const sink: Partial<TransactionalSink<never>> = {
    applyTransactions: async (txs) => {
      applied.push(txs);
      return { applied: txs.length, rows: 0 };
    },
    readCheckpoints: async () => [],
    finishPendingDdl: async () => [],
  };
  const ctx = {
    migration: { metadata: { name: 'm' } },
    mstate: ms,
    flavor: 'mariadb',
    desired: new Map([['d.t', { id: 'd.t', operations: ['insert', 'update', 'delete', 'ddl'], ddl: { policy: 'replicate', from: 'default' } } as unknown as DesiredTable]]),
    shapes: new Map([['d.t', shape]]),
    checkpointer: { save: noop, saveThrottled: noop, saveIfDirty: noop },
    hook: () => undefined,
    sink: { change: (ev: ChangeEvent) => (ev.kind === 'row' && ev.table === 't' ? 1 : undefined), send: noop },
  };
  return { ctx: ctx as unknown as RunContext<never>, ms, txSink: sink as TransactionalSink<never> };
}

describe('a stop with transactions still queued', () => {
  it('MySQL destination: the quiet stretch after an unwritten transaction is not recorded on a signal stop', async () => {
    const applied: UpstreamTransaction[][] = [];
    const { ctx, ms, txSink } = context(applied);
    const d = txDelivery(ctx, txSink);
    await d.start();
    d.take({ events: [change('t', 1)], end: at(100) }); // a migrated table's change, not flushed yet
    d.take({ events: [change('other', 2)], end: at(200) }); // another table's: nothing to apply
    expect(await d.settle({ stopping: true })).toBe(false);
    // Nothing written: the next run starts at the snapshot and reads the change again.
    expect(applied).toEqual([]);
    expect(ms.checkpoint).toBeUndefined();
    // Once the change is written, the quiet stretch after it may be recorded.
    await d.flush();
    expect(ms.checkpoint?.pos).toBe(100);
    await d.settle({ stopping: true });
    expect(ms.checkpoint?.pos).toBe(200);
  });

  it('MySQL destination: a caught-up stop does not move past a queued transaction', async () => {
    const applied: UpstreamTransaction[][] = [];
    const { ctx, ms, txSink } = context(applied);
    const d = txDelivery(ctx, txSink);
    await d.start();
    d.take({ events: [change('t', 1)], end: at(100) });
    await d.settle({ stopping: true, caughtUp: at(300) });
    expect(applied).toEqual([]);
    expect(ms.checkpoint).toBeUndefined();
  });

  it('Kafka/Tablestore: a caught-up stop does not record a point past changes not yet acknowledged', async () => {
    const { ctx, ms } = context([]);
    const d = ackDelivery(ctx);
    await d.start();
    d.take({ events: [change('t', 1)], end: at(100) });
    await d.settle({ stopping: true, caughtUp: at(300) });
    expect(ms.checkpoint).toBeUndefined();
    await d.flush();
    await d.settle({ stopping: true, caughtUp: at(300) });
    expect(ms.checkpoint?.pos).toBe(300);
  });
});
