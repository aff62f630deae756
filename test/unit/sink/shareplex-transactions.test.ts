// SharePlex JSON's transaction fields end to end through the delivery and the router: the binlog
// reader hands a transaction on as TxBatch parts (`end` on the last), and each message says which
// transaction it belongs to (trans), its place in it (seq), the transaction's size and "seq/size",
// as DTS documents them for its Shareplex Json format.
import { describe, expect, it } from 'vitest';
import { ackDelivery } from '../../../src/engine/delivery-ack.js';
import { Router } from '../../../src/connectors/sinks/kafka/router.js';
import { shareplexJson } from '../../../src/connectors/sinks/kafka/formats/shareplex-json.js';
import type { KafkaDestination } from '../../../src/spec/schema.js';
import type { ChangeEvent, ColumnInfo, TableInfo } from '../../../src/model/source-data.js';
import type { DesiredTable } from '../../../src/model/targets.js';

const col = (name: string, dataType: string, columnType: string): ColumnInfo => ({ name, dataType, columnType, unsigned: false, nullable: true, binary: false });
const shape: TableInfo = {
  database: 'shop', table: 'orders', columns: [col('id', 'int', 'int(11)'), col('status', 'varchar', 'varchar(10)')],
  primaryKey: ['id'], chunkKey: ['id'], keyKind: 'primary', estimatedRows: 0,
};
const dest: KafkaDestination = { type: 'kafka', brokers: ['h:1'], topic: 't', format: 'shareplex-json', partitions: 1, replicationFactor: 1 };
const table = (over: Partial<DesiredTable> = {}): DesiredTable =>
  ({ id: 'shop.orders', database: 'shop', table: 'orders', target: 't', operations: ['insert', 'update', 'delete', 'ddl'], ddl: { policy: 'replicate', from: 'default' }, snapshotDigest: '', ...over });

interface Meta { trans: string; seq: number; size: number; idx: string }

/**
 * Hands the batches to the delivery (take() only needs the sink, the shapes and a state to count in) with the Kafka router
 * and SharePlex JSON as the sink, and returns each message's transaction fields in order.
 */
function deliver(batches: { events: ChangeEvent[]; end?: boolean }[], t: DesiredTable = table()) {
  const router = new Router({
    tables: new Map([[t.id, t]]), destination: dest, format: shareplexJson, source: { type: 'MySQL', version: 'x' },
    flavor: 'mariadb', partitionsOf: () => 1, onOversized: () => undefined,
  });
  const out: Meta[] = [];
  const ctx = {
    sink: {
      change: (ev: ChangeEvent, shapeOf: (id: string) => TableInfo | undefined, now: number) => {
        const m = router.change(ev, shapeOf, now);
        if (m) {
          const { trans, seq, size, idx } = JSON.parse(m.value.toString()).meta as Meta;
          out.push({ trans, seq, size, idx });
        }
        return m;
      },
    },
    shapes: new Map([['shop.orders', shape]]),
    mstate: {},
  };
  const d = ackDelivery(ctx as never);
  for (const b of batches) d.take({ events: b.events, end: b.end ? { file: 'mysql-bin.000002', pos: 9 } : undefined });
  return { out, router };
}

// Change ids as the reader makes them: binlog file index above bit 32, the transaction's start offset
// plus the change's ordinal below.
const FILE = 2 * 2 ** 32;
const ins = (txStart: number, ordinal: number, status = 'new'): ChangeEvent =>
  ({ kind: 'row', op: 'insert', database: 'shop', table: 'orders', after: { id: String(ordinal), status }, timestamp: 1000, id: FILE + txStart + ordinal });
const tx = (txStart: number, n: number): ChangeEvent[] => Array.from({ length: n }, (_, i) => ins(txStart, i));

describe('SharePlex JSON transaction fields through the delivery', () => {
  it('a 5-change transaction in one part: one trans, seq 1..5, size 5, idx "seq/5"; the next transaction has its own trans', () => {
    const { out } = deliver([{ events: tx(400, 5), end: true }, { events: tx(900, 2), end: true }]);
    expect(out).toEqual([
      ...[1, 2, 3, 4, 5].map((seq) => ({ trans: '400@2', seq, size: 5, idx: `${seq}/5` })),
      ...[1, 2].map((seq) => ({ trans: '900@2', seq, size: 2, idx: `${seq}/2` })),
    ]);
  });

  it('a transaction handed on in parts: seq runs on across parts; size is 0 (unknown) before the last part and real on it', () => {
    const all = tx(100, 5);
    const { out } = deliver([{ events: all.slice(0, 2) }, { events: all.slice(2, 4) }, { events: all.slice(4), end: true }]);
    expect(out).toEqual([
      { trans: '100@2', seq: 1, size: 0, idx: '1/0' }, { trans: '100@2', seq: 2, size: 0, idx: '2/0' },
      { trans: '100@2', seq: 3, size: 0, idx: '3/0' }, { trans: '100@2', seq: 4, size: 0, idx: '4/0' },
      { trans: '100@2', seq: 5, size: 5, idx: '5/5' },
    ]);
  });

  it('counts the source transaction: a filtered destination sees gaps in seq and the whole size', () => {
    const events = [ins(50, 0, 'a'), ins(50, 1, 'b'), ins(50, 2, 'a')];
    const { out, router } = deliver([{ events, end: true }], table({ filter: "status = 'a'" }));
    expect(out).toEqual([{ trans: '50@2', seq: 1, size: 3, idx: '1/3' }, { trans: '50@2', seq: 3, size: 3, idx: '3/3' }]);
    expect(router.skipped).toBe(1);
  });

  it('DDL and full-load rows are units of their own: trans "", 1 of 1', () => {
    const ddl: ChangeEvent = { kind: 'ddl', database: 'shop', table: 'orders', sql: 'ALTER TABLE orders ADD x INT', timestamp: 1, id: FILE + 700 };
    const { out, router } = deliver([{ events: tx(600, 1), end: true }, { events: [ddl], end: true }, { events: tx(800, 1), end: true }]);
    expect(out).toEqual([
      { trans: '600@2', seq: 1, size: 1, idx: '1/1' }, { trans: '', seq: 1, size: 1, idx: '1/1' }, { trans: '800@2', seq: 1, size: 1, idx: '1/1' },
    ]);
    const load = JSON.parse(router.snapshotRow(shape, { id: '1', status: 'x' }, 1, 2)!.value.toString()).meta;
    expect([load.trans, load.seq, load.size, load.idx]).toEqual(['', 1, 1, '1/1']);
  });
});
