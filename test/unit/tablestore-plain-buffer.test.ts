// mig's own PlainBuffer and BatchWriteRow encoding (plain-buffer.ts, batch-request.ts) must be the
// SDK's bytes exactly: the service checks every cell and row checksum, and the SDK's encoder is the
// reference mig replaced only for speed and memory.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { decodeBatchWriteRowResponse, encodeBatchWriteRow } from '../../src/connectors/sinks/tablestore/batch-request.js';
import { encodeOp, encodeRow, rowSize } from '../../src/connectors/sinks/tablestore/plain-buffer.js';
import type { RowOp } from '../../src/connectors/sinks/tablestore/row-ops.js';
import { IGNORE, tablestoreSdk, type SdkBatchRow, type SdkUpdateColumns } from '../../src/connectors/sinks/tablestore/sdk.js';

const L = (s: string) => tablestoreSdk().Long.fromString(s);
const base = { table: 't', source: 'db.t', keyText: 'k', bytes: 0 };

const ops: RowOp[] = [
  { ...base, type: 'put', primaryKey: [{ id: L('1') }], columns: [{ a: 'text' }, { n: L('-42') }, { d: 3.25 }, { b: true }, { f: false }, { bin: Buffer.from([0, 1, 255]) }] },
  { ...base, type: 'put', primaryKey: [{ id: L('9223372036854775807') }, { code: 'ünïcødé €' }], columns: [{ s: 'ça va 😀' }, { e: '' }] },
  { ...base, type: 'put', primaryKey: [{ k: Buffer.from('key') }], columns: [] },
  { ...base, type: 'update', primaryKey: [{ id: L('-9223372036854775808') }], put: [{ a: 'x'.repeat(300) }, { d: -0.1 }], deleteAll: ['gone', 'also_gone'] },
  { ...base, type: 'update', primaryKey: [{ id: L('7') }, { __dts_data_source: 'db.t' }], put: [{ a: 'y' }], deleteAll: [] },
  { ...base, type: 'delete', primaryKey: [{ id: L('5') }, { s: 'x' }] },
];

function sdkRow(op: RowOp): SdkBatchRow {
  const updates = (o: Extract<RowOp, { type: 'update' }>): SdkUpdateColumns => [{ PUT: o.put }, ...(o.deleteAll.length > 0 ? [{ DELETE_ALL: o.deleteAll }] : [])];
  if (op.type === 'put') return { type: 'PUT', condition: IGNORE(), primaryKey: op.primaryKey, attributeColumns: op.columns };
  if (op.type === 'update') return { type: 'UPDATE', condition: IGNORE(), primaryKey: op.primaryKey, attributeColumns: updates(op) };
  return { type: 'DELETE', condition: IGNORE(), primaryKey: op.primaryKey };
}

function sdkPlain(op: RowOp): Buffer {
  const b = tablestoreSdk().PlainBufferBuilder;
  const row = sdkRow(op);
  if (op.type === 'put') return b.serializeForPutRow(op.primaryKey, op.columns);
  if (op.type === 'update') return b.serializeForUpdateRow(op.primaryKey, row.attributeColumns as SdkUpdateColumns);
  return b.serializeForDeleteRow(op.primaryKey);
}

/** The SDK's protobuf encoding of a BatchWriteRow request (what its client would send). */
interface SdkEncoder {
  encoder: { encode(op: 'batchWriteRow', params: { tables: Array<{ tableName: string; rows: SdkBatchRow[] }> }): object };
}
function sdkBody(tables: Array<{ tableName: string; rows: RowOp[] }>): Buffer {
  const sdk = createRequire(import.meta.url)('tablestore') as SdkEncoder;
  const request = sdk.encoder.encode('batchWriteRow', { tables: tables.map((t) => ({ tableName: t.tableName, rows: t.rows.map(sdkRow) })) });
  const ctor = Object.getPrototypeOf(request).constructor as { encode(r: object): { finish(): Uint8Array } };
  return Buffer.from(ctor.encode(request).finish());
}

describe('PlainBuffer rows', () => {
  it.each(ops.map((op, i) => [i, op] as const))('row %i: the SDK’s bytes, of the computed size', (_, op) => {
    const mine = encodeRow(op);
    expect(mine.length).toBe(rowSize(op));
    expect(mine.toString('hex')).toBe(sdkPlain(op).toString('hex'));
  });
});

describe('BatchWriteRow request', () => {
  it('frames rows of several tables as the SDK does, grouped by table in order', () => {
    const a = ops.map((op) => ({ ...op, table: 'alpha' }));
    const b = ops.slice(0, 3).map((op) => ({ ...op, table: 'beta_table' }));
    // Interleaved: the request lists alpha's rows, then beta's, and `order` maps back.
    const rows = [a[0]!, b[0]!, a[1]!, a[2]!, b[1]!, a[3]!, a[4]!, b[2]!, a[5]!];
    const { body, order } = encodeBatchWriteRow(rows);
    expect(order).toEqual([0, 2, 3, 5, 6, 8, 1, 4, 7]);
    expect(body.toString('hex')).toBe(sdkBody([{ tableName: 'alpha', rows: a }, { tableName: 'beta_table', rows: b }]).toString('hex'));
  });

  it('rows encoded ahead (the full load keeps them so) frame to the same bytes', () => {
    const rows = ops.map((op, i) => ({ ...op, table: i % 2 ? 'alpha' : 'beta_table' }));
    const ahead = encodeBatchWriteRow(rows.map(encodeOp));
    const late = encodeBatchWriteRow(rows);
    expect(ahead.order).toEqual(late.order);
    expect(ahead.body.equals(late.body)).toBe(true);
    expect(encodeOp({ ...ops[0]!, invalid: { code: 'x', message: 'y' } })).toHaveProperty('primaryKey');
  });

  it('uses multi-byte lengths for large rows', () => {
    const big: RowOp = { ...base, type: 'put', primaryKey: [{ id: L('1') }], columns: [{ a: 'z'.repeat(200_000) }] };
    const { body } = encodeBatchWriteRow([big, big]);
    expect(body.equals(sdkBody([{ tableName: 't', rows: [big, big] }]))).toBe(true);
  });
});

describe('BatchWriteRow response', () => {
  it('decodes what the SDK’s protobuf encodes: per row ok or its error, tables in order', () => {
    interface ProtoType { encode(m: object): { finish(): Uint8Array }; create(m: object): object }
    const protos = createRequire(import.meta.url)('tablestore/lib/protocol/tablestore_compiled_proto.js') as { main: { proto: { BatchWriteRowResponse: ProtoType } } };
    const T = protos.main.proto.BatchWriteRowResponse;
    const body = T.encode(T.create({
      tables: [
        { tableName: 'a', rows: [{ isOk: true, consumed: { capacityUnit: { write: 1 } } }, { isOk: false, error: { code: 'OTSParameterInvalid', message: 'bad ü' } }] },
        { tableName: 'b', rows: [{ isOk: false, error: { code: 'OTSServerBusy' } }, { isOk: true, row: Buffer.from([1, 2, 3]) }] },
      ],
    })).finish();
    expect(decodeBatchWriteRowResponse(body)).toEqual([
      { isOk: true },
      { isOk: false, error: { code: 'OTSParameterInvalid', message: 'bad ü' } },
      { isOk: false, error: { code: 'OTSServerBusy' } },
      { isOk: true },
    ]);
    expect(() => decodeBatchWriteRowResponse(body.subarray(0, body.length - 3))).toThrow(/truncated/);
  });
});
