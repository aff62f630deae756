// The writer's scheduling against a fake BatchWriteRow: in-flight limits, per-key order, halving
// on request-level row errors. No server: the client's batchWriteRow is replaced.
import { describe, expect, it } from 'vitest';
import { TablestoreClient } from '../../src/connectors/sinks/tablestore/client.js';
import type { RowOp, WriteOp } from '../../src/connectors/sinks/tablestore/row-ops.js';
import { OtsRequestError } from '../../src/connectors/sinks/tablestore/errors.js';
import type { BatchRowResult } from '../../src/connectors/sinks/tablestore/batch-request.js';
import { TablestoreWriter, type WriterOptions } from '../../src/connectors/sinks/tablestore/writer.js';

const op = (key: number, seq: number, table = 't'): RowOp => ({
  type: 'put',
  table,
  source: 'db.t',
  primaryKey: [{ id: `${key}` }],
  columns: [{ seq: `${seq}` }],
  keyText: `id=${key}`,
  bytes: 100,
});

interface Fake {
  client: TablestoreClient;
  maxInFlight: number;
  /** Per key, the seq values in the order the fake applied them. */
  applied: Map<string, number[]>;
  requests: number;
}

type Answer = (rows: readonly WriteOp[]) => BatchRowResult[] | Error;

function fake(answer: Answer = ok): Fake {
  const client = new TablestoreClient({ endpoint: 'http://127.0.0.1:9', instance: 'fake' }, { accessKeyId: 'a', accessKeySecret: 'b' }, { retry: { attempts: 3, baseMs: 1, maxMs: 2 } });
  const f: Fake = { client, maxInFlight: 0, applied: new Map(), requests: 0 };
  const inFlightKeys = new Set<string>();
  let inFlight = 0;
  const keyOf = (r: WriteOp) => `${r.table}/${'primaryKey' in r ? String(r.primaryKey[0]!.id) : r.keyText}`;
  client.batchWriteRow = async (rows) => {
    f.requests++;
    inFlight++;
    f.maxInFlight = Math.max(f.maxInFlight, inFlight);
    const keys = rows.map(keyOf);
    for (const k of keys) {
      if (inFlightKeys.has(k)) throw new Error(`key ${k} in flight twice`);
      inFlightKeys.add(k);
    }
    await new Promise((r) => setTimeout(r, Math.random() * 3));
    inFlight--;
    for (const k of keys) inFlightKeys.delete(k);
    const res = answer(rows);
    if (res instanceof Error) throw res;
    // Results come per row in the order given: apply the acknowledged ones.
    rows.forEach((r, j) => {
      const cols = 'columns' in r ? (r.columns as Array<Record<string, string>>) : [];
      if (res[j]!.isOk) f.applied.set(keyOf(r), [...(f.applied.get(keyOf(r)) ?? []), Number(cols[0]!.seq)]);
    });
    return res;
  };
  return f;
}

function ok(rows: readonly WriteOp[]): BatchRowResult[] {
  return rows.map(() => ({ isOk: true }));
}

const opts: WriterOptions = { buckets: 4, concurrency: 3, policyOf: () => 'skip', batchMode: 'batch-write', maxRows: 5 };

describe('TablestoreWriter scheduling', () => {
  it('never exceeds the concurrency, never has a key in flight twice, keeps per-key order', async () => {
    const f = fake();
    const w = new TablestoreWriter(f.client, opts);
    const ops: RowOp[] = [];
    for (let seq = 0; seq < 40; seq++) for (let key = 0; key < 12; key++) ops.push(op(key, seq));
    const res = await w.send(ops);
    expect(res.written).toBe(480);
    expect(f.maxInFlight).toBeLessThanOrEqual(3);
    expect(f.maxInFlight).toBeGreaterThan(1);
    for (let key = 0; key < 12; key++) expect(f.applied.get(`t/${key}`)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('concurrent send() calls share the in-flight limit', async () => {
    const f = fake();
    const w = new TablestoreWriter(f.client, { ...opts, concurrency: 2 });
    await Promise.all([0, 1, 2].map((c) => w.send(Array.from({ length: 50 }, (_, i) => op(c * 1000 + i, 0)))));
    expect(f.maxInFlight).toBeLessThanOrEqual(2);
  });

  it('a request-level row error is narrowed down by halving; the other rows are written in order', async () => {
    const f = fake((rows) => {
      const bad = rows.some((r) => r.keyText === 'id=13');
      return bad ? new OtsRequestError({ code: 'OTSParameterInvalid', message: 'bad value', status: 400 }, 'BatchWriteRow') : ok(rows);
    });
    const w = new TablestoreWriter(f.client, { ...opts, buckets: 1, maxRows: 200 });
    const res = await w.send(Array.from({ length: 40 }, (_, i) => op(i, 1)));
    expect(res.written).toBe(39);
    expect(res.dirty).toEqual([{ bytes: expect.any(Number), table: 't', source: 'db.t', key: 'id=13', code: 'OTSParameterInvalid', message: 'bad value' }]);
    // 40 → 20 → 10 → 5 → 3 → 2 → 1: a handful of requests, not one per row.
    expect(f.requests).toBeLessThan(16);
  });

  it('request-level errors that are not about a row stop the write', async () => {
    const f = fake(() => new OtsRequestError({ code: 'OTSAuthFailed', message: 'signature', status: 403 }, 'BatchWriteRow'));
    const w = new TablestoreWriter(f.client, opts);
    await expect(w.send([op(1, 1)])).rejects.toMatchObject({ code: 'tablestore-auth' });
    expect(f.requests).toBe(1);
  });
});
