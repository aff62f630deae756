// PlainBuffer encoder. Responses use it (GetRow, GetRange, ...), and tests use it to build
// requests the SDK cannot send (BulkImport, corrupted checksums). Cells are written in the
// order name, value, operation, timestamp, checksum; the checksum covers name, value,
// timestamp, operation. Responses never carry an operation tag: the SDK reader breaks on one.
import { crcByte, crcBytes } from './crc8.js';
import {
  CellOpByte,
  HEADER,
  Tag,
  VariantType,
  type Cell,
  type CellOp,
  type CellValue,
  type PkBound,
  type PlainRow,
} from './plain-buffer-types.js';

/** Type byte + payload: the bytes a value occupies after its LE32 length, and what its CRC covers. */
export function valueBytes(v: PkBound | CellValue): Buffer {
  switch (v.type) {
    case 'INTEGER': {
      const b = Buffer.alloc(9);
      b[0] = VariantType.INTEGER;
      b.writeBigInt64LE(v.value, 1);
      return b;
    }
    case 'DOUBLE': {
      const b = Buffer.alloc(9);
      b[0] = VariantType.DOUBLE;
      b.writeDoubleLE(v.value, 1);
      return b;
    }
    case 'BOOLEAN':
      return Buffer.from([VariantType.BOOLEAN, v.value ? 1 : 0]);
    case 'STRING':
    case 'BINARY': {
      const payload = v.type === 'STRING' ? Buffer.from(v.value, 'utf8') : v.value;
      const b = Buffer.alloc(5 + payload.length);
      b[0] = v.type === 'STRING' ? VariantType.STRING : VariantType.BLOB;
      b.writeUInt32LE(payload.length, 1);
      payload.copy(b, 5);
      return b;
    }
    case 'INF_MIN':
      return Buffer.from([VariantType.INF_MIN]);
    case 'INF_MAX':
      return Buffer.from([VariantType.INF_MAX]);
    case 'AUTO_INCREMENT':
      return Buffer.from([VariantType.AUTO_INCREMENT]);
  }
}

const OP_BYTE: Record<Exclude<CellOp, 'PUT'>, number> = {
  DELETE_ALL_VERSION: CellOpByte.DELETE_ALL_VERSION,
  DELETE_ONE_VERSION: CellOpByte.DELETE_ONE_VERSION,
  INCREMENT: CellOpByte.INCREMENT,
};

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

/** Writes one cell into `out` and returns its checksum. */
function writeCell(out: Buffer[], name: string, value: PkBound | CellValue | undefined, op: CellOp, timestamp?: bigint): number {
  const nameBytes = Buffer.from(name, 'utf8');
  out.push(Buffer.from([Tag.CELL, Tag.CELL_NAME]), u32(nameBytes.length), nameBytes);
  let crc = crcBytes(0, nameBytes);
  if (value !== undefined) {
    const vb = valueBytes(value);
    out.push(Buffer.from([Tag.CELL_VALUE]), u32(vb.length), vb);
    crc = crcBytes(crc, vb);
  }
  const opByte = op === 'PUT' ? undefined : OP_BYTE[op];
  if (opByte !== undefined) out.push(Buffer.from([Tag.CELL_TYPE, opByte]));
  if (timestamp !== undefined) {
    const ts = Buffer.alloc(8);
    ts.writeBigInt64LE(timestamp);
    out.push(Buffer.from([Tag.CELL_TIMESTAMP]), ts);
    crc = crcBytes(crc, ts);
  }
  if (opByte !== undefined) crc = crcByte(crc, opByte);
  out.push(Buffer.from([Tag.CELL_CHECKSUM, crc]));
  return crc;
}

function writeRowBody(out: Buffer[], row: PlainRow): void {
  let rowCrc = 0;
  if (row.primaryKey.length > 0) {
    out.push(Buffer.from([Tag.ROW_PK]));
    for (const pk of row.primaryKey) rowCrc = crcByte(rowCrc, writeCell(out, pk.name, pk.value, 'PUT'));
  }
  if (row.cells.length > 0) {
    out.push(Buffer.from([Tag.ROW_DATA]));
    for (const c of row.cells) rowCrc = crcByte(rowCrc, writeCell(out, c.name, c.value, c.op, c.timestamp));
  }
  if (row.deleteMarker) out.push(Buffer.from([Tag.DELETE_ROW_MARKER]));
  rowCrc = crcByte(rowCrc, row.deleteMarker ? 1 : 0);
  out.push(Buffer.from([Tag.ROW_CHECKSUM, rowCrc]));
}

/** The 4-byte header a PlainBuffer starts with; multi-row buffers have it once. */
export function plainBufferHeader(): Buffer {
  return u32(HEADER);
}

export function encodeRow(row: PlainRow): Buffer {
  const out: Buffer[] = [u32(HEADER)];
  writeRowBody(out, row);
  return Buffer.concat(out);
}

/** One header, then the rows back to back (GetRange). No rows → empty bytes. */
export function encodeRows(rows: PlainRow[]): Buffer {
  if (rows.length === 0) return Buffer.alloc(0);
  const out: Buffer[] = [u32(HEADER)];
  for (const r of rows) writeRowBody(out, r);
  return Buffer.concat(out);
}

export function cell(name: string, value: CellValue, timestamp?: bigint): Cell {
  return { name, value, op: 'PUT', timestamp };
}
