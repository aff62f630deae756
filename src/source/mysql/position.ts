// Binlog coordinates: ordering, and the numeric ids derived from them.
import type { BinlogPosition } from '../../state/model.js';

/** The numeric suffix of a binlog file name (mariadb-bin.000042 → 42). */
export function fileIndex(file: string): number {
  const m = /\.(\d+)$/.exec(file);
  return m ? Number(m[1]) : 0;
}

/** Negative when a is before b in the log, 0 when equal, positive after. */
export function comparePositions(a: { file: string; pos: number }, b: { file: string; pos: number }): number {
  const fa = fileIndex(a.file);
  const fb = fileIndex(b.file);
  if (fa !== fb) return fa - fb;
  return a.pos - b.pos;
}

/**
 * A change id unique within the log and equal on redelivery: file index in the high bits, the
 * transaction's start offset plus the row's ordinal in the low 32. The ordinal never reaches the
 * next transaction because every row takes at least a byte of the log. Safe up to 2^20 files.
 */
export function changeId(file: string, txStart: number, ordinal: number): number {
  return fileIndex(file) * 2 ** 32 + txStart + ordinal;
}

export function formatPosition(p: BinlogPosition | undefined): string {
  if (!p) return '-';
  return `${p.file}:${p.pos}${p.gtidSet ? ` (gtid ${p.gtidSet})` : ''}`;
}
