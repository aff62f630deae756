// PlainBuffer decoder with every checksum verified, as the service does: a request whose
// cell or row CRC-8 does not match is rejected before anything is written.
import { crcByte, crcBytes } from './crc8.js';
import { Errors, OtsError } from './errors.js';
import {
  CellOpByte,
  HEADER,
  Tag,
  VariantType,
  type Cell,
  type CellOp,
  type CellValue,
  type PkBound,
  type PkColumn,
  type PlainRow,
} from './plain-buffer-types.js';

class Cursor {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  get atEnd(): boolean {
    return this.pos >= this.buf.length;
  }
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw Errors.invalid('Invalid PlainBuffer: unexpected end of data.');
  }
  byte(): number {
    this.need(1);
    return this.buf[this.pos++];
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  peek(): number | undefined {
    return this.atEnd ? undefined : this.buf[this.pos];
  }
}

function mismatch(what: string, expected: number, actual: number): OtsError {
  return Errors.invalid(`Checksum mismatch in PlainBuffer ${what}: expected ${expected}, computed ${actual}.`);
}

/**
 * Reads a formatted value (LE32 length, type byte, payload). Returns the value and the raw
 * type+payload bytes: the cell checksum covers exactly those bytes, so it is computed from what
 * was sent rather than from a re-encoding.
 */
function readValue(c: Cursor): { value: PkBound | CellValue; raw: Buffer } {
  const len = c.u32();
  const start = c.pos;
  const end = c.pos + len;
  c.need(len);
  const type = c.byte();
  let value: PkBound | CellValue;
  switch (type) {
    case VariantType.INTEGER:
    case VariantType.DOUBLE: {
      const raw = c.bytes(8);
      value =
        type === VariantType.INTEGER
          ? { type: 'INTEGER', value: raw.readBigInt64LE(0) }
          : { type: 'DOUBLE', value: raw.readDoubleLE(0) };
      break;
    }
    case VariantType.BOOLEAN: {
      const b = c.byte();
      value = { type: 'BOOLEAN', value: b !== 0 };
      break;
    }
    case VariantType.STRING:
    case VariantType.BLOB: {
      const n = c.u32();
      const raw = c.bytes(n);
      value =
        type === VariantType.STRING
          ? { type: 'STRING', value: raw.toString('utf8') }
          : { type: 'BINARY', value: Buffer.from(raw) };
      break;
    }
    case VariantType.INF_MIN:
      value = { type: 'INF_MIN' };
      break;
    case VariantType.INF_MAX:
      value = { type: 'INF_MAX' };
      break;
    case VariantType.AUTO_INCREMENT:
      value = { type: 'AUTO_INCREMENT' };
      break;
    default:
      throw Errors.invalid(`Invalid PlainBuffer: unsupported value type ${type}.`);
  }
  if (c.pos !== end) throw Errors.invalid('Invalid PlainBuffer: value length does not match its content.');
  return { value, raw: c.buf.subarray(start, end) };
}

const OPS: Record<number, CellOp> = {
  [CellOpByte.DELETE_ALL_VERSION]: 'DELETE_ALL_VERSION',
  [CellOpByte.DELETE_ONE_VERSION]: 'DELETE_ONE_VERSION',
  [CellOpByte.INCREMENT]: 'INCREMENT',
};

/**
 * One cell. The optional value, operation and timestamp tags are accepted in any order (SDKs
 * differ), but the checksum always covers name, value, timestamp, then operation byte.
 */
