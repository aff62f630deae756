// The watermark window's rules (engine/backfill-window.ts): which chunk rows are written at the
// high watermark, and which are left to the changes the stream read inside the window.
import { describe, expect, it } from 'vitest';
import { ChunkWindow, withoutWatermarks } from '../../../src/engine/backfill-window.js';
import type { ChangeEvent, Row } from '../../../src/model/source-data.js';

let id = 0;
const mark = (migration: string, chunk: number, m: 'low' | 'high'): ChangeEvent => ({
  kind: 'row', op: 'update', database: 'mig_meta', table: 'watermarks', timestamp: 0, id: ++id,
  after: { migration, chunk: String(chunk), mark: m, written_at: '2026-01-01 00:00:00.000000' },
});
const row = (table: string, op: 'insert' | 'update' | 'delete', before: Row | undefined, after: Row | undefined): ChangeEvent => ({
  kind: 'row', op, database: 'shop', table, before, after, timestamp: 0, id: ++id,
});
const chunkRows: Row[] = [{ id: '1', v: 'a' }, { id: '2', v: 'b' }, { id: '3', v: 'c' }, { id: '4', v: 'd' }];

describe('a chunk window', () => {
  it('writes the rows the stream did not touch between the watermarks', () => {
    const w = new ChunkWindow('m', 'shop.t', 7, ['id']);
    const before = row('t', 'update', { id: '1', v: 'a' }, { id: '1', v: 'z' });
    expect(w.observe([before]).kept).toEqual([before]);
    expect(w.observe([mark('m', 7, 'low')]).kept).toEqual([]);
    expect(w.open).toBe(true);
    w.rows = chunkRows;
    const inside = [row('t', 'update', { id: '2', v: 'b' }, { id: '2', v: 'y' }), row('t', 'delete', { id: '3', v: 'c' }, undefined), row('other', 'update', { id: '4' }, { id: '4' })];
    expect(w.observe(inside).kept).toEqual(inside);
    const r = w.observe([mark('m', 7, 'high')]);
    expect(r.kept).toEqual([]);
    // 1 changed before the low watermark: the SELECT saw that change, so its row is written.
    expect(r.outcome).toEqual({ rows: [{ id: '1', v: 'a' }, { id: '4', v: 'd' }], superseded: 2 });
  });

  it('a key moved by an update leaves out both its old and its new key', () => {
    const w = new ChunkWindow('m', 'shop.t', 1, ['id']);
    w.observe([mark('m', 1, 'low')]);
    w.rows = chunkRows;
    w.observe([row('t', 'update', { id: '1', v: 'a' }, { id: '4', v: 'a' })]);
    expect(w.observe([mark('m', 1, 'high')]).outcome).toEqual({ rows: [{ id: '2', v: 'b' }, { id: '3', v: 'c' }], superseded: 2 });
  });

  it('ignores other migrations\' and older chunks\' watermarks, and a high before its low', () => {
    const w = new ChunkWindow('m', 'shop.t', 5, ['id']);
    expect(w.observe([mark('m', 5, 'high')]).outcome).toBeUndefined();
    expect(w.observe([mark('m', 4, 'low'), mark('other', 5, 'low')]).kept).toEqual([]);
    expect(w.open).toBe(false);
  });

  it('a keyless table is written whole only when the stream left it alone; a DDL reads the chunk again', () => {
    const calm = new ChunkWindow('m', 'shop.k', 1, []);
    calm.observe([mark('m', 1, 'low')]);
    calm.rows = chunkRows;
    expect(calm.observe([mark('m', 1, 'high')]).outcome).toEqual({ rows: chunkRows, superseded: 0 });
    const busy = new ChunkWindow('m', 'shop.k', 2, []);
    busy.observe([mark('m', 2, 'low'), row('k', 'insert', undefined, { v: 'x' })]);
    expect(busy.observe([mark('m', 2, 'high')]).outcome).toBe('again');
    const altered = new ChunkWindow('m', 'shop.t', 3, ['id']);
    altered.observe([mark('m', 3, 'low'), { kind: 'ddl', database: 'shop', table: 't', sql: 'ALTER TABLE t ADD c INT', timestamp: 0, id: ++id }]);
    expect(altered.observe([mark('m', 3, 'high')]).outcome).toBe('again');
  });

  it('binary keys compare by their bytes', () => {
    const w = new ChunkWindow('m', 'shop.b', 1, ['k']);
    w.observe([mark('m', 1, 'low')]);
    w.rows = [{ k: Buffer.from([1, 2]) }, { k: Buffer.from([1, 3]) }];
    w.observe([row('b', 'delete', { k: Buffer.from([1, 2]) }, undefined)]);
    expect(w.observe([mark('m', 1, 'high')]).outcome).toEqual({ rows: [{ k: Buffer.from([1, 3]) }], superseded: 1 });
  });

  it('watermarks never reach a destination', () => {
    const data = row('t', 'insert', undefined, { id: '9' });
    expect(withoutWatermarks([mark('x', 1, 'low'), data])).toEqual([data]);
  });
});
