// The writer's scheduling against a fake BatchWriteRow: in-flight limits, per-key order, halving
// on request-level row errors. No server: the SDK client's batchWriteRow is replaced.
import { describe, expect, it } from 'vitest';
import { TablestoreClient } from '../../src/sink/tablestore/client.js';
import type { RowOp } from '../../src/sink/tablestore/row-ops.js';
import type { SdkBatchWriteParams, SdkBatchWriteResponse } from '../../src/sink/tablestore/sdk.js';
import { TablestoreWriter, type WriterOptions } from '../../src/sink/tablestore/writer.js';

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

function fake(answer: (params: SdkBatchWriteParams) => SdkBatchWriteResponse | Error = ok): Fake {
  const client = new TablestoreClient({ endpoint: 'http://127.0.0.1:9', instance: 'fake' }, { accessKeyId: 'a', accessKeySecret: 'b' }, { retry: { attempts: 3, baseMs: 1, maxMs: 2 } });
  const f: Fake = { client, maxInFlight: 0, applied: new Map(), requests: 0 };
  const inFlightKeys = new Set<string>();
  let inFlight = 0;
  client.sdk.batchWriteRow = async (params) => {
    f.requests++;
    inFlight++;
    f.maxInFlight = Math.max(f.maxInFlight, inFlight);
    const keys = params.tables.flatMap((t) => t.rows.map((r) => `${t.tableName}/${String(r.primaryKey[0]!.id)}`));
    for (const k of keys) {
      if (inFlightKeys.has(k)) throw new Error(`key ${k} in flight twice`);
      inFlightKeys.add(k);
    }
    await new Promise((r) => setTimeout(r, Math.random() * 3));
    inFlight--;
    for (const k of keys) inFlightKeys.delete(k);
    const res = answer(params);
    if (res instanceof Error) throw res;
    // The response lists rows table by table in request order: apply the acknowledged ones.
    let j = 0;
    for (const t of params.tables) {
      for (const r of t.rows) {
        const k = `${t.tableName}/${String(r.primaryKey[0]!.id)}`;
        const cols = r.attributeColumns as Array<Record<string, string>>;
        if (res.tables[j++]!.isOk) f.applied.set(k, [...(f.applied.get(k) ?? []), Number(cols[0]!.seq)]);
      }
    }
    return res;
  };
  return f;
}

function ok(params: SdkBatchWriteParams): SdkBatchWriteResponse {
  return { tables: params.tables.flatMap((t) => t.rows.map(() => ({ isOk: true, errorCode: null, errorMessage: null, tableName: t.tableName }))) };
}

const opts: WriterOptions = { buckets: 4, concurrency: 3, dirtyData: 'skip', batchMode: 'batch-write', maxRows: 5 };

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
    const f = fake((params) => {
      const bad = params.tables.some((t) => t.rows.some((r) => r.primaryKey[0]!.id === '13'));
      return bad ? Object.assign(new Error(), { code: 400, otsCode: 'OTSParameterInvalid', otsMessage: 'bad value' }) : ok(params);
    });
    const w = new TablestoreWriter(f.client, { ...opts, buckets: 1, maxRows: 200 });
    const res = await w.send(Array.from({ length: 40 }, (_, i) => op(i, 1)));
    expect(res.written).toBe(39);
    expect(res.dirty).toEqual([{ table: 't', source: 'db.t', key: 'id=13', code: 'OTSParameterInvalid', message: 'bad value' }]);
    // 40 → 20 → 10 → 5 → 3 → 2 → 1: a handful of requests, not one per row.
    expect(f.requests).toBeLessThan(16);
  });

  it('request-level errors that are not about a row stop the write', async () => {
    const f = fake(() => Object.assign(new Error(), { code: 403, otsCode: 'OTSAuthFailed', otsMessage: 'signature' }));
    const w = new TablestoreWriter(f.client, opts);
    await expect(w.send([op(1, 1)])).rejects.toMatchObject({ code: 'tablestore-auth' });
    expect(f.requests).toBe(1);
  });
});