function readCell(c: Cursor): { name: string; value?: PkBound | CellValue; op: CellOp; opByte?: number; timestamp?: bigint; crc: number } {
  if (c.byte() !== Tag.CELL) throw Errors.invalid('Invalid PlainBuffer: expected a cell.');
  if (c.byte() !== Tag.CELL_NAME) throw Errors.invalid('Invalid PlainBuffer: expected a cell name.');
  const nameBytes = c.bytes(c.u32());
  let crc = crcBytes(0, nameBytes);
  let value: PkBound | CellValue | undefined;
  let valueRaw: Buffer | undefined;
  let opByte: number | undefined;
  let timestamp: Buffer | undefined;
  for (;;) {
    const tag = c.byte();
    if (tag === Tag.CELL_VALUE && value === undefined) {
      const r = readValue(c);
      value = r.value;
      valueRaw = r.raw;
    } else if (tag === Tag.CELL_TYPE && opByte === undefined) {
      opByte = c.byte();
    } else if (tag === Tag.CELL_TIMESTAMP && timestamp === undefined) {
      timestamp = c.bytes(8);
    } else if (tag === Tag.CELL_CHECKSUM) {
      break;
    } else {
      throw Errors.invalid(`Invalid PlainBuffer: unexpected tag ${tag} in a cell.`);
    }
  }
  if (valueRaw) crc = crcBytes(crc, valueRaw);
  if (timestamp) crc = crcBytes(crc, timestamp);
  if (opByte !== undefined) crc = crcByte(crc, opByte);
  const sent = c.byte();
  if (sent !== crc) throw mismatch(`cell '${nameBytes.toString('utf8')}'`, sent, crc);
  let op: CellOp = 'PUT';
  if (opByte !== undefined) {
    const known = OPS[opByte];
    if (!known) throw Errors.invalid(`Invalid PlainBuffer: unknown cell operation ${opByte}.`);
    op = known;
  }
  return {
    name: nameBytes.toString('utf8'),
    value,
    op,
    opByte,
    timestamp: timestamp ? timestamp.readBigInt64LE(0) : undefined,
    crc,
  };
}

function isCellValue(v: PkBound | CellValue): v is CellValue {
  return v.type !== 'INF_MIN' && v.type !== 'INF_MAX' && v.type !== 'AUTO_INCREMENT';
}

function readRowBody(c: Cursor): PlainRow {
  let rowCrc = 0;
  const primaryKey: PkColumn[] = [];
  const cells: Cell[] = [];
  if (c.peek() === Tag.ROW_PK) {
    c.byte();
    while (c.peek() === Tag.CELL) {
      const cell = readCell(c);
      if (cell.value === undefined || cell.opByte !== undefined || cell.timestamp !== undefined)
        throw Errors.invalid('Invalid PlainBuffer: a primary key cell must have a value only.');
      primaryKey.push({ name: cell.name, value: cell.value as PkBound });
      rowCrc = crcByte(rowCrc, cell.crc);
    }
  }
  if (c.peek() === Tag.ROW_DATA) {
    c.byte();
    while (c.peek() === Tag.CELL) {
      const cell = readCell(c);
      if (cell.value !== undefined && !isCellValue(cell.value))
        throw Errors.invalid(`Invalid PlainBuffer: column '${cell.name}' has a value type only keys may have.`);
      cells.push({ name: cell.name, value: cell.value, op: cell.op, timestamp: cell.timestamp });
      rowCrc = crcByte(rowCrc, cell.crc);
    }
  }
  let deleteMarker = false;
  if (c.peek() === Tag.DELETE_ROW_MARKER) {
    c.byte();
    deleteMarker = true;
  }
  rowCrc = crcByte(rowCrc, deleteMarker ? 1 : 0);
  if (c.byte() !== Tag.ROW_CHECKSUM) throw Errors.invalid('Invalid PlainBuffer: expected the row checksum.');
  const sent = c.byte();
  if (sent !== rowCrc) throw mismatch('row', sent, rowCrc);
  return { primaryKey, cells, deleteMarker };
}

function readHeader(c: Cursor): void {
  if (c.buf.length < 4 || c.u32() !== HEADER) throw Errors.invalid('Invalid PlainBuffer: bad header.');
}

/**
 * Decodes the one row a request field carries. Bytes after the row checksum are ignored: the
 * Node SDK sizes its buffer before writing and overestimates UpdateRow cells that carry a
 * timestamp, so it sends zero padding after the row, which the service accepts.
 */
export function decodeRow(buf: Uint8Array): PlainRow {
  const c = new Cursor(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
  readHeader(c);
  return readRowBody(c);
}

/** Decodes a header followed by any number of rows (the GetRange response layout). */
export function decodeRows(buf: Uint8Array): PlainRow[] {
  const c = new Cursor(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
  if (c.atEnd) return [];
  readHeader(c);
  const rows: PlainRow[] = [];
  while (!c.atEnd) rows.push(readRowBody(c));
  return rows;
}
