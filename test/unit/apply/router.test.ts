import { describe, expect, it } from 'vitest';
import { Router, keyText } from '../../../src/connectors/sinks/kafka/router.js';
import { canalJson } from '../../../src/connectors/sinks/kafka/formats/canal-json.js';
import { javaStringHash, partitionOf } from '../../../src/connectors/sinks/kafka/partitioner.js';
import { buildProjection } from '../../../src/connectors/sinks/kafka/projection.js';
import type { KafkaDestination, Migration } from '../../../src/spec/schema.js';
import type { ApplyEvent } from '../../../src/model/events.js';
import { kafkaRefusals } from '../../../src/connectors/sinks/kafka/dead-letters.js';
import type { ColumnInfo, TableInfo } from '../../../src/model/source-data.js';
import type { DesiredTable } from '../../../src/model/targets.js';
import { MigError } from '../../../src/util/errors.js';

const col = (name: string, dataType = 'varchar', columnType = 'varchar(20)'): ColumnInfo => ({ name, dataType, columnType, unsigned: false, nullable: true, binary: false });
const shape: TableInfo = {
  database: 'Shop', table: 'Orders', columns: [col('id', 'int', 'int(11)'), col('Status'), col('secret'), col('region')],
  primaryKey: ['id'], chunkKey: ['id'], keyKind: 'primary', estimatedRows: 0, uniqueKeys: { PRIMARY: ['id'] },
};
const dest = (over: Partial<KafkaDestination> = {}): KafkaDestination => ({ type: 'kafka', brokers: ['h:1'], topic: 'd', format: 'canal-json', partitions: 1, replicationFactor: 1, ...over });
const table = (over: Partial<DesiredTable> = {}): DesiredTable => ({ id: 'Shop.Orders', database: 'Shop', table: 'Orders', target: 't', operations: ['insert', 'update', 'delete', 'ddl'], ddl: { policy: 'replicate', from: 'default' }, snapshotDigest: '', ...over });

/** A router whose refusals go by the destination's alias policy, through the sink's own refuse. */
function router(d: KafkaDestination, t: DesiredTable, skipped: unknown[] = []) {
  const m = { metadata: { name: 'm' }, spec: { destination: d, objects: [] } } as unknown as Migration;
  const hook = (e: ApplyEvent) => {
    if (e.type === 'row-skipped') skipped.push(e.row);
  };
  return new Router({ tables: new Map([[t.id, t]]), destination: d, format: canalJson, source: { type: 'MySQL', version: 'x' }, flavor: 'mariadb', partitionsOf: () => 8, refuse: kafkaRefusals(m, hook, d.maxMessageBytes ?? 1 << 20) });
}
const row = { id: '42', Status: 'paid', secret: 's3', region: 'eu' };
const body = (v: Buffer) => JSON.parse(v.toString());

describe('partitioner', () => {
  it('is Java String.hashCode, non-negative modulo', () => {
    expect(javaStringHash('')).toBe(0);
    expect(javaStringHash('hello')).toBe(99162322);
    expect(javaStringHash('polygenelubricants')).toBe(-2147483648);
    expect(partitionOf('polygenelubricants', 7)).toBe(0);
    expect(partitionOf('hello', 7)).toBe(99162322 % 7);
  });
});

