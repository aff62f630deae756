// The row model PlainBuffer carries. Values keep their wire type so a round trip is exact:
// INTEGER is a bigint (int64 does not fit a JS number), STRING a JS string, BINARY a Buffer.

export const HEADER = 0x75;

export const Tag = {
  ROW_PK: 0x01,
  ROW_DATA: 0x02,
  CELL: 0x03,
  CELL_NAME: 0x04,
  CELL_VALUE: 0x05,
  CELL_TYPE: 0x06,
  CELL_TIMESTAMP: 0x07,
  DELETE_ROW_MARKER: 0x08,
  ROW_CHECKSUM: 0x09,
  CELL_CHECKSUM: 0x0a,
} as const;

export const VariantType = {
  INTEGER: 0x00,
  DOUBLE: 0x01,
  BOOLEAN: 0x02,
  STRING: 0x03,
  BLOB: 0x07,
  INF_MIN: 0x09,
  INF_MAX: 0x0a,
  AUTO_INCREMENT: 0x0b,
} as const;

/** Cell operation bytes (TAG_CELL_TYPE). A cell without one is a PUT. */
export const CellOpByte = {
  DELETE_ALL_VERSION: 0x01,
  DELETE_ONE_VERSION: 0x03,
  INCREMENT: 0x04,
} as const;

export type PkValue =
  | { type: 'INTEGER'; value: bigint }
  | { type: 'STRING'; value: string }
  | { type: 'BINARY'; value: Buffer };

/** Range bounds and auto-increment placeholders may stand where a key value goes. */
export type PkBound = PkValue | { type: 'INF_MIN' } | { type: 'INF_MAX' } | { type: 'AUTO_INCREMENT' };

export type CellValue = PkValue | { type: 'DOUBLE'; value: number } | { type: 'BOOLEAN'; value: boolean };

export type CellOp = 'PUT' | 'DELETE_ONE_VERSION' | 'DELETE_ALL_VERSION' | 'INCREMENT';

export interface PkColumn {
  name: string;
  value: PkBound;
}

export interface Cell {
  name: string;
  value?: CellValue;
  op: CellOp;
  /** Milliseconds since the epoch, as sent (int64). */
  timestamp?: bigint;
}

export interface PlainRow {
  primaryKey: PkColumn[];
  cells: Cell[];
  deleteMarker: boolean;
}
