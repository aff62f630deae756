// Row operations → PlainBuffer rows and BatchWriteRow request bodies, written straight into one
// Buffer per request. The SDK's encoder builds the same bytes but UTF-8-encodes each string three
// to four times (sizing, writing, two CRC passes over fresh Buffers) and goes through protobufjs
// objects: about half of the full load's allocations and a fifth of its CPU. The layout and
// checksums follow the SDK's plain_buffer_coded_stream.js byte for byte (a unit test compares).
import type { EncodedOp, RowOp, WriteOp } from './row-ops.js';
import { isSdkLong, type SdkCellValue, type SdkColumns, type SdkPrimaryKey } from './sdk.js';

const HEADER = 0x75;
const TAG_ROW_PK = 0x1;
const TAG_ROW_DATA = 0x2;
const TAG_CELL = 0x3;
const TAG_CELL_NAME = 0x4;
const TAG_CELL_VALUE = 0x5;
const TAG_CELL_TYPE = 0x6;
const TAG_DELETE_ROW_MARKER = 0x8;
const TAG_ROW_CHECKSUM = 0x9;
const TAG_CELL_CHECKSUM = 0xa;
const DELETE_ALL_VERSION = 0x1;
const VT_INTEGER = 0x0;
const VT_DOUBLE = 0x1;
const VT_BOOLEAN = 0x2;
const VT_STRING = 0x3;
const VT_BLOB = 0x7;

/** CRC-8 (polynomial 0x07), the checksum PlainBuffer puts on every cell and row. */
const CRC8 = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let c = i;
  for (let b = 0; b < 8; b++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
  CRC8[i] = c;
}
const crc8 = (crc: number, byte: number): number => CRC8[(crc ^ byte) & 0xff]!;
function crcRange(crc: number, buf: Buffer, start: number, end: number): number {
  for (let i = start; i < end; i++) crc = CRC8[crc ^ buf[i]!]!;
  return crc;
}

/** Bytes of one value after its TAG_CELL_VALUE and length: type byte and payload. */
function valueSize(v: SdkCellValue): number {
  if (typeof v === 'string') return 5 + Buffer.byteLength(v, 'utf8');
  if (Buffer.isBuffer(v)) return 5 + v.length;
  if (typeof v === 'boolean') return 2;
  return 9; // INTEGER (Long) or DOUBLE
}

/** A cell: TAG_CELL, name, [value], [cell type], checksum. */
const cellSize = (name: string, v: SdkCellValue | null, typed: boolean): number =>
  8 + Buffer.byteLength(name, 'utf8') + (v === null ? 0 : 5 + valueSize(v)) + (typed ? 2 : 0);

function pkSize(pk: SdkPrimaryKey): number {
  let n = 1;
  for (const cell of pk) for (const name in cell) n += cellSize(name, cell[name]!, false);
  return n;
}

function columnsSize(cols: SdkColumns): number {
  let n = 0;
  for (const cell of cols) for (const name in cell) n += cellSize(name, cell[name]!, false);
  return n;
}

/** Encoded size of the op's row, exactly what writeRow writes. */
export function rowSize(op: WriteOp): number {
  if ('plain' in op) return op.plain.length;
  let n = 4 + pkSize(op.primaryKey) + 2;
  if (op.type === 'delete') return n + 1;
  if (op.type === 'put') return n + (op.columns.length > 0 ? 1 + columnsSize(op.columns) : 0);
  n += 1 + columnsSize(op.put);
  for (const name of op.deleteAll) n += cellSize(name, null, true);
  return n;
}

/** Writes cells into a buffer, keeping the row checksum. */
class RowWriter {
  rowCrc = 0;
  constructor(readonly buf: Buffer, public pos: number) {}

  byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  u32(n: number): void {
    this.pos = this.buf.writeUInt32LE(n, this.pos);
  }

