// Binlog coordinates: ordering, and the numeric ids derived from them.

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

export { formatPosition } from '../../../model/position-text.js';

/** Tracks the GTID position as transactions complete, in the flavour's own text form. */
export interface GtidTracker {
  add(gtid: string): void;
  toString(): string;
}

/**
 * MariaDB: the last transaction per replication domain (`domain-server-seq,…`), what
 * @@gtid_binlog_pos shows and @slave_connect_state accepts.
 */
export class MariadbGtidTracker implements GtidTracker {
  private readonly domains = new Map<string, string>();
  constructor(initial?: string) {
    for (const g of (initial ?? '').split(',').map((s) => s.trim()).filter(Boolean)) this.add(g);
  }
  add(gtid: string): void {
    const domain = gtid.split('-')[0]!;
    this.domains.set(domain, gtid);
  }
  toString(): string {
    return [...this.domains.entries()].sort((a, b) => Number(a[0]) - Number(b[0])).map(([, g]) => g).join(',');
  }
}