describe('router', () => {
  it('primary-key policy hashes the key text; the key is the primary key as a JSON array', () => {
    const m = router(dest(), table()).snapshotRow(shape, row, 1, 2)!;
    expect(m.key).toBe('["42"]');
    expect(m.partition).toBe(partitionOf('["42"]', 8));
  });

  it('partitionKey columns choose the partition, the message key stays the primary key', () => {
    const m = router(dest(), table({ partitionKey: ['region'] })).snapshotRow(shape, row, 1, 2)!;
    expect(m.key).toBe('["42"]');
    expect(m.partition).toBe(partitionOf('["eu"]', 8));
  });

  it('table policy hashes database.table for rows and that table\'s DDL; single sends all to 0', () => {
    const r = router(dest({ partitioning: { policy: 'table' } }), table());
    const p = partitionOf('Shop.Orders', 8);
    expect(r.snapshotRow(shape, row, 1, 2)!.partition).toBe(p);
    expect(r.change({ kind: 'ddl', database: 'Shop', table: 'Orders', sql: 'ALTER TABLE Orders ADD x INT', timestamp: 1, id: 1 }, () => shape, 2)!.partition).toBe(p);
    expect(r.change({ kind: 'ddl', database: 'Shop', sql: 'CREATE DATABASE y', timestamp: 1, id: 1 }, () => shape, 2)!.partition).toBe(0);
    expect(router(dest({ partitioning: { policy: 'single' } }), table()).snapshotRow(shape, row, 1, 2)!.partition).toBe(0);
  });

  it('DDL goes to ddlTopic, partition 0 under primary-key', () => {
    const m = router(dest({ ddlTopic: 'ddl' }), table()).change({ kind: 'ddl', database: 'Shop', table: 'Orders', sql: 'TRUNCATE Orders', timestamp: 1, id: 1 }, () => shape, 2)!;
    expect([m.topic, m.partition, m.key]).toEqual(['ddl', 0, null]);
  });

  it('projects columns (exclude, rename) and names (nameCase) in the message, filtering on the source row', () => {
    const r = router(dest({ nameCase: 'upper' }), table({ columns: { exclude: ['secret'] }, rename: { Status: 'state' }, filter: "secret = 's3'" }));
    const m = r.change({ kind: 'row', op: 'update', database: 'Shop', table: 'Orders', before: { ...row, Status: 'new' }, after: row, timestamp: 1, id: 9 }, () => shape, 2)!;
    const b = body(m.value);
    expect(b.database).toBe('SHOP');
    expect(b.table).toBe('ORDERS');
    expect(b.data).toEqual([{ ID: '42', STATE: 'paid', REGION: 'eu' }]);
    expect(b.old).toEqual([{ STATE: 'new' }]);
    expect(b.pkNames).toEqual(['ID']);
    expect(Object.keys(b.mysqlType)).toEqual(['ID', 'STATE', 'REGION']);
    expect(m.key).toBe('["42"]');
    expect(r.change({ kind: 'row', op: 'insert', database: 'Shop', table: 'Orders', after: { ...row, secret: 'other' }, timestamp: 1, id: 9 }, () => shape, 2)).toBeUndefined();
  });

  it('include keeps only the named columns', () => {
    const b = body(router(dest(), table({ columns: { include: ['id', 'region'] } })).snapshotRow(shape, row, 1, 2)!.value);
    expect(b.data).toEqual([{ id: '42', region: 'eu' }]);
  });

  it('an oversized row fails naming table and key, or is skipped and reported', () => {
    const big = { ...row, secret: 'x'.repeat(5000) };
    expect(() => router(dest({ maxMessageBytes: 2048 }), table()).snapshotRow(shape, big, 1, 2)).toThrow(MigError);
    try {
      router(dest({ maxMessageBytes: 2048 }), table()).snapshotRow(shape, big, 1, 2);
    } catch (e) {
      expect((e as MigError).message).toMatch(/Shop\.Orders: a full-load row with key \["42"\] was refused: it encodes to \d+ bytes, over the 2048-byte limit/);
      expect((e as MigError).hint).toMatch(/raise destination\.maxMessageBytes.*onError: skip or dead-letter/);
    }
    const skipped: unknown[] = [];
    expect(router(dest({ maxMessageBytes: 2048, oversizedRow: 'skip' }), table(), skipped).snapshotRow(shape, big, 1, 2)).toBeUndefined();
    expect(skipped).toEqual([{ table: 'Shop.Orders', key: '["42"]', keyValues: ['42'], bytes: expect.any(Number), error: expect.stringMatching(/^row-too-large: /), op: 'snapshot', outcome: 'skipped' }]);
  });

  it('operations not selected are left out', () => {
    const r = router(dest(), table({ operations: ['insert'], ddl: { policy: 'ignore', from: 'spec.objects[0].tables[0].operations' } }));
    expect(r.change({ kind: 'row', op: 'delete', database: 'Shop', table: 'Orders', before: row, timestamp: 1, id: 1 }, () => shape, 2)).toBeUndefined();
    expect(r.change({ kind: 'ddl', database: 'Shop', table: 'Orders', sql: 'ALTER TABLE Orders ADD y INT', timestamp: 1, id: 1 }, () => shape, 2)).toBeUndefined();
  });

  it('rejects a projection that would give two columns one name', () => {
    expect(() => buildProjection({ rename: { Status: 'region' }, nameCase: 'source' }, shape.columns, 'Shop.Orders')).toThrow(/two columns would both be called `region`/);
  });

  it('keyText is null without key columns', () => {
    expect(keyText([], row)).toBeNull();
  });
});
