import { describe, expect, it } from 'vitest';
import type { ChangeEvent, ColumnInfo, TableInfo } from '../../../src/model/source-data.js';
import { tableCodec } from '../../../src/connectors/sinks/kafka/codec.js';
import { formatFor } from '../../../src/connectors/sinks/kafka/formats/index.js';
import { decodeMessage } from '../../../src/connectors/sinks/kafka/formats/decode.js';
import { frameConfluent } from '../../../src/connectors/sinks/kafka/schema-registry.js';

const col = (name: string, dataType: string, extra: Partial<ColumnInfo> = {}): ColumnInfo => ({ name, dataType, columnType: dataType, unsigned: false, nullable: true, binary: false, ...extra });
const shape: TableInfo = {
  database: 'shop', table: 'orders', primaryKey: ['id'], chunkKey: ['id'], keyKind: 'primary', estimatedRows: 0,
  columns: [col('id', 'int', { nullable: false }), col('note', 'varchar', { columnType: 'varchar(20)', charset: 'utf8mb4' }), col('raw', 'varbinary', { columnType: 'varbinary(4)', binary: true })],
};
const codec = tableCodec(shape);
const before = { id: '1', note: 'old', raw: Buffer.from([0, 255]) };
const after = { id: '1', note: 'new é', raw: null };
const event = (op: 'insert' | 'update' | 'delete'): ChangeEvent => ({
  kind: 'row', op, database: 'shop', table: 'orders', timestamp: 1_700_000_000_000, id: 42,
  ...(op !== 'insert' ? { before } : {}), ...(op !== 'delete' ? { after } : {}),
});
const ctx = { now: 1_700_000_000_500, source: { type: 'MySQL' as const, version: '10.11' } };

describe('reading mig\'s messages back', () => {
  for (const name of ['canal-json', 'shareplex-json', 'dts-avro'] as const) {
    it(`${name}: each operation decodes to its table and images; equal rows give equal texts`, () => {
      const f = formatFor(name);
      const ins = decodeMessage(name, f.encode(event('insert'), codec, ctx));
      expect(ins).toMatchObject({ kind: 'row', op: 'insert', database: 'shop', table: 'orders' });
      const upd = decodeMessage(name, f.encode(event('update'), codec, ctx));
      expect(upd).toMatchObject({ kind: 'row', op: 'update' });
      // The update's new image is the insert's: the same row whatever the operation carried it.
      expect(upd.kind === 'row' && upd.after).toEqual(ins.kind === 'row' && ins.after);
      const del = decodeMessage(name, f.encode(event('delete'), codec, ctx));
      expect(del).toMatchObject({ kind: 'row', op: 'delete' });
      expect(del.kind === 'row' && del.before).toEqual(upd.kind === 'row' && upd.before);
      expect(Object.keys(ins.kind === 'row' ? ins.after! : {})).toEqual(['id', 'note', 'raw']);
      expect(decodeMessage(name, f.encode({ kind: 'ddl', database: 'shop', table: 'orders', sql: 'ALTER TABLE orders ADD x INT', timestamp: 1, id: 2 }, undefined, ctx))).toEqual({ kind: 'ddl' });
    });
  }

  it('canal-json: values as the message text, NULL as null', () => {
    const ins = decodeMessage('canal-json', formatFor('canal-json').encode(event('insert'), codec, ctx));
    expect(ins).toMatchObject({ after: { id: '1', note: 'new é', raw: null } });
  });

  it('dts-avro framed by a schema registry is unframed first', () => {
    const value = frameConfluent(7, formatFor('dts-avro').encode(event('insert'), codec, ctx));
    expect(decodeMessage('dts-avro', value, true)).toMatchObject({ kind: 'row', op: 'insert', table: 'orders' });
  });

  it('dts-avro: an update gives its old image as the key texts, so a key change names the old key', () => {
    const e: ChangeEvent = { ...event('update'), before: { id: '7', note: 'café', raw: Buffer.from([0x41, 0xff]) }, after: { id: '8', note: 'x', raw: null } };
    const upd = decodeMessage('dts-avro', formatFor('dts-avro').encode(e, codec, ctx));
    expect(upd).toMatchObject({ op: 'update', beforeText: { id: '7', note: 'café', raw: 'A\xff' } });
    // The texts are the message key's: what the router writes for the old row.
    expect(JSON.stringify([(upd as { beforeText: Record<string, string> }).beforeText.id])).toBe('["7"]');
  });
});
