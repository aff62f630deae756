// BatchWriteRow's request body, framed by hand around the PlainBuffer rows (plain-buffer.ts) so a
// request costs one Buffer: protobuf's BatchWriteRowRequest { repeated TableInBatchWriteRowRequest
// tables = 1 { table_name = 1; repeated RowInBatchWriteRowRequest rows = 2 { type = 1;
// row_change = 2; condition = 3 { row_existence = 1 } } } }, as in the SDK's tablestore.proto.
import { rowSize, writeRow } from './plain-buffer.js';
import type { WriteOp } from './row-ops.js';

/** OperationType of the .proto. */
const OP_TYPE = { put: 1, update: 2, delete: 3 } as const;
/** condition { row_existence: IGNORE }: field 3, length 2, field 1 varint 0. */
const CONDITION_IGNORE = [0x1a, 0x02, 0x08, 0x00];

function varintSize(n: number): number {
  let s = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    s++;
  }
  return s;
}

function writeVarint(buf: Buffer, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 0x80);
  }
  buf[pos++] = n;
  return pos;
}

/** A RowInBatchWriteRowRequest's bytes, its own tag and length excluded. */
const rowMessageSize = (plain: number): number => 2 + 1 + varintSize(plain) + plain + CONDITION_IGNORE.length;

export interface BatchWriteRowBody {
  body: Buffer;
  /** Indexes into the given rows in the order the request (and so the response) lists them. */
  order: number[];
}

/**
 * The request for `rows`, every row with condition IGNORE (each write is idempotent). Rows are
 * grouped by table, each table's rows in the order given; the response answers in that order.
 */
export function encodeBatchWriteRow(rows: readonly WriteOp[]): BatchWriteRowBody {
  const byTable = new Map<string, number[]>();
  for (let i = 0; i < rows.length; i++) {
    const list = byTable.get(rows[i]!.table);
    if (list) list.push(i);
    else byTable.set(rows[i]!.table, [i]);
  }
  const plain = rows.map(rowSize);
  const tables: Array<{ name: string; nameBytes: number; idx: number[]; size: number }> = [];
  let total = 0;
  for (const [name, idx] of byTable) {
    const nameBytes = Buffer.byteLength(name, 'utf8');
    let size = 1 + varintSize(nameBytes) + nameBytes;
    for (const i of idx) {
      const m = rowMessageSize(plain[i]!);
      size += 1 + varintSize(m) + m;
    }
    tables.push({ name, nameBytes, idx, size });
    total += 1 + varintSize(size) + size;
  }
  const body = Buffer.allocUnsafe(total);
  let pos = 0;
  for (const t of tables) {
    body[pos++] = 0x0a; // tables, field 1, length-delimited
    pos = writeVarint(body, pos, t.size);
    body[pos++] = 0x0a; // table_name
    pos = writeVarint(body, pos, t.nameBytes);
    pos += body.write(t.name, pos, 'utf8');
    for (const i of t.idx) {
      const op = rows[i]!;
      body[pos++] = 0x12; // rows, field 2
      pos = writeVarint(body, pos, rowMessageSize(plain[i]!));
      body[pos++] = 0x08; // type
      body[pos++] = OP_TYPE[op.type];
      body[pos++] = 0x12; // row_change
      pos = writeVarint(body, pos, plain[i]!);
      const end = writeRow(op, body, pos);
      if (end !== pos + plain[i]!) throw new Error(`PlainBuffer size mismatch for ${op.table} ${op.keyText}: ${end - pos} != ${plain[i]}`);
      pos = end;
      for (const b of CONDITION_IGNORE) body[pos++] = b;
    }
  }
  if (pos !== total) throw new Error(`BatchWriteRow body size mismatch: ${pos} != ${total}`);
  return { body, order: [...byTable.values()].flat() };
}

/** One row's outcome, as BatchWriteRowResponse lists it. */
export interface BatchRowResult {
  isOk: boolean;
  error?: { code: string; message?: string };
}

/**
 * BatchWriteRowResponse { repeated tables = 1 { table_name = 1; repeated rows = 2 { is_ok = 1;
 * error = 2 { code = 1; message = 2 } } } }, rows flat in request order. Decoded by hand, like
 * the request, so the default write path needs no .proto file at run time; other fields skipped.
 */
export function decodeBatchWriteRowResponse(buf: Uint8Array): BatchRowResult[] {
  const out: BatchRowResult[] = [];
  for (const t of fields(buf, 0, buf.length)) {
    if (t.field !== 1 || t.end === undefined) continue;
    for (const r of fields(buf, t.start, t.end)) {
      if (r.field !== 2 || r.end === undefined) continue;
      const row: BatchRowResult = { isOk: false };
      for (const f of fields(buf, r.start, r.end)) {
        if (f.field === 1) row.isOk = f.value !== 0;
        else if (f.field === 2 && f.end !== undefined) {
          const error: { code: string; message?: string } = { code: '' };
          for (const e of fields(buf, f.start, f.end)) {
            const text = e.end === undefined ? '' : Buffer.from(buf.buffer, buf.byteOffset + e.start, e.end - e.start).toString('utf8');
            if (e.field === 1) error.code = text;
            else if (e.field === 2) error.message = text;
          }
          row.error = error;
        }
      }
      out.push(row);
    }
  }
  return out;
}

interface Field {
  field: number;
  /** Varint fields: the value; length-delimited ones: their bytes' range. */
  value: number;
  start: number;
  end?: number;
}

function* fields(buf: Uint8Array, pos: number, end: number): Generator<Field> {
  const varint = (): number => {
    let v = 0;
    for (let mul = 1; ; mul *= 0x80) {
      if (pos >= end) throw new Error('truncated varint');
      const b = buf[pos++]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
    }
  };
  while (pos < end) {
    const key = varint();
    const field = Math.floor(key / 8);
    switch (key & 7) {
      case 0:
        yield { field, value: varint(), start: pos };
        break;
      case 1:
        pos += 8;
        break;
      case 2: {
        const len = varint();
        if (pos + len > end) throw new Error('truncated field');
        yield { field, value: len, start: pos, end: pos + len };
        pos += len;
        break;
      }
      case 5:
        pos += 4;
        break;
      default:
        throw new Error(`unsupported wire type ${key & 7}`);
    }
  }
}