  cell(name: string, v: SdkCellValue | null, deleteAll = false): void {
    const b = this.buf;
    this.byte(TAG_CELL);
    this.byte(TAG_CELL_NAME);
    const lenAt = this.pos;
    const nameLen = b.write(name, lenAt + 4, 'utf8');
    b.writeUInt32LE(nameLen, lenAt);
    this.pos = lenAt + 4 + nameLen;
    let crc = crcRange(0, b, lenAt + 4, this.pos);
    if (v !== null) crc = this.value(v, crc);
    if (deleteAll) {
      this.byte(TAG_CELL_TYPE);
      this.byte(DELETE_ALL_VERSION);
      crc = crc8(crc, DELETE_ALL_VERSION);
    }
    this.byte(TAG_CELL_CHECKSUM);
    this.byte(crc);
    this.rowCrc = crc8(this.rowCrc, crc);
  }

  /** TAG_CELL_VALUE, its length, type and payload; the cell checksum covers type, lengths and bytes. */
  private value(v: SdkCellValue, crc: number): number {
    const b = this.buf;
    this.byte(TAG_CELL_VALUE);
    if (typeof v === 'string' || Buffer.isBuffer(v)) {
      const at = this.pos;
      const n = typeof v === 'string' ? b.write(v, at + 9, 'utf8') : v.copy(b, at + 9);
      b.writeUInt32LE(n + 5, at);
      b[at + 4] = typeof v === 'string' ? VT_STRING : VT_BLOB;
      b.writeUInt32LE(n, at + 5);
      this.pos = at + 9 + n;
      // The SDK sums the type, the payload length and the bytes (not the outer length).
      return crcRange(crcRange(crc, b, at + 4, at + 9), b, at + 9, this.pos);
    }
    if (typeof v === 'boolean') {
      this.u32(2);
      this.byte(VT_BOOLEAN);
      this.byte(v ? 1 : 0);
      return crc8(crc8(crc, VT_BOOLEAN), v ? 1 : 0);
    }
    this.u32(9);
    const type = typeof v === 'number' ? VT_DOUBLE : VT_INTEGER;
    this.byte(type);
    const at = this.pos;
    if (typeof v === 'number') b.writeDoubleLE(v, at);
    else if (isSdkLong(v)) v.toBuffer().copy(b, at, 0, 8);
    this.pos = at + 8;
    return crcRange(crc8(crc, type), b, at, at + 8);
  }
}

/** Writes the op's row at `pos` (exactly rowSize(op) bytes); returns the position after it. */
export function writeRow(op: WriteOp, buf: Buffer, pos: number): number {
  if ('plain' in op) return pos + op.plain.copy(buf, pos);
  const w = new RowWriter(buf, pos);
  w.u32(HEADER);
  w.byte(TAG_ROW_PK);
  for (const cell of op.primaryKey) for (const name in cell) w.cell(name, cell[name]!);
  if (op.type === 'delete') {
    w.byte(TAG_DELETE_ROW_MARKER);
    w.rowCrc = crc8(w.rowCrc, 1);
  } else {
    const put = op.type === 'put' ? op.columns : op.put;
    // An UpdateRow always has its data section; a PutRow without attributes has none (as the SDK).
    if (op.type === 'update' || put.length > 0) w.byte(TAG_ROW_DATA);
    for (const cell of put) for (const name in cell) w.cell(name, cell[name]!);
    if (op.type === 'update') for (const name of op.deleteAll) w.cell(name, null, true);
    w.rowCrc = crc8(w.rowCrc, 0);
  }
  w.byte(TAG_ROW_CHECKSUM);
  w.byte(w.rowCrc);
  return w.pos;
}

/** One row alone (BulkImport carries rows as separate byte fields). */
export function encodeRow(op: WriteOp): Buffer {
  if ('plain' in op) return op.plain;
  const buf = Buffer.allocUnsafe(rowSize(op));
  writeRow(op, buf, 0);
  return buf;
}

/** The op in its encoded form; an invalid op stays as it is (it is never sent, only reported). */
export function encodeOp(op: RowOp): WriteOp {
  if (op.invalid) return op;
  const encoded: EncodedOp = { type: op.type, table: op.table, source: op.source, keyText: op.keyText, bytes: op.bytes, plain: encodeRow(op) };
  return encoded;
}
