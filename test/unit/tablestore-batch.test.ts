import { describe, expect, it } from 'vitest';
import { cutBatches, MAX_BATCH_ROWS, MAX_REQUEST_BYTES } from '../../src/connectors/sinks/tablestore/batch.js';

const op = (table: string, key: string | number, bytes = 100) => ({ table, keyText: `id=${key}`, bytes });

describe('cutBatches', () => {
  it('cuts at 200 rows', () => {
    const ops = Array.from({ length: 450 }, (_, i) => op('t', i));
    expect(cutBatches(ops).map((b) => b.length)).toEqual([200, 200, 50]);
    expect(MAX_BATCH_ROWS).toBe(200);
  });

  it('cuts at 4 MB, counting the table overhead, and keeps the order', () => {
    const ops = Array.from({ length: 10 }, (_, i) => op('t', i, 1024 * 1024));
    const batches = cutBatches(ops);
    expect(MAX_REQUEST_BYTES).toBe(4 * 1024 * 1024);
    // Four 1 MB rows plus the table entry would pass 4 MB: three per request.
    expect(batches.map((b) => b.length)).toEqual([3, 3, 3, 1]);
    expect(batches.flat()).toEqual(ops);
    for (const b of batches) expect(b.reduce((s, o) => s + o.bytes, 0)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
  });

  it('an op larger than the limit goes alone', () => {
    const ops = [op('t', 1), op('t', 2, 5 * 1024 * 1024), op('t', 3)];
    expect(cutBatches(ops).map((b) => b.map((o) => o.keyText))).toEqual([['id=1'], ['id=2'], ['id=3']]);
  });

  it('never puts one row twice in a request (same key in another table is fine)', () => {
    const ops = [op('a', 1), op('b', 1), op('a', 2), op('a', 1), op('a', 3)];
    expect(cutBatches(ops).map((b) => b.map((o) => `${o.table}.${o.keyText}`))).toEqual([
      ['a.id=1', 'b.id=1', 'a.id=2'],
      ['a.id=1', 'a.id=3'],
    ]);
  });

  it('oneTable (BulkImport): one table per request, each table in its order', () => {
    const ops = [op('a', 1), op('b', 1), op('a', 2), op('b', 2), op('a', 1)];
    expect(cutBatches(ops, { oneTable: true }).map((b) => b.map((o) => `${o.table}.${o.keyText}`))).toEqual([
      ['a.id=1', 'a.id=2'],
      ['a.id=1'],
      ['b.id=1', 'b.id=2'],
    ]);
  });

  it('custom limits', () => {
    const ops = Array.from({ length: 5 }, (_, i) => op('t', i, 10));
    expect(cutBatches(ops, { maxRows: 2 }).map((b) => b.length)).toEqual([2, 2, 1]);
    expect(cutBatches(ops, { maxBytes: 40 }).map((b) => b.length)).toEqual([2, 2, 1]);
    expect(cutBatches([])).toEqual([]);
  });
});
