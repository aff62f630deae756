// Key-range chunks: the source's key every N rows cuts a range into contiguous pieces, the first
// open below and the last open above, so every destination row (extra ones too) falls in exactly one.
import type { KeyRange } from '../connectors/contract.js';
import type { SqlValue } from '../model/source-data.js';

/** The pieces of `outer` cut at each boundary (boundaries in key order, inside `outer`). */
export function rangesBetween(boundaries: SqlValue[][], outer: KeyRange = {}): KeyRange[] {
  const out: KeyRange[] = [];
  let after = outer.after;
  for (const b of boundaries) {
    out.push(withBounds(after, b));
    after = b;
  }
  out.push(withBounds(after, outer.upTo));
  return out;
}

function withBounds(after: SqlValue[] | undefined, upTo: SqlValue[] | undefined): KeyRange {
  return { ...(after ? { after } : {}), ...(upTo ? { upTo } : {}) };
}

/**
 * Rows per piece when a differing chunk of `rows` rows is cut again: about `fanout` pieces, none
 * smaller than a leaf (a chunk of at most `leafRows` rows is compared row by row instead).
 */
export function splitEvery(rows: number, leafRows: number, fanout = 8): number {
  return Math.max(leafRows, Math.ceil(rows / fanout));
}

/** Whether a chunk is compared row by row rather than cut again. */
export function isLeaf(sourceRows: number, destinationRows: number, leafRows: number): boolean {
  return Math.max(sourceRows, destinationRows) <= leafRows;
}

/** A range as text for messages: `(after, upTo]`, with `…` for an open end. */
export function rangeText(r: KeyRange): string {
  const v = (k: SqlValue[] | undefined) => (k ? k.map((x) => (Buffer.isBuffer(x) ? `0x${x.toString('hex')}` : String(x))).join(',') : '…');
  return `(${v(r.after)}, ${v(r.upTo)}]`;
}
